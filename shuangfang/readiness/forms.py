from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shuangfang.core.widgets import IsoDateInput, IsoDateTimeInput
from shuangfang.orgs.models import Membership, Organization, Post, User
from shuangfang.orgs.roles import Role

from .choices import (
    AppliesTo,
    Confidence,
    CourseTopic,
    Delivery,
    DrillKind,
    LetterLevel,
    PlanKind,
    StepKind,
    SupplyKind,
)
from .drills import Step
from .models import Course, LetterTemplate
from .training import courses_for

DT = IsoDateTimeInput()
DATE = IsoDateInput()


def institution_people(institution: Organization):
    ids = (
        Membership.objects.active().filter(organization__path__startswith=institution.path).values("user_id")
    )
    return User.objects.filter(pk__in=ids, is_active=True).order_by("name")


class CourseForm(forms.Form):
    name = forms.CharField(label=_("Course"), max_length=80)
    topic = forms.ChoiceField(label=_("Topic"), choices=CourseTopic.choices)
    valid_months = forms.IntegerField(
        label=_("Valid for (months, 0 = once)"), min_value=0, max_value=120, initial=12
    )
    source = forms.CharField(label=_("Source"), max_length=200, required=False)
    confidence = forms.ChoiceField(
        label=_("Confidence"), choices=Confidence.choices, initial=Confidence.PRODUCT
    )


class RequirementForm(forms.Form):
    course = forms.ModelChoiceField(label=_("Course"), queryset=Course.objects.none())
    applies_to = forms.ChoiceField(label=_("Applies to"), choices=AppliesTo.choices)
    post = forms.ModelChoiceField(label=_("Post"), queryset=Post.objects.none(), required=False)
    role = forms.ChoiceField(label=_("Role"), choices=[("", "—"), *Role.choices], required=False)
    risk_level = forms.TypedChoiceField(
        label=_("Risk level or more severe"),
        choices=[
            ("", "—"),
            (1, _("Major risk")),
            (2, _("Significant risk")),
            (3, _("General risk")),
            (4, _("Low risk")),
        ],
        coerce=int,
        empty_value=None,
        required=False,
    )
    due_within_days = forms.IntegerField(
        label=_("First due within (days of joining)"), min_value=0, max_value=365, initial=30
    )
    source = forms.CharField(label=_("Source"), max_length=200, required=False)

    def __init__(self, *args, organization: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = courses_for(organization)  # type: ignore[attr-defined]
        self.fields["post"].queryset = Post.objects.filter(  # type: ignore[attr-defined]
            organization__path__startswith=organization.path, is_active=True
        ).select_related("organization")


class SessionForm(forms.Form):
    course = forms.ModelChoiceField(label=_("Course"), queryset=Course.objects.none())
    title = forms.CharField(label=_("Title"), max_length=120)
    delivery = forms.ChoiceField(label=pgettext_lazy("training", "Delivery"), choices=Delivery.choices)
    trainer = forms.CharField(label=_("Trainer"), max_length=80, required=False)
    place = forms.CharField(label=_("Place"), max_length=80, required=False)
    starts_at = forms.DateTimeField(label=_("Starts at"), widget=DT)
    ends_at = forms.DateTimeField(label=_("Ends at"), widget=DT)
    materials = forms.CharField(
        label=_("Materials"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
        help_text=_("One link or title a line."),
    )
    pass_mark = forms.IntegerField(label=_("Quiz pass mark (%)"), min_value=1, max_value=100, required=False)
    quiz = forms.CharField(
        label=_("Quiz"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=4000,
        help_text=_("One question a line: question | option 1 | option 2 | … | number of the right option"),
    )

    def __init__(self, *args, institution: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = courses_for(institution)  # type: ignore[attr-defined]

    def clean_quiz(self) -> list[tuple[str, list[str], int]]:
        out = []
        for n, line in enumerate(self.cleaned_data["quiz"].splitlines(), 1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split("|")]
            try:
                answer = int(parts[-1])
            except ValueError:
                raise ValidationError(
                    _("Line %(n)s: end with the number of the right option.") % {"n": n}
                ) from None
            if len(parts) < 4 or not 1 <= answer <= len(parts) - 2:
                raise ValidationError(
                    _("Line %(n)s: a question, at least two options and the right one's number.") % {"n": n}
                )
            out.append((parts[0][:200], parts[1:-1], answer))
        return out


class MarkForm(forms.Form):
    people = forms.ModelMultipleChoiceField(
        label=_("Present"), queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, institution: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["people"].queryset = institution_people(institution)  # type: ignore[attr-defined]


class CertificateForm(forms.Form):
    person = forms.ModelChoiceField(label=_("Person"), queryset=User.objects.none())
    name = forms.CharField(
        label=_("Certificate"),
        max_length=80,
        help_text=_("For example: fire-facility operator, special operations"),
    )
    number = forms.CharField(label=_("Certificate number"), max_length=60, required=False)
    issued_on = forms.DateField(label=_("Issued on"), widget=DATE)
    expires_on = forms.DateField(label=_("Expires on"), widget=DATE, required=False)
    photo = forms.ImageField(label=_("Photo"), required=False)

    def __init__(self, *args, institution: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = institution_people(institution)  # type: ignore[attr-defined]


class DrillForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    kind = forms.ChoiceField(label=_("Kind"), choices=DrillKind.choices)
    building = forms.CharField(label=_("Building"), max_length=60, required=False)
    planned_on = forms.DateField(label=_("Planned on"), widget=DATE)
    scenario = forms.CharField(
        label=_("Scenario"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000
    )


class RecordForm(forms.Form):
    started_at = forms.DateTimeField(label=_("Started at"), widget=DT)
    ended_at = forms.DateTimeField(label=_("Ended at"), widget=DT)
    steps = forms.CharField(
        label=_("Timeline of the drill"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=4000,
        help_text=_("One step a line: HH:MM[:SS] | alarm / evacuated / other | what happened"),
    )
    participants = forms.ModelMultipleChoiceField(
        label=_("Participants"),
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    others = forms.IntegerField(
        label=_("Other participants (residents, visitors)"), min_value=0, max_value=5000, initial=0
    )

    def __init__(self, *args, institution: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participants"].queryset = institution_people(institution)  # type: ignore[attr-defined]

    def clean(self):
        data = super().clean() or {}
        start = data.get("started_at")
        if start is None:
            return data
        day = timezone.localtime(start).date()
        tz = timezone.get_current_timezone()
        kinds = {"alarm": StepKind.ALARM, "evacuated": StepKind.EVACUATED, "other": StepKind.OTHER}
        steps = []
        for n, line in enumerate((data.get("steps") or "").splitlines(), 1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split("|")]
            try:
                clock = dt.time.fromisoformat(parts[0])
            except ValueError:
                raise ValidationError(
                    _("Timeline line %(n)s: start with the time, e.g. 09:30:15.") % {"n": n}
                ) from None
            at = dt.datetime.combine(day, clock, tzinfo=tz)
            kind = kinds.get(parts[1].lower() if len(parts) > 1 else "other", StepKind.OTHER)
            steps.append(Step(at=at, kind=kind, note=parts[-1] if len(parts) > 2 else ""))
        data["steps"] = steps
        return data


class EvaluateForm(forms.Form):
    evaluation = forms.CharField(
        label=_("Evaluation"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000
    )
    improvements = forms.CharField(
        label=_("Improvements"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=6000,
        help_text=_("One a line; each becomes a hazard to rectify."),
    )


class TemplateForm(forms.Form):
    level = forms.ChoiceField(label=pgettext_lazy("tier", "Level"), choices=LetterLevel.choices)
    title = forms.CharField(label=_("Title"), max_length=120)
    principle = forms.CharField(label=_("Principle"), max_length=200, required=False)
    duties = forms.CharField(
        label=_("Duties (one a line)"), widget=forms.Textarea(attrs={"rows": 6}), max_length=6000
    )


class GenerateForm(forms.Form):
    template = forms.ModelChoiceField(label=_("Template"), queryset=LetterTemplate.objects.none())
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)

    def __init__(self, *args, templates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = templates  # type: ignore[attr-defined]


class PlanForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of plan"), choices=PlanKind.choices)
    topic = forms.ChoiceField(label=_("Topic"), choices=DrillKind.choices)
    title = forms.CharField(label=_("Title"), max_length=120)
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=User.objects.none())
    review_on = forms.DateField(label=_("Next review on"), widget=DATE)
    content = forms.CharField(label=_("Content"), widget=forms.Textarea(attrs={"rows": 8}), max_length=20000)
    phone_tree = forms.CharField(
        label=_("Roles and phone tree"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=4000,
        help_text=_("One role a line: role | person | phone"),
    )
    risk_points = forms.ModelMultipleChoiceField(
        label=_("Linked risk points"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, institution: Organization, **kwargs):
        from shuangfang.risks.models import RiskPoint

        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = institution_people(institution)  # type: ignore[attr-defined]
        self.fields["risk_points"].queryset = RiskPoint.objects.filter(  # type: ignore[attr-defined]
            organization=institution, is_active=True
        )


class SupplyForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=SupplyKind.choices)
    name = forms.CharField(label=pgettext_lazy("supplies", "Item"), max_length=80)
    place = forms.CharField(label=_("Place"), max_length=80)
    unit = forms.CharField(label=_("Unit"), max_length=10, initial="件")
    quantity = forms.IntegerField(label=_("In stock"), min_value=0, max_value=1_000_000, initial=0)
    minimum = forms.IntegerField(label=_("Minimum level"), min_value=0, max_value=1_000_000, initial=0)
    expires_on = forms.DateField(label=_("Expires on"), widget=DATE, required=False)
