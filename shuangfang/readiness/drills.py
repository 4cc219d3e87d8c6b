"""Drills (演练): planned, executed (times, timeline, participants), evaluated with improvements,
each of which becomes exactly one hazard in the normal loop (``hazards.services.report_hazard``
with the improvement as origin). The status moves only through ``FLOW``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shuangfang.core import audit
from shuangfang.core.tenancy import require
from shuangfang.core.workflow import Transition, Workflow
from shuangfang.orgs.models import Organization, User

from . import defaults
from .choices import DrillKind, DrillStatus, StepKind
from .models import Drill, DrillParticipant, DrillStep, Improvement, Setting
from .training import check_member, institution_of

MAX_STEPS = 40
MAX_IMPROVEMENTS = 20


def setting(org: Organization, key: str) -> tuple[int, str, str, Organization | None]:
    """(value, source, confidence, where it was set) of a setting: the nearest organisation up the
    tree that sets it, else the default of ``defaults.SETTINGS`` (where: None)."""
    rows = {
        s.organization_id: s for s in Setting.objects.filter(key=key, organization_id__in=org.ancestor_ids)
    }
    for org_id in reversed(org.ancestor_ids):
        if org_id in rows:
            s = rows[org_id]
            return s.value, s.source, s.confidence, s.organization
    value, source, confidence = defaults.SETTINGS[key]
    return value, str(source), confidence, None


def setting_values(orgs: list[Organization], key: str) -> dict[int, int]:
    """The value of a setting for each organisation (nearest up the tree, else the default). One
    query."""
    ids = {a for o in orgs for a in o.ancestor_ids}
    rows = {s.organization_id: s.value for s in Setting.objects.filter(key=key, organization_id__in=ids)}
    default = defaults.SETTINGS[key][0]
    return {o.pk: next((rows[a] for a in reversed(o.ancestor_ids) if a in rows), default) for o in orgs}


def save_setting(*, actor: User, organization: Organization, key: str, value: int, source: str) -> Setting:
    require(actor, "readiness.requirements", organization)
    if key not in defaults.SETTINGS:
        raise ValidationError(_("Unknown setting."))
    if not (source or "").strip():
        raise ValidationError(_("Say where the value comes from (a rule, a notice, a decision)."))
    with transaction.atomic():
        row, _new = Setting.objects.update_or_create(
            organization=organization, key=key, defaults={"value": value, "source": source.strip()}
        )
        audit.record(
            actor=actor, action="readiness.setting", obj=row, organization=organization, note=f"{key}={value}"
        )
    return row


def plan_drill(*, actor: User, institution: Organization, title: str, planned_on: dt.date, **fields) -> Drill:
    institution = institution_of(institution)
    require(actor, "readiness.manage", institution)
    if not (title or "").strip():
        raise ValidationError(_("Give the drill a title."))
    if fields.get("kind", DrillKind.FIRE) not in DrillKind.values:
        raise ValidationError(_("Unknown kind of drill."))
    with transaction.atomic():
        drill = Drill.objects.create(
            organization=institution, title=title.strip(), planned_on=planned_on, **fields
        )
        audit.record(actor=actor, action="readiness.drill_plan", obj=drill, organization=institution)
    return drill


@dataclass(frozen=True)
class Step:
    at: dt.datetime
    kind: str
    note: str = ""


def _check_record(drill: Drill, actor: Any, ctx: dict[str, Any]) -> None:
    started, ended = ctx["started_at"], ctx["ended_at"]
    if ended <= started:
        raise ValidationError(_("A drill cannot end before it starts: check the start and end times."))
    steps: list[Step] = ctx.get("steps", [])
    if len(steps) > MAX_STEPS:
        raise ValidationError(_("At most %(n)s steps.") % {"n": MAX_STEPS})
    for step in steps:
        if not started <= step.at <= ended:
            raise ValidationError(
                _("The step at %(time)s is outside the drill's start and end.")
                % {"time": timezone.localtime(step.at).strftime("%H:%M:%S")}
            )
        if step.kind not in StepKind.values:
            raise ValidationError(_("Unknown kind of step."))
    for person in ctx.get("participants", []):
        check_member(drill.organization, person)


def evacuation_seconds(steps: list[Step]) -> int | None:
    """From the first alarm raised to the first evacuation complete after it (None without both)."""
    alarms = sorted(s.at for s in steps if s.kind == StepKind.ALARM)
    if not alarms:
        return None
    done = sorted(s.at for s in steps if s.kind == StepKind.EVACUATED and s.at >= alarms[0])
    return int((done[0] - alarms[0]).total_seconds()) if done else None


def _stamp_record(drill: Drill, actor: Any, ctx: dict[str, Any]) -> None:
    drill.started_at, drill.ended_at = ctx["started_at"], ctx["ended_at"]
    drill.scenario = ctx.get("scenario") or drill.scenario
    drill.evacuation_seconds = evacuation_seconds(ctx.get("steps", []))
    signed = set(DrillParticipant.objects.filter(drill=drill).values_list("person_id", flat=True))
    people = signed | {p.pk for p in ctx.get("participants", [])}
    drill.participant_count = len(people) + ctx.get("others", 0)


def _write_record(drill: Drill, actor: Any, ctx: dict[str, Any]) -> None:
    DrillStep.objects.bulk_create(
        DrillStep(drill=drill, at=s.at, kind=s.kind, note=s.note[:200]) for s in ctx.get("steps", [])
    )
    DrillParticipant.objects.bulk_create(
        (DrillParticipant(drill=drill, person=p) for p in set(ctx.get("participants", []))),
        ignore_conflicts=True,
    )


def sign_in_drill(*, actor: User, drill: Drill, key: str) -> bool:
    """A participant's QR sign-in while the drill is planned (it runs before it is recorded);
    only people of the institution; twice is once. Returns whether it was new."""
    require(actor, "readiness.view", drill.organization)
    if key != drill.sign_in_key:
        raise ValidationError(_("This sign-in code is not valid for the drill; scan the code shown on site."))
    if drill.status != DrillStatus.PLANNED:
        raise ValidationError(_("This drill is already recorded: sign-in is closed."))
    check_member(drill.organization, actor)
    with transaction.atomic():
        _row, new = DrillParticipant.objects.get_or_create(drill=drill, person=actor)
        if new:
            audit.record(
                actor=actor, action="readiness.drill_sign_in", obj=drill, organization=drill.organization
            )
    return new


def _check_evaluation(drill: Drill, actor: Any, ctx: dict[str, Any]) -> None:
    if not (ctx.get("evaluation") or "").strip():
        raise ValidationError(_("Write the evaluation of the drill."))
    items = [i for i in ctx.get("improvements", []) if i.strip()]
    if len(items) > MAX_IMPROVEMENTS:
        raise ValidationError(_("At most %(n)s improvements.") % {"n": MAX_IMPROVEMENTS})
    if any(len(i) > 300 for i in items):
        raise ValidationError(_("An improvement is at most 300 characters; split it."))


def _stamp_evaluation(drill: Drill, actor: Any, ctx: dict[str, Any]) -> None:
    drill.evaluation = ctx["evaluation"].strip()


def _write_improvements(drill: Drill, actor: Any, ctx: dict[str, Any]) -> None:
    for text in ctx.get("improvements", []):
        if text.strip():
            Improvement.objects.create(organization=drill.organization, drill=drill, description=text.strip())
    file_improvement_hazards(drill, actor=actor)


def file_improvement_hazards(drill: Drill, *, actor: User) -> int:
    """Each improvement without its hazard gets one (idempotent: the improvement is the origin, and
    its hazard's id is kept). Returns how many were filed now."""
    from shuangfang.hazards import services as hazards
    from shuangfang.hazards.choices import Source

    filed = 0
    with transaction.atomic():
        for imp in Improvement.objects.select_for_update().filter(drill=drill, hazard_uuid__isnull=True):
            hazard = hazards.report_hazard(
                actor=actor,
                organization=drill.organization,
                description=_("Drill “%(drill)s” (%(day)s): %(text)s")
                % {"drill": drill.title, "day": drill.planned_on.isoformat(), "text": imp.description},
                title=imp.description[:40],
                source=Source.OTHER,
                location=drill.building,
                origin=f"drill-improvement:{imp.uuid}",
            )
            Improvement.objects.filter(pk=imp.pk).update(hazard_uuid=hazard.uuid, hazard_number=hazard.number)
            filed += 1
    return filed


def _stamp_cancel(drill: Drill, actor: Any, ctx: dict[str, Any]) -> None:
    drill.evaluation = (ctx.get("note") or "").strip()[:500]


FLOW: Workflow[Drill] = Workflow(
    Drill,
    [
        Transition(
            DrillStatus.PLANNED,
            "record",
            DrillStatus.EXECUTED,
            who="readiness.manage",
            guard=_check_record,
            effects=[_stamp_record],
            then=[_write_record],
            label=gettext_lazy("Record the drill"),
        ),
        Transition(
            DrillStatus.EXECUTED,
            "evaluate",
            DrillStatus.EVALUATED,
            who="readiness.manage",
            guard=_check_evaluation,
            effects=[_stamp_evaluation],
            then=[_write_improvements],
            label=gettext_lazy("Evaluate"),
        ),
        Transition(
            DrillStatus.PLANNED,
            "cancel",
            DrillStatus.CANCELLED,
            who="readiness.manage",
            effects=[_stamp_cancel],
            label=gettext_lazy("Cancel"),
        ),
    ],
    audit_prefix="readiness.drill_",
    lock=True,
    select_related=("organization",),
)


def record_drill(
    *,
    actor: User,
    drill: Drill,
    started_at: dt.datetime,
    ended_at: dt.datetime,
    steps: list[Step] = (),  # type: ignore[assignment]
    participants: list[User] = (),  # type: ignore[assignment]
    others: int = 0,
    scenario: str = "",
) -> Drill:
    return FLOW.move(
        drill,
        "record",
        actor=actor,
        started_at=started_at,
        ended_at=ended_at,
        steps=list(steps),
        participants=list(participants),
        others=others,
        scenario=scenario,
    )


def evaluate_drill(*, actor: User, drill: Drill, evaluation: str, improvements: list[str] = ()) -> Drill:  # type: ignore[assignment]
    return FLOW.move(drill, "evaluate", actor=actor, evaluation=evaluation, improvements=list(improvements))


def cancel_drill(*, actor: User, drill: Drill, note: str = "") -> Drill:
    return FLOW.move(drill, "cancel", actor=actor, note=note)


def fire_drill_progress(institution: Organization, year: int) -> dict[str, Any]:
    """Fire drills done in ``year`` against the setting (with its source)."""
    value, source, confidence, where = setting(institution, defaults.FIRE_DRILLS_PER_YEAR)
    done = Drill.objects.filter(
        organization=institution,
        kind=DrillKind.FIRE,
        status__in=[DrillStatus.EXECUTED, DrillStatus.EVALUATED],
        planned_on__year=year,
    ).count()
    return {"required": value, "done": done, "source": source, "confidence": confidence, "where": where}


def evacuation_history(institution: Organization) -> dict[str, list[Drill]]:
    """Executed drills with an evacuation time, per building, oldest first (the trend)."""
    out: dict[str, list[Drill]] = {}
    rows = Drill.objects.filter(organization=institution, evacuation_seconds__isnull=False).order_by(
        "started_at"
    )
    for drill in rows:
        out.setdefault(drill.building or "—", []).append(drill)
    return out
