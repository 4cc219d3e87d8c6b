from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from shuangfang.core.tenancy import scope_orgs
from shuangfang.orgs.models import Organization

from .choices import Answer
from .services import may_import_national

NATIONAL = "national"


class ImportForm(forms.Form):
    owner = forms.ChoiceField(
        label=_("Whose list"),
        help_text=_("The ministry's or national standards, or your bureau's own refinement (Art. 2)."),
    )
    file = forms.FileField(label=_("File (.json or .xlsx)"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        choices: list[tuple[str, str]] = []
        if may_import_national(user):
            choices.append((NATIONAL, str(_("Ministry and national standards"))))
        scope = scope_orgs(user, "criteria.import")
        bureaus = Organization.objects.filter(kind__in=("bureau", "district_bureau"), is_active=True)
        if scope is not None:
            bureaus = bureaus.filter(pk__in=scope)
        self.bureaus = {str(b.uuid): b for b in bureaus.order_by("path")[:50]}
        choices += [
            (k, str(_("Refinement of %(bureau)s") % {"bureau": b.name})) for k, b in self.bureaus.items()
        ]
        self.fields["owner"].choices = choices  # type: ignore[attr-defined]

    def bureau(self) -> Organization | None:
        return self.bureaus.get(self.cleaned_data["owner"])


def answer_field(label: str) -> forms.ChoiceField:
    return forms.ChoiceField(label=label, choices=Answer.choices, widget=forms.RadioSelect, required=False)
