"""Duty roster state changes and the one question everyone asks: who is on duty now?"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shuangfang.core import audit
from shuangfang.core.tenancy import can, require
from shuangfang.core.workflow import Transition, Workflow
from shuangfang.orgs.models import Membership, Organization, Post, User

from .models import Handover, HandoverStatus, Override, Shift, ShiftMember

audit.register_actions(
    {
        "duty.shift_save": gettext_lazy("Shift saved"),
        "duty.override": gettext_lazy("Duty changed for one day"),
        "duty.handover_write": gettext_lazy("Handover written"),
        "duty.handover_sign": gettext_lazy("Handover signed"),
    }
)

SHIFT_FIELDS = [
    "name",
    "post",
    "start_time",
    "duration_minutes",
    "rotation_start",
    "days_per_turn",
    "is_active",
]

# What a handover lists as still open comes from other apps, by section: active alarms
# (notifications: the alarms' unresolved incidents), open hazards (hazards) and the patrol points
# missed or walked out of order during the shift (inspections). They register a source at start;
# duty imports none of them. A source takes ``(institution, start, end)`` (the shift's window) and
# returns one line per item.
OpenItemSource = Callable[[Organization, dt.datetime, dt.datetime], list[str]]
SECTIONS = ("alarms", "hazards", "patrol")
_open_item_sources: dict[str, list[OpenItemSource]] = {s: [] for s in SECTIONS}


def register_open_items(source: OpenItemSource, *, section: str = "alarms") -> None:
    """Add a source of open items (one line each) for one section of the shift handover."""
    if source not in _open_item_sources[section]:
        _open_item_sources[section].append(source)


def open_items(
    institution: Organization,
    section: str = "alarms",
    *,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
) -> list[str]:
    """The open items every source of ``section`` lists for ``institution`` during the shift
    ``[start, end)`` (default: the last 24 hours), in registration order."""
    end = end or timezone.now()
    start = start or end - dt.timedelta(hours=24)
    return [line for source in _open_item_sources[section] for line in source(institution, start, end)]


def handover_prefill(institution: Organization, start: dt.datetime, end: dt.datetime) -> dict[str, str]:
    """The handover form's pre-filled sections: one line per open item."""
    fields = {"alarms": "open_alarms", "hazards": "open_hazards", "patrol": "missed_patrol"}
    return {
        fields[section]: "\n".join(open_items(institution, section, start=start, end=end))
        for section in SECTIONS
    }


def _institution(org: Organization) -> Organization:
    if org.institution_id is None or org.institution is None:
        raise ValidationError(_("Duty rosters belong to an institution."))
    return org.institution


def _check_members(institution: Organization, members: list[User]) -> None:
    if not members:
        raise ValidationError(_("A shift needs at least one person in its rotation."))
    ok = set(
        Membership.objects.active()
        .filter(organization__path__startswith=institution.path, user__in=members)
        .values_list("user_id", flat=True)
    )
    strangers = [str(m) for m in members if m.pk not in ok]
    if strangers:
        raise ValidationError(
            _("Not a member of %(inst)s: %(names)s")
            % {"inst": institution.name, "names": "、".join(strangers)}
        )


@transaction.atomic
def save_shift(
    *,
    actor: User,
    organization: Organization,
    members: list[User],
    shift: Shift | None = None,
    name: str,
    start_time: dt.time,
    duration_minutes: int,
    rotation_start: dt.date,
    days_per_turn: int = 1,
    post: Post | None = None,
    is_active: bool = True,
) -> Shift:
    institution = _institution(organization)
    require(actor, "duty.manage", institution)
    _check_members(institution, members)
    if post is not None and post.organization_id != institution.pk:
        raise ValidationError(_("The post belongs to another institution."))
    if not 0 < duration_minutes <= 48 * 60:
        raise ValidationError(_("A shift lasts between 1 minute and 48 hours."))
    if days_per_turn < 1:
        raise ValidationError(_("Days per turn must be at least 1."))
    before = audit.snapshot(shift, SHIFT_FIELDS) if shift else None
    if shift is None:
        if Shift.objects.filter(organization=institution, name=name.strip()).exists():
            raise ValidationError(_("A shift named %(name)s already exists.") % {"name": name})
        shift = Shift(organization=institution)
    shift.name = name.strip()
    shift.post = post
    shift.start_time = start_time
    shift.duration_minutes = duration_minutes
    shift.rotation_start = rotation_start
    shift.days_per_turn = days_per_turn
    shift.is_active = is_active
    shift.save()
    ShiftMember.objects.filter(shift=shift).delete()
    ShiftMember.objects.bulk_create(
        [ShiftMember(shift=shift, user=u, position=i) for i, u in enumerate(members)]
    )
    after = audit.snapshot(shift, SHIFT_FIELDS)
    after["members"] = [str(u) for u in members]
    audit.record(
        actor=actor,
        action="duty.shift_save",
        obj=shift,
        organization=institution,
        before=before,
        after=after,
    )
    return shift


@transaction.atomic
def set_override(*, actor: User, shift: Shift, day: dt.date, user: User, reason: str = "") -> Override:
    """Someone else holds ``shift`` on ``day`` (a swap or a stand-in). Replaces an earlier override."""
    require(actor, "duty.manage", shift.organization)
    _check_members(shift.organization, [user])
    override, _created = Override.objects.update_or_create(
        shift=shift, day=day, defaults={"user": user, "reason": reason, "organization": shift.organization}
    )
    audit.record(
        actor=actor,
        action="duty.override",
        obj=override,
        organization=shift.organization,
        after={"shift": str(shift), "day": day.isoformat(), "user": str(user), "reason": reason},
    )
    return override


# --- Who is on duty ------------------------------------------------------------------------------


@dataclass
class Turn:
    shift: Shift
    day: dt.date
    start: dt.datetime
    end: dt.datetime
    user: User | None
    overridden: bool = False


def _rotation_user(shift: Shift, day: dt.date, members: list[User]) -> User | None:
    if not members:
        return None
    index = ((day - shift.rotation_start).days // shift.days_per_turn) % len(members)
    return members[index]


def _shifts(organization: Organization, post: Post | None):
    institution = organization.institution if organization.institution_id else organization
    qs = Shift.objects.filter(organization=institution, is_active=True).prefetch_related("members__user")
    if post is not None:
        qs = qs.filter(post=post)
    return list(qs)


def turns(
    organization: Organization, start: dt.datetime, end: dt.datetime, post: Post | None = None
) -> list[Turn]:
    """Every shift occurrence overlapping ``[start, end)``, in time order, with who holds it."""
    tz = timezone.get_current_timezone()
    shifts = _shifts(organization, post)
    if not shifts:
        return []
    first = timezone.localtime(start, tz).date() - dt.timedelta(days=2)
    last = timezone.localtime(end, tz).date()
    overrides = {
        (o.shift_id, o.day): o.user
        for o in Override.objects.filter(shift__in=shifts, day__gte=first, day__lte=last).select_related(
            "user"
        )
    }
    out: list[Turn] = []
    for shift in shifts:
        members = [m.user for m in shift.members.all() if m.user.is_active]
        day = first
        while day <= last:
            s, e = shift.window(day, tz)
            if s < end and e > start:
                over = overrides.get((shift.pk, day))
                user = over if over is not None else _rotation_user(shift, day, members)
                out.append(Turn(shift, day, s, e, user, overridden=over is not None))
            day += dt.timedelta(days=1)
    out.sort(key=lambda t: (t.start, t.shift.name))
    return out


def on_duty(
    organization: Organization, at: dt.datetime | None = None, post: Post | None = None
) -> list[User]:
    """The people holding a shift of ``organization``'s institution at ``at`` (default now)."""
    at = at or timezone.now()
    seen: dict[int, User] = {}
    for t in turns(organization, at, at + dt.timedelta(microseconds=1), post):
        if t.user is not None:
            seen.setdefault(t.user.pk, t.user)
    return list(seen.values())


def now_and_next(organization: Organization, at: dt.datetime | None = None) -> tuple[list[Turn], list[Turn]]:
    at = at or timezone.now()
    window = turns(organization, at, at + dt.timedelta(days=2))
    now = [t for t in window if t.start <= at < t.end]
    upcoming: dict[int, Turn] = {}
    for t in window:
        if t.start > at and t.shift.pk not in upcoming:
            upcoming[t.shift.pk] = t
    return now, sorted(upcoming.values(), key=lambda t: t.start)


# --- Handover --------------------------------------------------------------------------------------


@transaction.atomic
def write_handover(
    *,
    actor: User,
    shift: Shift,
    day: dt.date,
    to_user: User,
    open_alarms: str = "",
    open_hazards: str = "",
    missed_patrol: str = "",
    notes: str = "",
) -> Handover:
    """The outgoing person writes and signs the handover (signing is writing it as oneself)."""
    require(actor, "duty.view", shift.organization)
    _check_members(shift.organization, [to_user])
    if to_user.pk == actor.pk:
        raise ValidationError(_("Hand over to the next person, not to yourself."))
    handover = Handover.objects.create(
        organization=shift.organization,
        shift=shift,
        day=day,
        from_user=actor,
        to_user=to_user,
        open_alarms=open_alarms.strip(),
        open_hazards=open_hazards.strip(),
        missed_patrol=missed_patrol.strip(),
        notes=notes.strip(),
        from_signed_at=timezone.now(),
    )
    audit.record(
        actor=actor,
        action="duty.handover_write",
        obj=handover,
        organization=shift.organization,
        after={
            "to": str(to_user),
            "open_alarms": open_alarms,
            "open_hazards": open_hazards,
            "missed_patrol": missed_patrol,
            "notes": notes,
        },
    )
    return handover


# The handover workflow (``core.workflow``): written and signed by the outgoing person (a draft),
# then signed by the incoming person.


def _is_incoming(handover: Handover, actor: User) -> bool:
    return actor.pk == handover.to_user_id and can(actor, "duty.view", handover.organization)


def _stamp_signed(handover: Handover, actor: User, ctx: dict[str, Any]) -> None:
    handover.to_signed_at = timezone.now()


def _handover_refusal(handover: Handover, row: Transition | None, action: str) -> str:
    return _("This handover is already signed.")


HANDOVER_FLOW: Workflow[Handover] = Workflow(
    Handover,
    [
        Transition(
            HandoverStatus.DRAFT,
            "sign",
            HandoverStatus.SIGNED,
            who=_is_incoming,
            effects=[_stamp_signed],
            label=gettext_lazy("Sign and take over"),
        ),
    ],
    audit_prefix="duty.handover_",
    lock=True,
    select_related=("organization",),
    refusal=_handover_refusal,
)


def sign_handover(*, actor: User, handover: Handover) -> Handover:
    """The incoming person signs: the shift is taken over."""
    require(actor, "duty.view", handover.organization)
    if actor.pk != handover.to_user_id:
        raise PermissionDenied("duty.handover_sign")
    return HANDOVER_FLOW.move(handover, "sign", actor=actor)
