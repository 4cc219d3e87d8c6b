from __future__ import annotations

import json

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shuangfang.core.vocabulary import Severity
from shuangfang.core.widgets import IsoTimeInput
from shuangfang.orgs.models import Membership, Organization, Post, User
from shuangfang.orgs.roles import Role

from .choices import Channel, ContactKind, ProviderKind, StepTarget


class ContactForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ContactKind.choices)
    address = forms.CharField(label=_("Mobile number or email"), max_length=120)


class VerifyForm(forms.Form):
    kind = forms.ChoiceField(choices=ContactKind.choices, widget=forms.HiddenInput)
    code = forms.CharField(
        label=pgettext_lazy("verification", "Code"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


class QuietForm(forms.Form):
    quiet_start = forms.TimeField(label=_("Quiet from"), required=False, widget=IsoTimeInput())
    quiet_end = forms.TimeField(label=_("Quiet until"), required=False, widget=IsoTimeInput())

    def clean(self):
        data = super().clean() or {}
        if bool(data.get("quiet_start")) != bool(data.get("quiet_end")):
            raise ValidationError(_("Give both the start and the end of quiet hours, or neither."))
        return data


class ProviderForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ProviderKind.choices)
    name = forms.CharField(label=_("Name"), max_length=60)
    endpoint = forms.URLField(
        label=_("Endpoint"),
        required=False,
        assume_scheme="https",
        help_text=_("Empty: the provider's public API."),
    )
    access_key = forms.CharField(label=_("Access key ID / robot key"), required=False, max_length=200)
    secret = forms.CharField(
        label=_("Secret"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Stored encrypted and never shown again. Leave empty to keep the stored one."),
    )
    secret_env = forms.CharField(
        label=_("Or read the secret from environment variable"), required=False, max_length=80
    )
    params = forms.CharField(
        label=_("Parameters (JSON)"),
        required=False,
        widget=forms.Textarea(
            attrs={
                "rows": 4,
                "placeholder": '{"sign_name": "双防平台", "template_code": "SMS_123", '
                '"template_params": ["org", "title", "link"]}',
            }
        ),
        help_text=_(
            "The sign name, template code and template parameters the provider gave you, as in the example."
        ),
    )
    min_severity = forms.ChoiceField(
        label=_("Lowest severity sent"), choices=Severity.choices, initial=Severity.INFO
    )

    def clean_params(self) -> dict:
        raw = self.cleaned_data["params"].strip()
        if not raw:
            return {}
        try:
            value = json.loads(raw)
        except ValueError as exc:
            raise ValidationError(_("Not valid JSON: %(error)s") % {"error": exc}) from exc
        if not isinstance(value, dict):
            raise ValidationError(_("Parameters must be a JSON object."))
        return value


class PolicyForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80)
    event_kind = forms.CharField(
        label=_("Event kinds"),
        max_length=60,
        initial="alarm.*",
        help_text=_("A pattern such as alarm.* or *."),
    )
    min_severity = forms.ChoiceField(
        label=_("Lowest severity"), choices=Severity.choices, initial=Severity.INFO
    )
    repeat = forms.IntegerField(label=_("Repeat the chain (times)"), min_value=0, max_value=5, initial=1)
    priority = forms.IntegerField(
        label=_("Priority"), min_value=0, max_value=1000, initial=100, help_text=_("Lower is tried first.")
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class StepForm(forms.Form):
    target = forms.ChoiceField(label=_("Notify"), choices=StepTarget.choices, initial=StepTarget.ON_DUTY)
    role = forms.ChoiceField(label=_("Role"), choices=[("", "—"), *Role.choices], required=False)
    user = forms.ModelChoiceField(label=_("Person"), queryset=User.objects.none(), required=False)
    post = forms.ModelChoiceField(label=_("Post (on duty)"), queryset=Post.objects.none(), required=False)
    channels = forms.MultipleChoiceField(
        label=_("Channels"),
        choices=Channel.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=["inbox", "sms"],
    )
    wait_minutes = forms.IntegerField(
        label=_("Then wait (minutes)"), min_value=0, max_value=24 * 60, initial=5
    )

    def __init__(self, *args, institution: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        ids = (
            Membership.objects.active()
            .filter(organization__path__startswith=institution.path)
            .values("user_id")
        )
        self.fields["user"].queryset = User.objects.filter(pk__in=ids, is_active=True).order_by("name")  # type: ignore[attr-defined]
        self.fields["post"].queryset = Post.objects.filter(organization=institution)  # type: ignore[attr-defined]


StepFormSet = forms.formset_factory(StepForm, extra=1, max_num=8, can_delete=True)
