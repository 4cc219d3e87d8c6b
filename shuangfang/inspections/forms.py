from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from shuangfang.core import seedtext
from shuangfang.core.vocabulary import SIX_CHECK_CHOICES, HazardGrade
from shuangfang.orgs.models import Organization, OrgKind, Post, User
from shuangfang.orgs.roles import Role
from shuangfang.risks.models import RiskPoint

from .choices import AssigneeKind, ChecklistKind, DayRule, Frequency
from .models import Checklist, Checkpoint, LibraryItem, PlanTemplate

WEEKDAYS = [
    ("0", _("Mon")),
    ("1", _("Tue")),
    ("2", _("Wed")),
    ("3", _("Thu")),
    ("4", _("Fri")),
    ("5", _("Sat")),
    ("6", _("Sun")),
]
HOLIDAYS = [(n, n) for n in ["元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节"]]


def _institutions(user, perm: str):
    return Organization.objects.for_user(user, perm).filter(kind=OrgKind.INSTITUTION)


class InstitutionField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class ChecklistForm(forms.Form):
    organization = InstitutionField(label=_("Institution"), queryset=Organization.objects.none())
    name = forms.CharField(label=_("Name"), max_length=80)
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[c for c in ChecklistKind.choices if c[0] != ChecklistKind.BUREAU]
    )
    category = forms.ChoiceField(label=_("Category"), choices=SIX_CHECK_CHOICES)
    library_codes = forms.MultipleChoiceField(
        label=_("Items from the library"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, actor, bureau: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if bureau:
            self.fields["organization"].queryset = Organization.objects.for_user(  # type: ignore[attr-defined]
                actor, "inspection.bureau"
            ).filter(kind__in=[OrgKind.BUREAU, OrgKind.DISTRICT_BUREAU])
            self.fields["organization"].label = _("Bureau")
            del self.fields["kind"]
        else:
            self.fields["organization"].queryset = _institutions(actor, "inspection.manage")  # type: ignore[attr-defined]
        orgs = self.fields["organization"].queryset  # type: ignore[attr-defined]
        if orgs.count() == 1:
            self.fields["organization"].initial = orgs.first()
        self.fields["library_codes"].choices = [  # type: ignore[attr-defined]
            (li.code, f"{li} ({li.basis})" if seedtext.english() else f"{li}（{li.basis}）")
            for li in LibraryItem.objects.all()
        ]


class ItemForm(forms.Form):
    text = forms.CharField(label=_("What to check"), max_length=300)
    category = forms.ChoiceField(label=_("Category"), choices=SIX_CHECK_CHOICES)
    basis = forms.CharField(label=_("Basis"), max_length=200, required=False)
    requires_photo = forms.BooleanField(label=_("Photo required"), required=False)
    default_grade = forms.ChoiceField(label=_("Grade if it fails"), choices=HazardGrade.choices)
    major_criterion = forms.CharField(label=_("Major-hazard criterion"), max_length=200, required=False)
    criterion_code = forms.CharField(
        label=_("Major-hazard criterion code"),
        max_length=60,
        required=False,
        help_text=_("A code of the major-hazard criteria library: a problem here is then a major hazard."),
    )


class LibraryForm(forms.Form):
    codes = forms.MultipleChoiceField(label=_("Items from the library"), widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["codes"].choices = [(li.code, str(li)) for li in LibraryItem.objects.all()]  # type: ignore[attr-defined]


class MeasuresForm(forms.Form):
    risk_point = forms.ModelChoiceField(label=_("Risk point"), queryset=RiskPoint.objects.none())
    category = forms.ChoiceField(label=_("Category"), choices=SIX_CHECK_CHOICES)

    def __init__(self, *args, checklist, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["risk_point"].queryset = RiskPoint.objects.filter(  # type: ignore[attr-defined]
            organization=checklist.organization
        ).order_by("number")
        self.fields["risk_point"].label_from_instance = lambda p: f"{p.code} {p.name}"  # type: ignore[attr-defined]
        self.fields["category"].initial = checklist.category


class CheckpointForm(forms.Form):
    organization = InstitutionField(label=_("Institution"), queryset=Organization.objects.none())
    name = forms.CharField(label=_("Name"), max_length=80)
    building = forms.CharField(label=_("Building"), max_length=60, required=False)
    floor = forms.CharField(label=_("Floor"), max_length=20, required=False)
    place_code = forms.CharField(label=_("Place code"), max_length=20, required=False)
    risk_point = forms.ModelChoiceField(
        label=_("Risk point"),
        queryset=RiskPoint.objects.none(),
        required=False,
        help_text=_("Scanning the risk point's QR code then shows the tasks due here."),
    )

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["risk_point"].queryset = RiskPoint.objects.for_user(actor, "inspection.manage").order_by(  # type: ignore[attr-defined]
            "organization", "number"
        )
        self.fields["risk_point"].label_from_instance = lambda p: f"{p.code} {p.name}"  # type: ignore[attr-defined]
        qs = _institutions(actor, "inspection.manage")
        self.fields["organization"].queryset = qs  # type: ignore[attr-defined]
        if qs.count() == 1:
            self.fields["organization"].initial = qs.first()


class PlanForm(forms.Form):
    template = forms.ModelChoiceField(
        label=_("Start from a template"),
        queryset=PlanTemplate.objects.all(),
        required=False,
        to_field_name="code",
    )
    name = forms.CharField(label=_("Name"), max_length=80)
    checklist = forms.ModelChoiceField(label=_("Checklist"), queryset=Checklist.objects.none())
    checkpoints = forms.ModelMultipleChoiceField(
        label=_("Checkpoints"),
        queryset=Checkpoint.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    location = forms.CharField(label=_("Or a place (without checkpoints)"), max_length=120, required=False)
    assignee_kind = forms.ChoiceField(label=_("Done by"), choices=AssigneeKind.choices)
    assignee_user = forms.ModelChoiceField(label=_("Person"), queryset=User.objects.none(), required=False)
    assignee_post = forms.ModelChoiceField(label=_("Post"), queryset=Post.objects.none(), required=False)
    assignee_role = forms.ChoiceField(label=_("Role"), choices=[("", "—"), *Role.choices], required=False)
    frequency = forms.ChoiceField(label=_("How often"), choices=Frequency.choices)
    time = forms.CharField(label=_("Start time (HH:MM)"), required=False, initial="08:00")
    window_minutes = forms.IntegerField(label=_("Time window (minutes)"), required=False, min_value=1)
    interval_hours = forms.IntegerField(label=_("Every N hours"), required=False, min_value=1, max_value=24)
    start = forms.CharField(label=_("From (HH:MM)"), required=False)
    end = forms.CharField(label=_("Until (HH:MM)"), required=False)
    shifts = forms.CharField(label=_("Shift start times"), required=False, help_text=_("e.g. 08:00, 20:00"))
    weekdays = forms.MultipleChoiceField(
        label=_("Weekdays"), choices=WEEKDAYS, required=False, widget=forms.CheckboxSelectMultiple
    )
    month_day = forms.IntegerField(label=_("Day of the month"), required=False, min_value=1, max_value=31)
    holidays = forms.MultipleChoiceField(
        label=_("Holidays"), choices=HOLIDAYS, required=False, widget=forms.CheckboxSelectMultiple
    )
    days_before = forms.IntegerField(
        label=_("Days before the holiday"), required=False, min_value=1, max_value=30
    )
    day_rule = forms.ChoiceField(label=_("Which days"), choices=DayRule.choices, initial=DayRule.ALL)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["checklist"].queryset = (  # type: ignore[attr-defined]
            Checklist.objects.for_user(actor, "inspection.manage")
            .filter(is_active=True)
            .exclude(kind=ChecklistKind.BUREAU)
        )
        self.fields["checkpoints"].queryset = Checkpoint.objects.for_user(actor, "inspection.manage").filter(  # type: ignore[attr-defined]
            is_active=True
        )
        self.fields["assignee_post"].queryset = Post.objects.for_user(actor, "inspection.manage").filter(  # type: ignore[attr-defined]
            is_active=True
        )
        self.fields["assignee_user"].queryset = User.objects.for_user(actor, "people.view").filter(  # type: ignore[attr-defined]
            is_active=True
        )

    def rule(self) -> dict:
        d = self.cleaned_data
        rule: dict = {}
        for key in ("time", "start", "end"):
            if d.get(key):
                rule[key] = d[key].strip()
        for key in ("window_minutes", "interval_hours", "month_day", "days_before"):
            if d.get(key):
                rule[key] = d[key]
        if d.get("shifts"):
            rule["shifts"] = [s.strip() for s in d["shifts"].replace("，", ",").split(",") if s.strip()]
        if d.get("weekdays"):
            rule["weekdays"] = [int(x) for x in d["weekdays"]]
        if d.get("holidays"):
            rule["holidays"] = list(d["holidays"])
        if d.get("day_rule") and d["day_rule"] != DayRule.ALL:
            rule["day_rule"] = d["day_rule"]
        return rule

    @staticmethod
    def initial_from(template: PlanTemplate) -> dict:
        rule = dict(template.rule)
        initial = {
            "template": template.code,
            "name": seedtext.pick(template, "name"),
            "frequency": rule.pop("frequency"),
        }
        for key, value in rule.items():
            if key == "shifts":
                value = ", ".join(value)
            elif key == "weekdays":
                value = [str(v) for v in value]
            initial[key] = value
        return initial


class BureauStartForm(forms.Form):
    institution = InstitutionField(label=_("Institution"), queryset=Organization.objects.none())
    checklist = forms.ModelChoiceField(label=_("Bureau checklist"), queryset=Checklist.objects.none())

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = _institutions(actor, "inspection.bureau")  # type: ignore[attr-defined]
        self.fields["checklist"].queryset = Checklist.objects.for_user(actor, "inspection.bureau").filter(  # type: ignore[attr-defined]
            kind=ChecklistKind.BUREAU, is_active=True
        )
