from django import forms
from django.utils.translation import gettext_lazy as _

from shuangfang.core.widgets import IsoDateInput
from shuangfang.orgs.models import Organization, OrgKind

from .catalogue import GROUPS, KINDS
from .choices import Adapter, VisitKind
from .models import Equipment

DATE = IsoDateInput()


def kind_choices():
    return [
        (str(label), [(k.code, k.name) for k in KINDS.values() if k.group == group])
        for group, label in GROUPS.items()
    ]


class EquipmentForm(forms.Form):
    organization = forms.ModelChoiceField(label=_("Institution"), queryset=Organization.objects.none())
    kind = forms.ChoiceField(label=_("Kind"), choices=())
    name = forms.CharField(label=_("Name"), max_length=80)
    risk_point: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Place (risk point)"), queryset=None, required=False
    )
    location = forms.CharField(label=_("Where exactly"), max_length=120, required=False)
    model = forms.CharField(label=_("Model"), max_length=80, required=False)
    serial_number = forms.CharField(label=_("Serial number"), max_length=60, required=False)
    registration_number = forms.CharField(
        label=_("Registration number"),
        max_length=60,
        required=False,
        help_text=_("Special equipment: the number on its use registration certificate."),
    )
    supplier = forms.CharField(label=_("Supplier"), max_length=120, required=False)
    manufactured_on = forms.DateField(label=_("Manufactured on"), required=False, widget=DATE)
    installed_on = forms.DateField(label=_("Installed on"), required=False, widget=DATE)
    life_years = forms.IntegerField(
        label=_("Service life (years)"),
        required=False,
        help_text=_("Empty: the kind's service life where a standard gives one (extinguishers)."),
    )
    expires_on = forms.DateField(
        label=_("End of service life"),
        required=False,
        widget=DATE,
        help_text=_("Empty: worked out from the manufacture (or installation) date and the service life."),
    )
    next_inspection_on = forms.DateField(
        label=_("Next statutory inspection"),
        required=False,
        widget=DATE,
        help_text=_("Special equipment: the date on the inspection certificate."),
    )
    next_repair_on = forms.DateField(
        label=_("Next repair and hydrostatic test"),
        required=False,
        widget=DATE,
        help_text=_("Extinguishers: empty means worked out from the manufacture date (GB 50444)."),
    )

    def __init__(self, *args, user, item: Equipment | None = None, **kwargs):
        from shuangfang.risks.models import RiskPoint

        super().__init__(*args, **kwargs)
        orgs = Organization.objects.for_user(user, "equipment.manage").filter(kind=OrgKind.INSTITUTION)
        self.fields["organization"].queryset = orgs  # type: ignore[attr-defined]
        self.fields["kind"].choices = kind_choices()  # type: ignore[attr-defined]
        points = RiskPoint.objects.for_user(user, "equipment.manage").filter(is_active=True)
        self.fields["risk_point"].queryset = points.select_related("organization")  # type: ignore[attr-defined]
        self.fields["risk_point"].to_field_name = "uuid"  # type: ignore[attr-defined]
        if len(orgs) == 1 or item is not None:
            self.fields["organization"].initial = item.organization if item else orgs[0]
            self.fields["organization"].widget = forms.HiddenInput()
            self.fields["organization"].required = item is None
        if item is not None:
            del self.fields["organization"]
            del self.fields["kind"]


class ReportForm(forms.Form):
    description = forms.CharField(
        label=_("What is wrong"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    photo = forms.ImageField(
        label=_("Photo"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )


class DocumentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120, required=False)
    file = forms.FileField(label=_("File (PDF or photo)"))


class VisitForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=VisitKind.choices)
    visited_on = forms.DateField(label=_("Date"), widget=DATE)
    contractor = forms.CharField(label=_("Contractor"), max_length=120)
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000
    )
    report = forms.FileField(label=_("Contractor's report (PDF or photo)"), required=False)
    next_inspection_on = forms.DateField(
        label=_("Next statutory inspection"),
        required=False,
        widget=DATE,
        help_text=_("For a statutory inspection: the date on the new certificate."),
    )


class RecorderForm(forms.Form):
    organization = forms.ModelChoiceField(label=_("Institution"), queryset=Organization.objects.none())
    name = forms.CharField(label=_("Name"), max_length=80)
    adapter = forms.ChoiceField(label=_("How its retention is checked"), choices=Adapter.choices)
    base_url = forms.URLField(
        label=_("Address"), required=False, assume_scheme="http", help_text=_("e.g. http://192.168.1.64")
    )
    username = forms.CharField(label=_("User name"), max_length=60, required=False)
    secret_env = forms.CharField(
        label=_("Password environment variable"),
        max_length=60,
        required=False,
        help_text=_(
            "The password is never stored here: name the server's environment variable that holds it."
        ),
    )
    live_url = forms.URLField(label=_("Live view link"), required=False, assume_scheme="https")
    retention_months = forms.IntegerField(label=_("Months to keep"), initial=3, min_value=1, max_value=24)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        orgs = Organization.objects.for_user(user, "equipment.manage").filter(kind=OrgKind.INSTITUTION)
        self.fields["organization"].queryset = orgs  # type: ignore[attr-defined]
        if len(orgs) == 1:
            self.fields["organization"].initial = orgs[0]
            self.fields["organization"].widget = forms.HiddenInput()


class CameraForm(forms.Form):
    recorder: forms.ModelChoiceField = forms.ModelChoiceField(label=_("Recorder"), queryset=None)
    channel = forms.IntegerField(label=_("Channel"), min_value=1, max_value=512)
    name = forms.CharField(label=_("Name"), max_length=80)
    risk_point: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Place (risk point)"), queryset=None, required=False
    )
    live_url = forms.URLField(label=_("Live view link"), required=False, assume_scheme="https")

    def __init__(self, *args, user, **kwargs):
        from shuangfang.risks.models import RiskPoint

        from .models import Recorder

        super().__init__(*args, **kwargs)
        self.fields["recorder"].queryset = Recorder.objects.for_user(user, "equipment.manage").filter(  # type: ignore[attr-defined]
            is_active=True
        )
        self.fields["recorder"].to_field_name = "uuid"  # type: ignore[attr-defined]
        points = RiskPoint.objects.for_user(user, "equipment.manage").filter(is_active=True)
        self.fields["risk_point"].queryset = points  # type: ignore[attr-defined]
        self.fields["risk_point"].to_field_name = "uuid"  # type: ignore[attr-defined]
