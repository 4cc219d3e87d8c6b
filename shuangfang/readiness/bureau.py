"""The bureau's five systems (五项制度) besides training: spot checks planned by rule (定期抽查; the
spot checks themselves are the inspections app's bureau inspections), analysis-and-judgement
meetings with the period's figures (分析研判), responsibility notices sent and acknowledged
(责任告知), supervision-and-accountability records with evidence (督导问责)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shuangfang.core import audit
from shuangfang.core.events import publish
from shuangfang.core.tenancy import can, require
from shuangfang.orgs.models import BUREAU_KINDS, Organization, User, institutions_under
from shuangfang.orgs.roles import Role

from . import indicators
from .choices import AccountabilityKind, Confidence
from .models import Accountability, BureauNotice, FollowUp, Meeting, NoticeReceipt, SpotCheckRule
from .training import check_member

# Product default (no standard gives a bureau's spot-check frequency): the example,
# "every institution at least once a quarter, more often for low scores".
# The most points one reward or penalty carries (the scheme caps the sum; our choice).
MAX_POINTS = Decimal(20)
DEFAULT_RULE = (1, 60, 2, "issue 20: every institution at least once a quarter, more often for low scores")


def _bureau(org: Organization) -> None:
    if org.kind not in BUREAU_KINDS:
        raise ValidationError(_("Only a bureau does this."))


# --- Spot checks --------------------------------------------------------------------------------


def save_spot_rule(
    *,
    actor: User,
    bureau: Organization,
    per_quarter: int,
    low_score_below: int | None,
    low_score_per_quarter: int | None,
    source: str,
    inspector: User | None = None,
) -> SpotCheckRule:
    """The bureau's rule; ``inspector``: who the quarter's spot-check tasks are assigned to (a person
    who inspects institutions for this bureau; none: the plan makes no tasks)."""
    require(actor, "readiness.bureau", bureau)
    _bureau(bureau)
    if per_quarter < 1 or (low_score_below is not None and not 0 < low_score_below <= 100):
        raise ValidationError(_("At least one spot check a quarter; a low score is between 1 and 100."))
    if inspector is not None and not (inspector.is_active and can(inspector, "inspection.bureau", bureau)):
        raise ValidationError(
            _("%(person)s does not inspect institutions for %(org)s.")
            % {"person": inspector, "org": bureau.name}
        )
    with transaction.atomic():
        rule, _new = SpotCheckRule.objects.update_or_create(
            organization=bureau,
            defaults={
                "per_quarter": per_quarter,
                "low_score_below": low_score_below,
                "low_score_per_quarter": low_score_per_quarter,
                "source": source.strip(),
                "confidence": Confidence.PRODUCT,
                "inspector": inspector,
            },
        )
        audit.record(actor=actor, action="readiness.spot_rule", obj=rule, organization=bureau)
    return rule


def rule_for(bureau: Organization) -> tuple[int, int | None, int | None, str]:
    rows = {
        r.organization_id: r for r in SpotCheckRule.objects.filter(organization_id__in=bureau.ancestor_ids)
    }
    for org_id in reversed(bureau.ancestor_ids):
        if org_id in rows:
            r = rows[org_id]
            return r.per_quarter, r.low_score_below, r.low_score_per_quarter, r.source
    return DEFAULT_RULE


@dataclass
class SpotRow:
    institution: Organization
    score: float | None
    required: int
    done: int
    open_tasks: int = 0  # spot-check tasks of the quarter still open (planned, not done yet)

    @property
    def behind(self) -> int:
        return max(self.required - self.done, 0)


def quarter_of(day: dt.date) -> tuple[dt.date, dt.date]:
    start = dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    end = dt.date(start.year + (start.month == 10), (start.month + 2) % 12 + 1, 1)
    return start, end


def spot_check_plan(
    bureau: Organization, day: dt.date, scores: dict[int, float | None] | None = None
) -> list[SpotRow]:
    """Each institution under ``bureau``: spot checks required this quarter (by the rule and the
    last quarter's score, from the assessment app unless ``scores`` are given) and done (bureau
    inspections recorded by the inspections app)."""
    from shuangfang.inspections.choices import TaskStatus
    from shuangfang.inspections.models import Record

    per_q, low_below, low_per_q, _source = rule_for(bureau)
    start, end = quarter_of(day)
    insts = institutions_under(bureau)
    if scores is None:
        scores = _last_quarter_scores(insts, start)
    done: dict[int, int] = {}
    for inst_id in Record.objects.filter(
        organization__in=insts,
        by_bureau__isnull=False,
        submitted_at__date__gte=start,
        submitted_at__date__lt=end,
    ).values_list("organization_id", flat=True):
        done[inst_id] = done.get(inst_id, 0) + 1
    open_tasks = dict(
        _spot_tasks(bureau, insts, start, end)
        .filter(status=TaskStatus.OPEN)
        .values("organization_id")
        .annotate(n=Count("pk"))
        .values_list("organization_id", "n")
        .order_by()
    )
    rows = []
    for inst in insts:
        score = scores.get(inst.pk)
        low = low_below is not None and score is not None and score < low_below
        required = (low_per_q or per_q) if low else per_q
        rows.append(SpotRow(inst, score, required, done.get(inst.pk, 0), open_tasks.get(inst.pk, 0)))
    return rows


def _start_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


def _spot_tasks(bureau: Organization, insts, start: dt.date, end: dt.date):
    """The bureau's spot-check tasks of ``insts`` starting in the quarter [start, end)."""
    from shuangfang.inspections.models import Task
    from shuangfang.inspections.taskflow import spot_key

    return Task.objects.filter(
        organization__in=insts,
        plan__isnull=True,
        place_key=spot_key(bureau.pk),
        window_start__gte=_start_of(start),
        window_start__lt=_start_of(end),
    )


def plan_spot_tasks(bureau: Organization, *, actor: User | None = None, now: dt.datetime | None = None):
    """Make this quarter's spot-check tasks: for each institution under ``bureau`` still behind the
    rule (required − done this quarter), that many open inspection tasks assigned to the rule's
    inspector, against the institution, splitting what is left of the quarter into equal windows
    (by whole days; the first from now, the last until the quarter's end). An institution that
    already has spot-check tasks this quarter is left as it is, so running it again (the daily job,
    a second click) makes nothing. ``actor``: a person who asked (checked; None: the daily job).
    Returns the tasks made."""
    from shuangfang.inspections.choices import AssigneeKind
    from shuangfang.inspections.models import Task
    from shuangfang.inspections.taskflow import spot_key

    if actor is not None:
        require(actor, "readiness.bureau", bureau)
    _bureau(bureau)
    now = (now or timezone.now()).replace(second=0, microsecond=0)
    today = timezone.localdate(now)
    start, end = quarter_of(today)
    with transaction.atomic():
        # The rule's row is the lock: two runs at once make the tasks once.
        rule = SpotCheckRule.objects.select_for_update().filter(organization=bureau).first()
        if rule is None or rule.inspector_id is None:
            if actor is not None:
                raise ValidationError(_("Choose the bureau's inspector in the spot-check rule first."))
            return []
        rows = spot_check_plan(bureau, today)
        planned = set(
            _spot_tasks(bureau, [r.institution for r in rows], start, end).values_list(
                "organization_id", flat=True
            )
        )
        days_left = (end - today).days
        made = []
        for row in rows:
            n = min(row.behind, days_left)
            if row.institution.pk in planned or n == 0:
                continue
            bounds = [now] + [_start_of(today + dt.timedelta(days=i * days_left // n)) for i in range(1, n)]
            bounds.append(_start_of(end))
            for a, b in zip(bounds, bounds[1:], strict=False):
                made.append(
                    Task(
                        organization=row.institution,
                        plan=None,
                        place_key=spot_key(bureau.pk),
                        location=row.institution.name[:160],
                        window_start=a,
                        window_end=b,
                        assignee_kind=AssigneeKind.PERSON,
                        assignee_user_id=rule.inspector_id,
                    )
                )
        Task.objects.bulk_create(made)
        if actor is not None or made:
            audit.record(
                actor=actor,
                action="readiness.spot_tasks",
                obj=rule,
                organization=bureau,
                after={"tasks": len(made)},
            )
    return made


@dataclass
class Finding:
    """A problem found in a spot check and the hazard it became (None while the outbox has not
    filed it yet: ``hazards.consumers.hazard_from_inspection``, one hazard per item)."""

    text: str
    note: str
    grade: str
    hazard: Any


@dataclass
class SpotCheck:
    record: Any  # inspections.Record by a bureau
    findings: list[Finding]


def spot_checks(bureau: Organization, start: dt.date, end: dt.date) -> list[SpotCheck]:
    """The spot checks (bureau inspection records) of ``bureau``'s institutions over [start, end),
    newest first, each with its findings and the hazards they became. Three queries whatever the
    number of records."""
    from shuangfang.hazards.models import Hazard
    from shuangfang.inspections.choices import Result
    from shuangfang.inspections.models import Record, RecordItem

    records = list(
        Record.objects.filter(
            organization__in=institutions_under(bureau),
            by_bureau__isnull=False,
            submitted_at__date__gte=start,
            submitted_at__date__lt=end,
        )
        .select_related("organization", "inspector", "checklist")
        .order_by("-submitted_at", "-pk")
    )
    items = list(
        RecordItem.objects.filter(record__in=records, result=Result.PROBLEM).order_by("record_id", "pk")
    )
    hazards = {
        h.origin: h
        for h in Hazard.objects.filter(
            organization__in={r.organization_id for r in records}, origin__in=[i.origin for i in items]
        ).order_by("reported_at")
    }
    by_record: dict[int, list[Finding]] = {}
    for i in items:
        by_record.setdefault(i.record_id, []).append(Finding(i.text, i.note, i.grade, hazards.get(i.origin)))
    return [SpotCheck(r, by_record.get(r.pk, [])) for r in records]


def _last_quarter_scores(insts: list[Organization], this_start: dt.date) -> dict[int, float | None]:
    from shuangfang.assessment.scores import institution_scores

    start, end = quarter_of(this_start - dt.timedelta(days=1))
    return {pk: s.total for pk, s in institution_scores(insts, start, end).items()}


# --- Analysis and judgement ---------------------------------------------------------------------


def period_figures(org: Organization, start: dt.date, end: dt.date) -> dict[str, Any]:
    """The figures a meeting looks at, for ``org``'s institutions over [start, end): hazards
    reported, closed and overdue, inspection tasks missed, and the readiness indicators."""
    from shuangfang.hazards.models import Hazard
    from shuangfang.inspections.models import Task

    insts = institutions_under(org)
    hazards = Hazard.objects.filter(organization__in=insts)
    figures: dict[str, Any] = {
        "institutions": len(insts),
        "hazards_reported": hazards.filter(reported_at__date__gte=start, reported_at__date__lt=end).count(),
        "hazards_closed": hazards.filter(closed_at__date__gte=start, closed_at__date__lt=end).count(),
        "hazards_overdue": hazards.overdue(end - dt.timedelta(days=1)).count(),
        "tasks_missed": Task.objects.filter(
            organization__in=insts, status="missed", window_end__date__gte=start, window_end__date__lt=end
        ).count(),
    }
    parts = {"training": [0, 0], "fire_drills": [0, 0], "letters": [0, 0]}
    for figs in indicators.all_many(list(insts), start, end).values():
        for key, fig in figs.items():
            parts[key][0] += fig.part
            parts[key][1] += fig.whole
    for key, (part, whole) in parts.items():
        figures[key] = {"part": part, "whole": whole, "pct": indicators.Figure(part, whole).pct}
    return figures


def record_meeting(
    *,
    actor: User,
    organization: Organization,
    follow_ups: Sequence[tuple[str, User, dt.date]] = (),
    **fields,
) -> Meeting:
    require(actor, "readiness.bureau", organization)
    if not (fields.get("title") or "").strip() or not (fields.get("decisions") or "").strip():
        raise ValidationError(_("A meeting needs a title and its decisions."))
    if fields["period_end"] <= fields["period_start"]:
        raise ValidationError(_("The period must end after it starts."))
    for _text, owner, _due in follow_ups:
        if not owner.active_memberships().filter(organization__path__startswith=organization.path).exists():
            raise ValidationError(
                _("%(person)s is not in %(org)s.") % {"person": owner, "org": organization.name}
            )
    with transaction.atomic():
        meeting = Meeting.objects.create(
            organization=organization,
            created_by=actor,
            figures=period_figures(organization, fields["period_start"], fields["period_end"]),
            **fields,
        )
        for text, owner, due in follow_ups:
            FollowUp.objects.create(
                organization=organization, meeting=meeting, description=text[:200], owner=owner, due_on=due
            )
        audit.record(actor=actor, action="readiness.meeting", obj=meeting, organization=organization)
    return meeting


def finish_follow_up(*, actor: User, follow_up: FollowUp) -> FollowUp:
    if actor.pk != follow_up.owner_id:
        require(actor, "readiness.bureau", follow_up.organization)
    with transaction.atomic():
        if not FollowUp.objects.filter(pk=follow_up.pk, done_at__isnull=True).update(done_at=timezone.now()):
            raise ValidationError(_("This follow-up task is already done."))
        follow_up.refresh_from_db(fields=["done_at"])
        audit.record(
            actor=actor, action="readiness.follow_up_done", obj=follow_up, organization=follow_up.organization
        )
    return follow_up


# --- Responsibility notices ---------------------------------------------------------------------


def send_notice(*, actor: User, bureau: Organization, title: str, body: str) -> BureauNotice:
    """To every active institution under the bureau; their heads and safety officers are told."""
    require(actor, "readiness.bureau", bureau)
    _bureau(bureau)
    if not title.strip() or not body.strip():
        raise ValidationError(_("A notice needs a title and its text."))
    with transaction.atomic():
        notice = BureauNotice.objects.create(
            organization=bureau, title=title.strip(), body=body.strip(), sent_at=timezone.now(), sent_by=actor
        )
        for inst in institutions_under(bureau):
            receipt = NoticeReceipt.objects.create(organization=inst, notice=notice)
            publish(
                "readiness.notice_sent",
                organization_id=inst.pk,
                object_uuid=str(receipt.uuid),
                title=_("Responsibility notice from %(bureau)s: %(title)s")
                % {"bureau": bureau.name, "title": notice.title},
                url=reverse("readiness:receipt", kwargs={"uuid": receipt.uuid}),
                roles=[Role.INSTITUTION_HEAD, Role.SAFETY_OFFICER],
                key=str(receipt.uuid),
            )
        audit.record(actor=actor, action="readiness.notice_send", obj=notice, organization=bureau)
    return notice


def acknowledge(*, actor: User, receipt: NoticeReceipt) -> NoticeReceipt:
    require(actor, "readiness.acknowledge", receipt.organization)
    with transaction.atomic():
        updated = NoticeReceipt.objects.filter(pk=receipt.pk, acknowledged_at__isnull=True).update(
            acknowledged_at=timezone.now(), acknowledged_by=actor
        )
        if not updated:
            raise ValidationError(_("This notice is already acknowledged."))
        receipt.refresh_from_db(fields=["acknowledged_at", "acknowledged_by"])
        audit.record(
            actor=actor, action="readiness.notice_ack", obj=receipt, organization=receipt.organization
        )
    return receipt


# --- Supervision and accountability -------------------------------------------------------------


def evidence_choices(institution: Organization, on: dt.date) -> list[dict[str, str]]:
    """What can be linked: the institution's overdue hazards and its missed inspection tasks (the
    last 90 days)."""
    from shuangfang.hazards.models import Hazard
    from shuangfang.inspections.models import Task

    out = [
        {"kind": "hazard", "uuid": str(h.uuid), "label": f"{h.number} {h.title}"}
        for h in Hazard.objects.filter(organization=institution).overdue(on).order_by("deadline")[:50]
    ]
    since = on - dt.timedelta(days=90)
    out += [
        {
            "kind": "task",
            "uuid": str(t.uuid),
            "label": f"{timezone.localtime(t.window_start):%Y-%m-%d %H:%M} {t.location}",
        }
        for t in Task.objects.filter(
            organization=institution, status="missed", window_start__date__gte=since
        ).order_by("-window_start")[:50]
    ]
    return out


def record_accountability(
    *,
    actor: User,
    institution: Organization,
    kind: str,
    description: str,
    evidence_uuids: list[str] = (),  # type: ignore[assignment]
    person: User | None = None,
    points: Decimal | None = None,
) -> Accountability:
    """A record against ``institution`` (or one of its people) by the bureau above it, with the
    chosen evidence (only the institution's own overdue hazards and missed tasks can be linked).
    ``points``: for a reward or a penalty, the points it adds or takes in the institution's
    assessment score (within the caps of the bureau's scheme)."""
    require(actor, "readiness.bureau", institution)
    if kind not in AccountabilityKind.values:
        raise ValidationError(_("Choose the kind of record."))
    if points is not None:
        if kind not in (AccountabilityKind.REWARD, AccountabilityKind.PENALTY):
            raise ValidationError(_("Only a reward or a penalty carries points in the score."))
        if points <= 0 or points > MAX_POINTS:
            raise ValidationError(
                _("Points in the score must be more than 0 and at most %(most)s.") % {"most": MAX_POINTS}
            )
    if not description.strip():
        raise ValidationError(_("Say what was found and why."))
    if person is not None:
        check_member(institution, person)
    offered = {e["uuid"]: e for e in evidence_choices(institution, timezone.localdate())}
    unknown = [u for u in evidence_uuids if u not in offered]
    if unknown:
        raise ValidationError(_("Link only overdue hazards and missed tasks of this institution."))
    bureau = next((o for o in reversed(institution.ancestors()) if o.kind in BUREAU_KINDS), None)
    if bureau is None:
        raise ValidationError(_("Only a bureau does this."))
    with transaction.atomic():
        record = Accountability.objects.create(
            organization=institution,
            by_bureau=bureau,
            kind=kind,
            person=person,
            description=description.strip(),
            evidence=[offered[u] for u in evidence_uuids],
            points=points,
            created_by=actor,
            created_at=timezone.now(),
        )
        audit.record(actor=actor, action="readiness.accountability", obj=record, organization=institution)
    return record
