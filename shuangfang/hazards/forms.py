from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shuangfang.core.vocabulary import CheckCategory, HazardGrade
from shuangfang.core.widgets import IsoDateInput
from shuangfang.orgs.models import Membership, Organization, OrgKind, User

from .choices import Source, Treatment
from .models import Hazard
from .workflow import Move


class MultiFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    widget = MultiFileInput

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget",
            MultiFileInput(
                attrs={
                    "accept": "image/*",
                    "capture": "environment",
                    "class": "photo-input",
                    "data-shrink": "",
                    "data-keep-location": _("Keep where the photo was taken"),
                }
            ),
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


DATE = IsoDateInput()


class ReportForm(forms.Form):
    photos = PhotosField(label=_("Photo"), required=False)
    location = forms.CharField(label=_("Where"), max_length=120, required=False)
    description = forms.CharField(
        label=_("What is wrong"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
    organization = forms.ModelChoiceField(label=_("Institution"), queryset=Organization.objects.none())
    source = forms.ChoiceField(
        label=pgettext_lazy("hazard", "Source"), choices=Source.choices, initial=Source.SNAP
    )
    category = forms.ChoiceField(
        label=pgettext_lazy("hazard", "Category"),
        choices=[("", _("Not sure"))] + list(CheckCategory.choices),
        required=False,
    )
    criterion = forms.CharField(
        label=_("Major-hazard criterion met (code)"),
        max_length=60,
        required=False,
        help_text=_("Only if the hazard meets a situation of the major-hazard criteria: it is then major."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        orgs = Organization.objects.for_user(user, "hazard.report").filter(kind=OrgKind.INSTITUTION)
        self.fields["organization"].queryset = orgs  # type: ignore[attr-defined]
        self.criteria = []
        if orgs:
            from shuangfang.criteria.services import citable_for

            self.criteria = citable_for(orgs[0])
        if len(orgs) == 1:
            self.fields["organization"].initial = orgs[0]
            self.fields["organization"].widget = forms.HiddenInput()


def criterion_field(org, required: bool = False) -> forms.ChoiceField:
    """The criteria the institution can cite, by code (the service resolves the code again)."""
    from shuangfang.criteria.services import citable_for

    choices = [("", _("None"))] + [(c.code, f"{c.code} {c.number}{c.text}"[:120]) for c in citable_for(org)]
    return forms.ChoiceField(
        label=_("Major-hazard criterion met"),
        choices=choices,
        required=required,
        help_text=_(
            "A hazard that meets a criterion is major; grading it otherwise needs the bureau's approval."
        ),
    )


# long: the catalogue of every move field, one entry a field, reads best as one table.
def move_form_class(move: Move, hazard: Hazard) -> type[forms.Form]:
    """A form with exactly the fields a move takes (required where the table says so)."""
    org = hazard.organization
    req = set(move.requires)
    people = User.objects.filter(pk__in=Membership.objects.staff_of(org).values("user_id")).order_by("name")
    departments = Organization.objects.filter(institution=org, kind=OrgKind.DEPARTMENT)
    text = {"rows": 2}
    catalogue = {
        "grade": lambda: forms.ChoiceField(
            label=_("Grade"), choices=HazardGrade.choices, initial=HazardGrade.GENERAL
        ),
        "category": lambda: forms.ChoiceField(
            label=pgettext_lazy("hazard", "Category"), choices=CheckCategory.choices
        ),
        "cause": lambda: forms.CharField(
            label=_("Cause"), widget=forms.Textarea(attrs=text), max_length=settings.TEXT_MAX_CHARS
        ),
        "preventive_measures": lambda: forms.CharField(
            label=_("Measures against the cause"),
            help_text=_("What was changed so that the cause does not produce the hazard again."),
            widget=forms.Textarea(attrs=text),
            max_length=settings.TEXT_MAX_CHARS,
        ),
        "department": lambda: forms.ModelChoiceField(label=_("Department"), queryset=departments),
        "location": lambda: forms.CharField(label=pgettext_lazy("hazard", "Location"), max_length=120),
        "responsible": lambda: forms.ModelChoiceField(
            label=pgettext_lazy("hazard", "Responsible person"), queryset=people
        ),
        "measures": lambda: forms.CharField(
            label=_("Rectification measures"),
            widget=forms.Textarea(attrs=text),
            max_length=settings.TEXT_MAX_CHARS,
        ),
        "deadline": lambda: forms.DateField(label=_("Deadline"), widget=DATE),
        "funds": lambda: forms.DecimalField(label=_("Funds (yuan)"), min_value=0, decimal_places=2),
        "contingency_plan": lambda: forms.CharField(
            label=_("Contingency plan"), widget=forms.Textarea(attrs=text), max_length=settings.TEXT_MAX_CHARS
        ),
        "interim_measures": lambda: forms.CharField(
            label=_("Interim safety measures"),
            widget=forms.Textarea(attrs=text),
            max_length=settings.TEXT_MAX_CHARS,
        ),
        "fix_note": lambda: forms.CharField(
            label=_("What was done"), widget=forms.Textarea(attrs=text), max_length=settings.TEXT_MAX_CHARS
        ),
        "reject_reason": lambda: forms.CharField(
            label=_("Reason"), widget=forms.Textarea(attrs=text), max_length=settings.TEXT_MAX_CHARS
        ),
        "duplicate_of": lambda: forms.ModelChoiceField(
            label=_("Original hazard"),
            queryset=Hazard.objects.filter(organization=org).exclude(pk=hazard.pk).order_by("-reported_at"),
        ),
        "extension_until": lambda: forms.DateField(label=_("New deadline"), widget=DATE),
        "extension_reason": lambda: forms.CharField(
            label=_("Reason"), widget=forms.Textarea(attrs=text), max_length=settings.TEXT_MAX_CHARS
        ),
        "criterion": lambda: criterion_field(org, required="criterion" in req),
        "supervision_deadline": lambda: forms.DateField(label=_("Supervision deadline"), widget=DATE),
        "supervision_note": lambda: forms.CharField(
            label=_("Requirements"), widget=forms.Textarea(attrs=text), max_length=settings.TEXT_MAX_CHARS
        ),
    }
    if move.action == "accept" and hazard.status in move.sources and hazard.treatment != Treatment.ON_SPOT:
        req |= {"cause", "preventive_measures"}  # 四个不放过 (guards.check_cause)
    fields: dict[str, forms.Field] = {}
    # photos first: on the phone the camera is the first tap
    if "after_photo" in req or move.action == "record_progress":
        fields["photos"] = PhotosField(
            label=_("After-photo") if "after_photo" in req else _("Photo"),
            required="after_photo" in req and not hazard.photos.filter(kind="after").exists(),
        )
    for name in catalogue:
        if name in move.fields and not (move.action == "reject" and name == "reject_reason"):
            f = catalogue[name]()
            f.required = name in req
            fields[name] = f
    if move.action not in ("approve_extension", "reject") and "fix_note" not in move.fields:
        fields["note"] = forms.CharField(
            label=_("Reason")
            if move.action
            in (
                "reject_back",
                "refuse_extension",
                "request_downgrade",
                "approve_downgrade",
                "refuse_downgrade",
            )
            else pgettext_lazy("hazard", "Note"),
            widget=forms.Textarea(attrs=text),
            max_length=settings.TEXT_MAX_CHARS,
            required="note" in req,
        )
    if move.action == "reject":
        fields["note"] = forms.CharField(
            label=_("Reason"), widget=forms.Textarea(attrs=text), max_length=settings.TEXT_MAX_CHARS
        )
    return type(f"{move.action.title()}Form", (forms.Form,), fields)


def initial_for(move: Move, hazard: Hazard) -> dict:
    init = {}
    for name in move.fields:
        value = getattr(hazard, name, None)
        if value not in (None, ""):
            init[name] = value
    if "department" in move.fields and hazard.department_id:
        init["department"] = hazard.department_id
    return init
