from __future__ import annotations

import json

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .choices import ContactKind, ProviderKind, Severity


class ContactForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ContactKind.choices)
    address = forms.CharField(label=_("Mobile number or email"), max_length=120)


class VerifyForm(forms.Form):
    kind = forms.ChoiceField(choices=ContactKind.choices, widget=forms.HiddenInput)
    code = forms.CharField(
        label=_("Code"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


class QuietForm(forms.Form):
    quiet_start = forms.TimeField(
        label=_("Quiet from"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    quiet_end = forms.TimeField(
        label=_("Quiet until"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )

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
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            'For example {"sign_name": "双防平台", "template_code": "SMS_123", '
            '"template_params": ["org", "title", "link"]}'
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
