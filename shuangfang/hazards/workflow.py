"""The hazard workflow: one status field, one table of moves, one :func:`transition`.

Each :class:`Move` names the states it leaves from, the state it reaches (``None``: stays), who may
make it (a permission, and for rectification the hazard's responsible person), which fields must be
filled once it is made, and the ``hazard.*`` event it publishes. :func:`transition` is the only code
that changes ``Hazard.status``; it refuses any move the table does not allow, with a reason, and
changes nothing then. Every move writes a :class:`HazardEvent` row (timeline + outbox) and an audit
row.

    reported ──confirm_fix_now──▶ pending_acceptance ──accept──▶ closed
       │ ├──assign──▶ rectifying ──submit──▶ pending_acceptance ──reject_back──▶ rectifying
       │ └──confirm_major──▶ planning ──approve_plan (five assurances)──▶ rectifying
       ├──reject──▶ rejected
       └──mark_duplicate──▶ duplicate

A hazard that cites a major-hazard criterion (``criterion``, at report, at confirmation or by
``cite_criterion``) is major: it goes through ``confirm_major`` and the five assurances. Grading it
otherwise (``assign``, ``confirm_fix_now``, ``reject``) is refused until the bureau approves a
downgrade: ``request_downgrade`` (the institution, with a reason) → ``approve_downgrade`` /
``refuse_downgrade`` (a bureau supervisor, with a reason), all while it is still "to confirm".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shuangfang.core import audit, events, messages
from shuangfang.core.tenancy import can
from shuangfang.core.vocabulary import HazardGrade, Severity
from shuangfang.core.workflow import Transition, Workflow

from .choices import OPEN_STATUSES, PhotoKind, Status, Treatment
from .counts import HAZARDS
from .guards import BUREAU_MOVES, check_cause, check_criterion, field_label
from .models import Hazard, HazardEvent, HazardPhoto

audit.register_actions(
    {
        "hazard.report": gettext_lazy("Hazard reported"),
        "hazard.confirm_fix_now": gettext_lazy("Confirmed as fixed on the spot"),
        "hazard.assign": gettext_lazy("Confirmed and assigned for rectification"),
        "hazard.confirm_major": gettext_lazy("Confirmed as a major hazard"),
        "hazard.approve_plan": gettext_lazy("Rectification plan approved"),
        "hazard.reject": gettext_lazy("Found not to be a hazard"),
        "hazard.mark_duplicate": gettext_lazy("Marked as a duplicate"),
        "hazard.record_progress": gettext_lazy("Progress recorded"),
        "hazard.submit": gettext_lazy("Submitted for acceptance"),
        "hazard.accept": gettext_lazy("Accepted and closed"),
        "hazard.reject_back": gettext_lazy("Rejected back to rectification"),
        "hazard.request_extension": gettext_lazy("Deadline extension requested"),
        "hazard.approve_extension": gettext_lazy("Deadline extension approved"),
        "hazard.refuse_extension": gettext_lazy("Deadline extension refused"),
        "hazard.supervise": gettext_lazy("Supervision ordered"),
        "hazard.comment": gettext_lazy("Comment added"),
    }
)

S = Status

# The five assurances (五落实) a major hazard needs before rectification starts.
PLAN_FIELDS = ("measures", "responsible", "funds", "deadline", "contingency_plan")

# Who may make a move, besides the permission: the responsible person may rectify their own hazard.
RESPONSIBLE_OR = "responsible_or"


@dataclass(frozen=True)
class Move:
    action: str
    label: Any
    sources: frozenset[str]
    target: str | None  # None: the status stays
    perm: str
    who: Any  # who may make it, in words (for pages and docs)
    requires: tuple[str, ...] = ()
    event: str | None = None
    responsible_may: bool = False  # the hazard's responsible person may, without ``perm``
    accepts: frozenset[str] = frozenset()  # fields the move may set

    @property
    def fields(self) -> frozenset[str]:
        return self.accepts | {f for f in self.requires if f not in ("note", "after_photo")}


def _m(action, label, sources, target, perm, who, requires=(), event=None, responsible_may=False) -> Move:
    return Move(
        action,
        label,
        frozenset(sources),
        target,
        perm,
        who,
        tuple(requires),
        event,
        responsible_may,
        ACCEPTS.get(action, frozenset()),
    )


_WHERE = {"department", "location", "cause"}
ACCEPTS: dict[str, frozenset[str]] = {
    "cite_criterion": frozenset({"criterion"}),
    "confirm_fix_now": frozenset(_WHERE),
    "assign": frozenset(_WHERE | {"funds"}),
    "confirm_major": frozenset(
        _WHERE | {"measures", "responsible", "funds", "deadline", "contingency_plan", "criterion"}
    ),
    "approve_plan": frozenset({"interim_measures"}),
    "reject_back": frozenset({"deadline"}),
    # 四个不放过: the cause and the measures against it, told by the fixer or the acceptor.
    "submit": frozenset({"cause", "preventive_measures"}),
    "accept": frozenset({"cause", "preventive_measures"}),
}


_OFFICER = gettext_lazy("safety officer, institution head or administrator")
_BUREAU_ONLY = gettext_lazy("bureau supervisor (of a bureau above the institution)")
_FIXER = gettext_lazy("the responsible person, or a safety officer")
_ACCEPTOR = gettext_lazy("an acceptor other than the person who fixed it")
_BUREAU = gettext_lazy("bureau supervisor")
_ANYONE = gettext_lazy("anyone who can see the hazard")

# Citing a major-hazard criterion, and the bureau's approval to grade such a hazard otherwise.
CRITERION_MOVES = [
    _m(
        "cite_criterion",
        gettext_lazy("Cite a major-hazard criterion"),
        [S.REPORTED, S.PLANNING],
        None,
        "hazard.confirm",
        _OFFICER,
        ("criterion",),
        "hazard.criterion_cited",
    ),
    _m(
        "request_downgrade",
        gettext_lazy("Ask the bureau to approve grading it otherwise"),
        [S.REPORTED],
        None,
        "hazard.confirm",
        _OFFICER,
        ("note",),
        "hazard.downgrade_requested",
    ),
    _m(
        "approve_downgrade",
        gettext_lazy("Approve the downgrade"),
        [S.REPORTED],
        None,
        "hazard.supervise",
        _BUREAU_ONLY,
        ("note",),
        "hazard.downgrade_decided",
    ),
    _m(
        "refuse_downgrade",
        gettext_lazy("Refuse the downgrade"),
        [S.REPORTED],
        None,
        "hazard.supervise",
        _BUREAU_ONLY,
        ("note",),
        "hazard.downgrade_decided",
    ),
]

MOVES: dict[str, Move] = {
    m.action: m
    for m in [
        _m(
            "confirm_fix_now",
            gettext_lazy("Confirm: fixed on the spot"),
            [S.REPORTED],
            S.PENDING_ACCEPTANCE,
            "hazard.confirm",
            _OFFICER,
            ("grade", "category", "fix_note", "after_photo"),
            "hazard.acceptance_needed",
        ),
        _m(
            "assign",
            gettext_lazy("Confirm and assign rectification"),
            [S.REPORTED],
            S.RECTIFYING,
            "hazard.confirm",
            _OFFICER,
            ("grade", "category", "responsible", "measures", "deadline"),
            "hazard.assigned",
        ),
        _m(
            "confirm_major",
            gettext_lazy("Confirm as major hazard"),
            [S.REPORTED],
            S.PLANNING,
            "hazard.confirm",
            _OFFICER,
            ("grade", "category", "cause", "interim_measures"),
            "hazard.major_reported",
        ),
        _m(
            "approve_plan",
            gettext_lazy("Approve the rectification plan"),
            [S.PLANNING],
            S.RECTIFYING,
            "hazard.plan",
            _OFFICER,
            PLAN_FIELDS,
            "hazard.assigned",
        ),
        _m(
            "reject",
            gettext_lazy("Not a hazard"),
            [S.REPORTED],
            S.REJECTED,
            "hazard.confirm",
            _OFFICER,
            ("reject_reason",),
        ),
        _m(
            "mark_duplicate",
            gettext_lazy("Duplicate of another hazard"),
            [S.REPORTED],
            S.DUPLICATE,
            "hazard.confirm",
            _OFFICER,
            ("duplicate_of",),
        ),
        _m(
            "record_progress",
            gettext_lazy("Record progress"),
            [S.RECTIFYING],
            None,
            "hazard.confirm",
            _FIXER,
            ("note",),
            responsible_may=True,
        ),
        _m(
            "submit",
            gettext_lazy("Submit for acceptance"),
            [S.RECTIFYING],
            S.PENDING_ACCEPTANCE,
            "hazard.confirm",
            _FIXER,
            ("fix_note", "after_photo"),
            "hazard.acceptance_needed",
            responsible_may=True,
        ),
        _m(
            "accept",
            gettext_lazy("Accept and close"),
            [S.PENDING_ACCEPTANCE],
            S.CLOSED,
            "hazard.accept",
            _ACCEPTOR,
            ("after_photo",),
            "hazard.closed",
        ),
        _m(
            "reject_back",
            gettext_lazy("Reject back to rectification"),
            [S.PENDING_ACCEPTANCE],
            S.RECTIFYING,
            "hazard.accept",
            _ACCEPTOR,
            ("note",),
            "hazard.rejected_back",
        ),
        _m(
            "request_extension",
            gettext_lazy("Request a deadline extension"),
            [S.RECTIFYING],
            None,
            "hazard.confirm",
            _FIXER,
            ("extension_until", "extension_reason"),
            "hazard.extension_requested",
            responsible_may=True,
        ),
        _m(
            "approve_extension",
            gettext_lazy("Approve the extension"),
            [S.RECTIFYING],
            None,
            "hazard.plan",
            _OFFICER,
            ("deadline",),
            "hazard.assigned",
        ),
        _m(
            "refuse_extension",
            gettext_lazy("Refuse the extension"),
            [S.RECTIFYING],
            None,
            "hazard.plan",
            _OFFICER,
            ("note",),
        ),
        _m(
            "supervise",
            gettext_lazy("Order supervision"),
            OPEN_STATUSES,
            None,
            "hazard.supervise",
            _BUREAU,
            ("supervision_deadline", "supervision_note"),
            "hazard.supervision_ordered",
        ),
        _m("comment", gettext_lazy("Comment"), list(S), None, "hazard.view", _ANYONE, ("note",)),
        *CRITERION_MOVES,
    ]
}

# Which people each event is for (docs/events.md: explicit ``recipient_ids`` and/or ``roles``).
EVENT_ROLES: dict[str, list[str]] = {
    "hazard.reported": ["safety_officer"],
    "hazard.acceptance_needed": ["safety_officer", "institution_head"],
    "hazard.major_reported": ["bureau_supervisor", "institution_head", "safety_officer"],
    "hazard.extension_requested": ["safety_officer"],
    "hazard.supervision_ordered": ["institution_head", "safety_officer"],
    "hazard.overdue": ["safety_officer"],
    "hazard.supervision_overdue": ["institution_head", "bureau_supervisor"],
    "hazard.criterion_cited": ["bureau_supervisor", "institution_head", "safety_officer"],
    "hazard.downgrade_requested": ["bureau_supervisor"],
    "hazard.downgrade_decided": ["institution_head", "safety_officer"],
}
EVENT_SEVERITY = {
    "hazard.major_reported": Severity.CRITICAL,
    "hazard.supervision_ordered": Severity.CRITICAL,
    "hazard.overdue": Severity.WARNING,
    "hazard.supervision_overdue": Severity.CRITICAL,
    "hazard.deadline_approaching": Severity.WARNING,
    "hazard.rejected_back": Severity.WARNING,
    "hazard.criterion_cited": Severity.CRITICAL,
    "hazard.downgrade_requested": Severity.WARNING,
}
EVENT_TITLES = {
    "hazard.reported": gettext_lazy("Hazard %(number)s reported: %(title)s"),
    "hazard.assigned": gettext_lazy("Hazard %(number)s is assigned to you, due %(deadline)s"),
    "hazard.acceptance_needed": gettext_lazy("Hazard %(number)s is fixed and awaits acceptance"),
    "hazard.major_reported": gettext_lazy("Major hazard %(number)s at %(org)s: %(title)s"),
    "hazard.extension_requested": gettext_lazy("Extension requested for hazard %(number)s"),
    "hazard.rejected_back": gettext_lazy("Hazard %(number)s was rejected back to rectification"),
    "hazard.supervision_ordered": gettext_lazy("Hazard %(number)s is under bureau supervision"),
    "hazard.closed": gettext_lazy("Hazard %(number)s is closed"),
    "hazard.deadline_approaching": gettext_lazy("Hazard %(number)s is due %(deadline)s"),
    "hazard.overdue": gettext_lazy("Hazard %(number)s is overdue (due %(deadline)s)"),
    "hazard.supervision_overdue": gettext_lazy(
        "Supervised hazard %(number)s is past its supervision deadline %(supervision_deadline)s"
    ),
    "hazard.criterion_cited": gettext_lazy(
        "Hazard %(number)s at %(org)s meets a major-hazard criterion: %(title)s"
    ),
    "hazard.downgrade_requested": gettext_lazy("%(org)s asks to grade hazard %(number)s below major"),
    "hazard.downgrade_decided": gettext_lazy("The bureau decided on grading hazard %(number)s"),
}
messages.register(EVENT_TITLES)


def _who(move: Move) -> Any:
    """The table's ``who``: the permission, or for rectification also the responsible person; for
    the bureau's decisions, the permission held at a bureau above the institution."""
    if move.action in BUREAU_MOVES:
        return partial(_bureau_may, move.perm)
    if not move.responsible_may:
        return move.perm

    def who(hazard: Hazard, actor) -> bool:
        org = hazard.organization
        return can(actor, move.perm, org) or (
            hazard.responsible_id == actor.pk and can(actor, "hazard.view", org)
        )

    return who


def _bureau_may(perm: str, hazard: Hazard, actor) -> bool:
    """``perm`` held through a membership at a bureau above the hazard's institution (not at the
    institution itself: the institution cannot approve its own downgrade)."""
    if getattr(actor, "is_superuser", False):
        return True
    if not can(actor, perm, hazard.organization):
        return False
    path = hazard.organization.path
    return any(
        m.organization.kind in ("bureau", "district_bureau") and path.startswith(m.organization.path)
        for m in actor.active_memberships().select_related("organization")
    )


def may(move: Move, hazard: Hazard, actor) -> bool:
    """Whether ``actor`` may make ``move`` on ``hazard`` (status aside)."""
    return FLOW.may(ROWS[move.action], hazard, actor)


def available(hazard: Hazard, actor) -> list[Move]:
    """The moves ``actor`` may make now (for buttons)."""
    return [
        MOVES[t.action]
        for t in FLOW.actions_for(hazard, actor)
        if makes_sense(MOVES[t.action], hazard, actor)
    ]


def open_to(move: Move, hazard: Hazard, actor) -> bool:
    """Whether ``actor`` may open the move's form (status aside): their right, and what the move's
    guard would refuse anyway (the fixer accepting, an extension decided with none requested), so
    that a form is never offered, nor opened by its URL, only to be refused on submit."""
    return may(move, hazard, actor) and makes_sense(move, hazard, actor)


def makes_sense(move: Move, hazard: Hazard, actor) -> bool:
    if not _criterion_ok(move, hazard):
        return False
    if move.action in ("accept", "reject_back") and hazard.fixed_by_id == getattr(actor, "pk", None):
        return False
    return move.action not in ("approve_extension", "refuse_extension") or bool(hazard.extension_until)


def _criterion_ok(move: Move, hazard: Hazard) -> bool:
    """No button for a move the criterion rules would refuse (the guard still refuses it)."""
    if move.action in ("assign", "confirm_fix_now", "reject"):
        return not hazard.criterion_binds
    if move.action == "request_downgrade":
        return hazard.criterion_binds and not hazard.downgrade_pending
    if move.action in BUREAU_MOVES:
        return hazard.downgrade_pending
    return True


def _today() -> dt.date:
    return timezone.localdate()


def _publish(kind: str, hazard: Hazard, event_id: int, recipients: Sequence[int] = ()) -> None:
    title = messages.title_fields(
        kind,
        number=hazard.number,
        title=messages.nested(hazard.title_msg, hazard.title),
        deadline=hazard.deadline.isoformat() if hazard.deadline else "",
        supervision_deadline=(hazard.supervision_deadline.isoformat() if hazard.supervision_deadline else ""),
        org=hazard.organization.name,
    )
    events.publish(
        kind,
        organization_id=hazard.organization_id,
        object_uuid=str(hazard.uuid),
        hazard_id=hazard.pk,
        number=hazard.number,
        event_id=event_id,
        **title,
        url=hazard.get_absolute_url(),
        severity=EVENT_SEVERITY.get(kind, Severity.INFO),
        recipient_ids=sorted({r for r in recipients if r}),
        roles=EVENT_ROLES.get(kind, []),
    )


def _recipients(kind: str, hazard: Hazard) -> list[int]:
    if kind in ("hazard.assigned", "hazard.rejected_back", "hazard.deadline_approaching", "hazard.overdue"):
        return [hazard.responsible_id] if hazard.responsible_id else []
    if kind == "hazard.closed":
        return [x for x in (hazard.reporter_id, hazard.responsible_id, hazard.fixed_by_id) if x]
    if kind in ("hazard.supervision_ordered", "hazard.supervision_overdue"):
        return [hazard.responsible_id] if hazard.responsible_id else []
    return []


def record_event(
    hazard: Hazard,
    action: str,
    *,
    actor,
    note: str = "",
    from_status: str = "",
    to_status: str = "",
    data: dict | None = None,
    publish: str | None = None,
) -> HazardEvent:
    event = HazardEvent.objects.create(
        hazard=hazard,
        action=action,
        from_status=from_status,
        to_status=to_status,
        actor=actor if getattr(actor, "pk", None) else None,
        note=note,
        data=data or {},
        published=publish or "",
    )
    if publish:
        _publish(publish, hazard, event.pk, _recipients(publish, hazard))
    return event


AUDITED = (
    "status",
    "grade",
    "category",
    "responsible",
    "measures",
    "deadline",
    "funds",
    "contingency_plan",
    "interim_measures",
    "fix_note",
    "accepted_by",
    "supervised",
    "supervision_deadline",
    "duplicate_of",
    "criterion",
    "downgrade_reason",
    "downgrade_approved_by",
)


def _check(move: Move, hazard: Hazard, actor, fields: dict[str, Any], note: str, new_photos: dict) -> None:
    """Guards beyond the table: raise ValidationError with the reason; nothing is saved yet."""
    org = hazard.organization
    today = _today()
    for name in ("deadline", "extension_until", "supervision_deadline"):
        if name in fields and fields[name] is not None and fields[name] < today:
            raise ValidationError(_("The deadline cannot be in the past."))
    if "funds" in fields and fields["funds"] is not None and fields["funds"] < 0:
        raise ValidationError(_("Funds cannot be negative."))
    check_criterion(move.action, hazard, fields)
    if move.action == "assign" and fields.get("grade", hazard.grade) == HazardGrade.MAJOR:
        raise ValidationError(
            _("A major hazard needs a rectification plan with the five assurances; confirm it as major.")
        )
    if move.action == "confirm_fix_now" and fields.get("grade", hazard.grade) == HazardGrade.MAJOR:
        raise ValidationError(_("A major hazard cannot be closed as fixed on the spot."))
    if move.action == "confirm_major" and fields.get("grade", HazardGrade.MAJOR) != HazardGrade.MAJOR:
        raise ValidationError(_("Only a major hazard goes to planning."))
    if move.action == "mark_duplicate":
        original = fields.get("duplicate_of")
        if original is not None and (original.organization_id != org.pk or original.pk == hazard.pk):
            raise ValidationError(_("A duplicate must point to another hazard of the same institution."))
    if move.action == "accept":
        check_cause(hazard, fields)
    if move.action in ("accept", "reject_back") and hazard.fixed_by_id == actor.pk:
        raise ValidationError(_("Someone other than the person who fixed it must accept the fix."))
    if move.action in ("approve_extension", "refuse_extension") and not hazard.extension_until:
        raise ValidationError(_("No extension was requested."))
    until = fields.get("extension_until")
    if move.action == "request_extension" and hazard.deadline and until and until <= hazard.deadline:
        raise ValidationError(_("The new deadline must be later than the current one."))
    responsible = fields.get("responsible")
    if responsible is not None:
        from shuangfang.orgs.models import Membership

        if not Membership.objects.staff_of(org).filter(user=responsible).exists():
            raise ValidationError(_("The responsible person must work at this institution."))
    department = fields.get("department")
    if department is not None and department.institution_id != org.pk:
        raise ValidationError(_("The department must belong to this institution."))


def transition(
    hazard: Hazard,
    action: str,
    *,
    actor,
    note: str = "",
    photos: Sequence = (),
    photo_kind: str = PhotoKind.AFTER,
    **fields: Any,
) -> Hazard:
    """Make ``action`` on ``hazard`` for ``actor``, or refuse with a reason and change nothing.

    The move itself is :data:`FLOW`'s (``core.workflow``): it locks the hazard, refuses a move the
    table does not allow, claims the row, writes the audit row and moves the counts."""
    move = MOVES.get(action)
    if move is None:
        raise ValidationError(_("Unknown action."))
    unknown = set(fields) - move.fields
    if unknown:
        raise ValidationError(_("These fields cannot be set here: %(f)s") % {"f": ", ".join(sorted(unknown))})
    FLOW.move(
        hazard,
        action,
        actor=actor,
        note=(note or "").strip(),
        photos=photos,
        photo_kind=photo_kind,
        fields={k: (v.strip() if isinstance(v, str) else v) for k, v in fields.items()},
    )
    hazard.refresh_from_db()
    return hazard


def _guard(move: Move, hazard: Hazard, actor, ctx: dict[str, Any]) -> None:
    _check(move, hazard, actor, ctx["fields"], ctx["note"], {})


def _fill(move: Move, hazard: Hazard, actor, ctx: dict[str, Any]) -> None:
    """Set the fields passed in, refuse if a required one is still missing, then stamp the move."""
    for name, value in ctx["fields"].items():
        setattr(hazard, name, value)
    photos, note = ctx["photos"], ctx["note"]
    has_after = bool(photos) and ctx["photo_kind"] == PhotoKind.AFTER
    if not has_after and "after_photo" in move.requires:
        has_after = hazard.photos.filter(kind=PhotoKind.AFTER).exists()
    missing = []
    for name in move.requires:
        if name == "note":
            ok = bool(note)
        elif name == "after_photo":
            ok = has_after
        else:
            ok = getattr(hazard, name) not in (None, "")
        if not ok:
            missing.append(field_label(hazard, name))
    if missing:
        sep = "、" if (translation.get_language() or "").startswith("zh") else ", "
        raise ValidationError(_("Missing: %(fields)s.") % {"fields": sep.join(missing)})
    _apply(move, hazard, actor, note)


def _record(move: Move, hazard: Hazard, actor, ctx: dict[str, Any]) -> None:
    """After the claim: the photos, the timeline/outbox row (and its event)."""
    for upload in ctx["photos"]:
        add_photo(hazard, upload, kind=ctx["photo_kind"], actor=actor)
    record_event(
        hazard,
        move.action,
        actor=actor,
        note=ctx["note"],
        from_status=ctx["from_status"],
        to_status=hazard.status,
        data={k: audit._plain(v) for k, v in ctx["fields"].items()},
        publish=move.event,
    )


def _refusal(hazard: Hazard, row: Transition | None, action: str) -> str:
    return _("This hazard is “%(status)s”; “%(action)s” is not possible now.") % {
        "status": hazard.get_status_display(),
        "action": MOVES[action].label,
    }


def _apply(move: Move, h: Hazard, actor, note: str) -> None:
    """What each move stamps on the hazard besides the fields passed in."""
    now = timezone.now()
    a = move.action
    if a in ("confirm_fix_now", "assign", "confirm_major", "reject", "mark_duplicate"):
        h.confirmed_by, h.confirmed_at = actor, now
    if a == "confirm_fix_now":
        h.treatment = Treatment.ON_SPOT
        h.fixed_by, h.fixed_at = actor, now
    elif a == "assign":
        h.treatment = Treatment.DEADLINE
    elif a == "confirm_major":
        h.grade = HazardGrade.MAJOR
        h.treatment = Treatment.DEADLINE
        h.reported_to_bureau_at = now
    elif a == "reject":
        h.reject_reason = h.reject_reason or note
    elif a == "submit":
        h.fixed_by, h.fixed_at = actor, now
    elif a == "accept":
        h.accepted_by, h.accepted_at = actor, now
        h.acceptance_comment = note or h.acceptance_comment
        h.closed_at = now
        h.closed_on_time = h.deadline is None or timezone.localtime(now).date() <= h.deadline
    elif a == "reject_back":
        h.fixed_by, h.fixed_at = None, None
        if h.responsible_id is None and h.confirmed_by_id:
            h.responsible_id = h.confirmed_by_id
    elif a == "request_extension":
        h.extension_by = actor
    elif a == "approve_extension":
        h.deadline = h.extension_until
        h.extension_until, h.extension_reason, h.extension_by = None, "", None
        h.reminded_due_at = h.reminded_overdue_at = None
    elif a == "refuse_extension":
        h.extension_until, h.extension_reason, h.extension_by = None, "", None
    elif a == "supervise":
        h.supervised = True
        h.supervised_by = actor
        h.reminded_supervision_at = None
    elif a == "cite_criterion" or (a == "confirm_major" and h.criterion_id):
        h.grade = HazardGrade.MAJOR
        h.downgrade_reason, h.downgrade_requested_by, h.downgrade_requested_at = "", None, None
        h.downgrade_approved_by, h.downgrade_approved_at = None, None
    elif a == "request_downgrade":
        h.downgrade_reason, h.downgrade_requested_by, h.downgrade_requested_at = note, actor, now
    elif a == "approve_downgrade":
        h.downgrade_approved_by, h.downgrade_approved_at = actor, now
        h.grade = HazardGrade.GENERAL
    elif a == "refuse_downgrade":
        h.downgrade_requested_by, h.downgrade_requested_at = None, None


def add_photo(hazard: Hazard, upload, *, kind: str, actor) -> HazardPhoto:
    from shuangfang.core.photos import save_photo

    stored = save_photo(upload, folder=f"hazards/{hazard.organization_id}")
    return HazardPhoto.objects.create(
        hazard=hazard,
        kind=kind,
        original=stored.original,
        display=stored.display,
        thumb=stored.thumb,
        uploaded_by=actor if getattr(actor, "pk", None) else None,
        taken_at=stored.taken_at,
        latitude=stored.latitude,
        longitude=stored.longitude,
    )


# Timeline labels: every move, plus the rows that are not moves.
ACTION_LABELS: dict[str, Any] = {
    "report": gettext_lazy("Reported"),
    "deadline_approaching": gettext_lazy("Deadline reminder sent"),
    "overdue": gettext_lazy("Overdue reminder sent"),
    "supervision_overdue": gettext_lazy("Supervision deadline passed: escalated"),
    **{m.action: m.label for m in MOVES.values()},
}


# The table, for ``core.workflow``: every move of :data:`MOVES` with who may make it, its guards
# (:func:`_check`), its effects (the fields passed in, then :func:`_apply`) and what it records.
ROWS: dict[str, Transition] = {
    m.action: Transition(
        m.sources,
        m.action,
        m.target,
        who=_who(m),
        guard=partial(_guard, m),
        effects=[partial(_fill, m)],
        then=[partial(_record, m)],
        label=m.label,
    )
    for m in MOVES.values()
}

FLOW: Workflow[Hazard] = Workflow(
    Hazard,
    list(ROWS.values()),
    audit_prefix="hazard.",
    audited=AUDITED,
    # Lock the hazard only: a bare FOR UPDATE would lock its institution row too, and every insert
    # referring to the institution (other reports, audit rows, the counts) would wait.
    lock=True,
    select_related=("organization",),
    counter=HAZARDS,
    refusal=_refusal,
)
