from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from shuangfang.orgs.models import Organization

from .services import KINDS


class SubscriptionForm(forms.Form):
    organization = forms.ModelChoiceField(
        label=_("Institution or bureau"), queryset=Organization.objects.none()
    )
    url = forms.URLField(label=_("URL"), max_length=500, assume_scheme="https")
    kinds = forms.MultipleChoiceField(
        label=_("Event kinds"), choices=list(KINDS.items()), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        orgs = (
            Organization.objects.for_user(user, "webhook.manage").bureaus_and_institutions().order_by("path")
        )
        self.fields["organization"].queryset = orgs  # type: ignore[attr-defined]
        if len(orgs) == 1:
            self.fields["organization"].initial = orgs[0]
