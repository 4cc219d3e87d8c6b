from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from shuangfang.orgs.models import Organization, OrgKind
from shuangfang.risks.models import RiskPoint

from .choices import Adapter, ClearReason, DeviceKind
from .models import Device


class DeviceForm(forms.Form):
    organization = forms.ModelChoiceField(label=_("Institution"), queryset=Organization.objects.none())
    kind = forms.ChoiceField(label=_("Device type"), choices=DeviceKind.choices)
    code = forms.CharField(
        label=_("Device id"), max_length=64, help_text=_("the id the device puts in its messages")
    )
    name = forms.CharField(label=_("Name"), max_length=100)
    department = forms.ModelChoiceField(
        label=_("Department"), queryset=Organization.objects.none(), required=False
    )
    building = forms.CharField(label=_("Building"), max_length=60, required=False)
    floor = forms.CharField(label=_("Floor"), max_length=20, required=False)
    location = forms.CharField(label=_("Location"), max_length=120, required=False)
    risk_point = forms.ModelChoiceField(
        label=_("Risk point"), queryset=RiskPoint.objects.none(), required=False
    )
    gateway = forms.ModelChoiceField(label=_("Gateway"), queryset=Device.objects.none(), required=False)
    heartbeat_seconds = forms.IntegerField(
        label=_("Heartbeat interval (seconds)"), min_value=30, max_value=86_400, initial=300
    )
    adapter = forms.ChoiceField(
        label=_("Payload format"),
        choices=Adapter.choices,
        initial=Adapter.CANONICAL,
        help_text=_("What the device or its vendor's cloud posts (docs/monitoring.md, vendor adapters)."),
    )

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        scope = Organization.objects.for_user(actor, "monitoring.manage")
        self.fields["organization"].queryset = scope.filter(kind=OrgKind.INSTITUTION).order_by("name")  # type: ignore[attr-defined]
        self.fields["department"].queryset = scope.filter(kind=OrgKind.DEPARTMENT).order_by("name")  # type: ignore[attr-defined]
        self.fields["risk_point"].queryset = RiskPoint.objects.for_user(  # type: ignore[attr-defined]
            actor, "monitoring.manage"
        ).select_related("organization")
        self.fields["risk_point"].label_from_instance = (  # type: ignore[attr-defined]
            lambda p: f"{p.organization.name} · {p.code} {p.name}"
        )
        self.fields["gateway"].queryset = Device.objects.for_user(actor, "monitoring.manage").filter(  # type: ignore[attr-defined]
            kind="gateway"
        )


class AcknowledgeForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class ClearForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Reason"),
        choices=[(c.value, c.label) for c in ClearReason if c != ClearReason.RECOVERED],
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class SiteRuleForm(forms.Form):
    threshold = forms.FloatField(label=_("Threshold"), required=False)
    samples = forms.IntegerField(label=_("Consecutive samples"), min_value=1, max_value=100)
