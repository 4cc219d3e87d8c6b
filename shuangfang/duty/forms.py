from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from shuangfang.core.widgets import IsoDateInput, IsoTimeInput
from shuangfang.orgs.models import Membership, Organization, Post, User

from .models import Shift


def institution_people(institution: Organization):
    ids = Membership.objects.staff_of(institution).values("user_id")
    return User.objects.filter(pk__in=ids, is_active=True).order_by("name")


class ShiftForm(forms.Form):
    name = forms.CharField(
        label=_("Shift"), max_length=40, help_text=_("For example: day shift, night shift, 24-hour shift")
    )
    post = forms.ModelChoiceField(label=_("Post"), queryset=Post.objects.none(), required=False)
    start_time = forms.TimeField(label=_("Starts at"), widget=IsoTimeInput())
    duration_hours = forms.DecimalField(
        label=_("Length (hours)"), min_value=0.5, max_value=48, decimal_places=1, initial=12
    )
    rotation_start = forms.DateField(label=_("Rotation starts on"), widget=IsoDateInput())
    days_per_turn = forms.IntegerField(label=_("Days per turn"), min_value=1, max_value=31, initial=1)
    members = forms.CharField(
        label=_("People in rotation order"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One login name per line; the first is on duty on the rotation start date."),
    )

    def __init__(self, *args, institution: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.institution = institution
        self.fields["post"].queryset = Post.objects.filter(organization=institution, is_active=True)  # type: ignore[attr-defined]

    def clean_members(self) -> list[User]:
        names = [n.strip() for n in self.cleaned_data["members"].splitlines() if n.strip()]
        people = {u.username: u for u in institution_people(self.institution).filter(username__in=names)}
        unknown = [n for n in names if n not in people]
        if unknown:
            raise ValidationError(_("Unknown in this institution: %(names)s") % {"names": ", ".join(unknown)})
        return [people[n] for n in names]

    @classmethod
    def initial_for(cls, shift: Shift) -> dict:
        return {
            "name": shift.name,
            "post": shift.post,
            "start_time": shift.start_time,
            "duration_hours": shift.duration_minutes / 60,
            "rotation_start": shift.rotation_start,
            "days_per_turn": shift.days_per_turn,
            "members": "\n".join(m.user.username for m in shift.members.select_related("user")),
        }


class OverrideForm(forms.Form):
    day = forms.DateField(label=_("Date"), widget=IsoDateInput())
    user = forms.ModelChoiceField(label=_("On duty"), queryset=User.objects.none())
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)

    def __init__(self, *args, institution: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = institution_people(institution)  # type: ignore[attr-defined]


class HandoverForm(forms.Form):
    to_user = forms.ModelChoiceField(label=_("Taken over by"), queryset=User.objects.none())
    open_alarms = forms.CharField(
        label=_("Open alarms"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    open_hazards = forms.CharField(
        label=_("Open hazards"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    missed_patrol = forms.CharField(
        label=_("Missed or out-of-order patrol points"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, institution: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_user"].queryset = institution_people(institution)  # type: ignore[attr-defined]
        # The pre-filled lists show whole: as many rows as lines (within reason).
        for name in ("open_alarms", "open_hazards", "missed_patrol"):
            lines = str(self.initial.get(name) or "").count("\n") + 1
            self.fields[name].widget.attrs["rows"] = min(max(2 * lines, 2), 16)  # a line wraps on a phone
