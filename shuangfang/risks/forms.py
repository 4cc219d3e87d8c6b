from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from shuangfang.core import seedtext
from shuangfang.core.widgets import IsoDateInput
from shuangfang.orgs.models import Membership, Organization, OrgKind, Post, User

from .choices import (
    ACCIDENT_TYPES,
    AssessmentKind,
    ControlTier,
    FactorClass,
    MeasureCategory,
    PointKind,
    accident_type_label,
)
from .models import Floor


def institutions_for(user, perm: str):
    return Organization.objects.for_user(user, perm).filter(kind=OrgKind.INSTITUTION).order_by("path")


class InstitutionField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.name


class PointForm(forms.Form):
    institution = InstitutionField(label=_("Institution"), queryset=Organization.objects.none())
    name = forms.CharField(label=_("Risk point"), max_length=100)
    kind = forms.ChoiceField(label=_("Type"), choices=PointKind.choices)
    department = forms.ModelChoiceField(
        label=_("Department"), queryset=Organization.objects.none(), required=False
    )
    post = forms.ModelChoiceField(label=_("Post"), queryset=Post.objects.none(), required=False)
    building = forms.CharField(label=_("Building"), max_length=60, required=False)
    floor = forms.ModelChoiceField(label=_("Floor"), queryset=Floor.objects.none(), required=False)
    area = forms.CharField(label=_("Area / zone"), max_length=60, required=False)
    location = forms.CharField(label=_("Location"), max_length=120, required=False)
    basis = forms.CharField(label=_("Basis"), max_length=200, required=False)
    next_review_on = forms.DateField(label=_("Next review"), required=False, widget=IsoDateInput())

    def __init__(self, *args, user, institution: Organization | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        choices = institutions_for(user, "risk.edit")
        self.fields["institution"].queryset = choices  # type: ignore[attr-defined]
        if institution is None and len(choices) == 1:
            institution = choices[0]
        if institution is not None:
            self.fields["institution"].initial = institution.pk
            self.fields["department"].queryset = Organization.objects.filter(  # type: ignore[attr-defined]
                institution=institution, kind=OrgKind.DEPARTMENT
            )
            self.fields["post"].queryset = Post.objects.filter(organization=institution)  # type: ignore[attr-defined]
            self.fields["floor"].queryset = Floor.objects.filter(organization=institution)  # type: ignore[attr-defined]
        else:
            inst_ids = [o.pk for o in choices]
            self.fields["department"].queryset = Organization.objects.filter(  # type: ignore[attr-defined]
                institution_id__in=inst_ids, kind=OrgKind.DEPARTMENT
            )
            self.fields["post"].queryset = Post.objects.filter(organization_id__in=inst_ids)  # type: ignore[attr-defined]
            self.fields["floor"].queryset = Floor.objects.filter(organization_id__in=inst_ids)  # type: ignore[attr-defined]


class PointEditForm(PointForm):
    is_active = forms.BooleanField(label=_("Active"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["institution"]


def _accident_choices() -> list[tuple[str, str]]:
    return [(n, accident_type_label(n, s)) for n, s in ACCIDENT_TYPES]


class FactorForm(forms.Form):
    description = forms.CharField(label=_("Hazard factor"), max_length=200)
    factor_class = forms.ChoiceField(label=_("GB/T 13861 class"), choices=FactorClass.choices)
    accident_types = forms.MultipleChoiceField(
        label=_("Possible accidents"),
        choices=_accident_choices,  # called when the form is shown: in the reader's language
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    consequence = forms.CharField(label=_("Consequence"), max_length=200, required=False)


class MeasureForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=MeasureCategory.choices)
    description = forms.CharField(
        label=_("Measure"), widget=forms.Textarea(attrs={"rows": 2}), max_length=settings.TEXT_MAX_CHARS
    )
    tier = forms.ChoiceField(
        label=_("Control tier"),
        choices=ControlTier.choices,
        help_text=_(
            "Defaults from the level: major → institution, significant → department, "
            "general → team, low → post."
        ),
    )
    responsible = forms.ModelChoiceField(
        label=_("Responsible person"), queryset=User.objects.none(), required=False
    )
    responsible_name = forms.CharField(label=_("Responsible person (name)"), max_length=60, required=False)
    what_to_check = forms.CharField(
        label=_("What to check"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=settings.TEXT_MAX_CHARS,
        required=False,
        help_text=_("Feeds the inspection checklists."),
    )

    def __init__(self, *args, institution: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            pk__in=Membership.objects.staff_of(institution).values("user_id")
        ).order_by("name")


class AssessForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=AssessmentKind.choices, initial=AssessmentKind.INHERENT)
    basis = forms.CharField(label=_("Basis"), max_length=300, required=False)

    def __init__(self, *args, method, **kwargs):
        super().__init__(*args, **kwargs)
        self.method = method
        for scale in method.scales:
            options = [
                (str(o["value"]), f"{o['value']} — {seedtext.pick(o, 'label')}") for o in scale["options"]
            ]
            self.fields[f"scale_{scale['code']}"] = forms.ChoiceField(
                label=f"{scale['code']} · {seedtext.pick(scale, 'name')}",
                choices=[("", "—"), *options],
                required=False,
                widget=forms.RadioSelect(attrs={"data-scale": scale["code"]}),
            )
        if method.requires_basis:
            self.fields["basis"].required = True
            self.fields["basis"].help_text = _("For example the major-hazard criterion that is met.")

    def inputs(self) -> dict:
        return {s["code"]: self.cleaned_data.get(f"scale_{s['code']}") for s in self.method.scales}


class ReviewForm(forms.Form):
    next_review_on = forms.DateField(label=_("Next review"), widget=IsoDateInput())
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class FloorForm(forms.Form):
    institution = InstitutionField(label=_("Institution"), queryset=Organization.objects.none())
    building = forms.CharField(label=_("Building"), max_length=60)
    name = forms.CharField(label=_("Floor"), max_length=40)
    plan = forms.FileField(label=_("Floor plan (picture)"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        choices = institutions_for(user, "risk.edit")
        self.fields["institution"].queryset = choices  # type: ignore[attr-defined]
        if len(choices) == 1:
            self.fields["institution"].initial = choices[0].pk


class PlanForm(forms.Form):
    plan = forms.FileField(label=_("Floor plan (picture)"))


class AdoptForm(forms.Form):
    institution = InstitutionField(label=_("Institution"), queryset=Organization.objects.none())
    name = forms.CharField(label=_("Name in your institution"), max_length=100, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        choices = institutions_for(user, "risk.edit")
        self.fields["institution"].queryset = choices  # type: ignore[attr-defined]
        if len(choices) == 1:
            self.fields["institution"].initial = choices[0].pk


class LibraryEntryForm(forms.Form):
    bureau = InstitutionField(label=_("Bureau"), queryset=Organization.objects.none())
    name = forms.CharField(label=_("Risk point"), max_length=100)
    kind = forms.ChoiceField(label=_("Type"), choices=PointKind.choices)
    area = forms.CharField(label=_("Area / zone"), max_length=60, required=False)
    source = forms.CharField(
        label=_("Source"), widget=forms.Textarea(attrs={"rows": 2}), max_length=settings.TEXT_MAX_CHARS
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        bureaus = Organization.objects.for_user(user, "risk.library").filter(
            kind__in=[OrgKind.BUREAU, OrgKind.DISTRICT_BUREAU]
        )
        self.fields["bureau"].queryset = bureaus  # type: ignore[attr-defined]
        if len(bureaus) >= 1:
            self.fields["bureau"].initial = bureaus[0].pk


class PaletteForm(forms.Form):
    bureau = InstitutionField(label=_("Bureau"), queryset=Organization.objects.none())
    preset = forms.ChoiceField(
        label=_("Preset"),
        choices=[
            ("", _("Custom colours below")),
            ("national", _("National: red / orange / yellow / blue")),
            ("seed", _("Red / blue / yellow / green (differs from the national scheme)")),
        ],
        required=False,
    )
    colour_1 = forms.CharField(
        label=_("Major risk"), widget=forms.TextInput(attrs={"type": "color"}), required=False
    )
    name_1 = forms.CharField(label=_("Its colour's name"), max_length=10, required=False)
    colour_2 = forms.CharField(
        label=_("Significant risk"), widget=forms.TextInput(attrs={"type": "color"}), required=False
    )
    name_2 = forms.CharField(label=_("Its colour's name"), max_length=10, required=False)
    colour_3 = forms.CharField(
        label=_("General risk"), widget=forms.TextInput(attrs={"type": "color"}), required=False
    )
    name_3 = forms.CharField(label=_("Its colour's name"), max_length=10, required=False)
    colour_4 = forms.CharField(
        label=_("Low risk"), widget=forms.TextInput(attrs={"type": "color"}), required=False
    )
    name_4 = forms.CharField(
        label=_("Its colour's name"),
        max_length=10,
        required=False,
        help_text=_("For example 绿. Empty: the level is shown without a colour name."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        from .choices import palette_for

        bureaus = Organization.objects.for_user(user, "risk.library").filter(
            kind__in=[OrgKind.BUREAU, OrgKind.DISTRICT_BUREAU]
        )
        self.fields["bureau"].queryset = bureaus  # type: ignore[attr-defined]
        if len(bureaus) >= 1:
            self.fields["bureau"].initial = bureaus[0].pk
            palette = palette_for(bureaus[0])  # the colours in force, so saving unchanged keeps them
            for level in (1, 2, 3, 4):
                self.fields[f"colour_{level}"].initial = palette.colour(level)
                self.fields[f"name_{level}"].initial = palette.name(level)
