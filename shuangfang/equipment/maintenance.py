"""Maintenance as inspection plans: each kind's checks (``catalogue``) become, per institution, one
checklist and one plan of the inspections engine, and each item one checkpoint of those plans, so a
check not done in its window is a missed inspection task like any other."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from shuangfang.core.vocabulary import SIX_CHECKS, CheckCategory
from shuangfang.inspections import checklists, plans
from shuangfang.inspections.choices import AssigneeKind, ChecklistKind
from shuangfang.orgs.models import Organization, User
from shuangfang.orgs.roles import Role

from .catalogue import KINDS, RECORDER_CHECK, Check
from .models import Equipment, MaintenancePlan, Recorder

# Who does the checks: the safety officer (the fire-safety manager runs the monthly fire inspection,
# GB/T 40248 §7.3; contractor visits are recorded by them too). A plan can be paused and replaced in
# the inspections app.
ASSIGNEE_ROLE = Role.SAFETY_OFFICER


def _plan_for(
    actor: User, org: Organization, kind_code: str, kind_name, category: str, check: Check
) -> MaintenancePlan:
    existing = MaintenancePlan.objects.filter(organization=org, kind=kind_code, check_code=check.code).first()
    if existing is not None:
        return existing
    name = f"{kind_name} · {check.name}"
    checklist = checklists.create_checklist(
        actor=actor,
        organization=org,
        name=name[:80],
        kind=ChecklistKind.SPECIALIST,
        # a check item takes one of the six checks: special equipment is checked as a facility
        category=category if category in SIX_CHECKS else CheckCategory.FACILITIES,
        description=_("Made by the equipment ledger. Interval source: %(source)s") % {"source": check.source},
    )
    for text in check.items:
        checklists.add_item(
            actor=actor,
            checklist=checklist,
            text=str(text),
            category=checklist.category,
            basis=check.source[:200],
        )
    plan = plans.create_plan(
        actor=actor,
        organization=org,
        name=name[:80],
        checklist=checklist,
        frequency=check.frequency,
        rule=dict(check.rule),
        assignee_kind=AssigneeKind.ROLE,
        assignee_role=ASSIGNEE_ROLE,
        location=str(kind_name),
    )
    return MaintenancePlan.objects.create(organization=org, kind=kind_code, check_code=check.code, plan=plan)


@transaction.atomic
def join_plans(*, actor: User, item: Equipment, now: dt.datetime | None = None) -> int:
    """Give ``item`` a checkpoint and add it to its kind's plans (made on first use); the tasks of
    the windows open now are created at once. Returns how many tasks were created."""
    kind = KINDS[item.kind]
    if not kind.checks:
        return 0
    if item.checkpoint_id is None:
        cp = checklists.create_checkpoint(
            actor=actor,
            organization=item.organization,
            name=f"{item.code} {item.name}"[:80],
            place_code=item.code,
            risk_point=item.risk_point,
        )
        item.checkpoint = cp
        item.save(update_fields=["checkpoint"])
    created = 0
    for check in kind.checks:
        mp = _plan_for(actor, item.organization, item.kind, kind.name, kind.category, check)
        created += plans.add_checkpoints(actor=actor, plan=mp.plan, checkpoints=[item.checkpoint], now=now)  # type: ignore[list-item]
    return created


@transaction.atomic
def join_recorder_plan(*, actor: User, recorder: Recorder, now: dt.datetime | None = None) -> int:
    """A recorder checked by a person: a checkpoint and the monthly video retention check."""
    if recorder.checkpoint_id is None:
        cp = checklists.create_checkpoint(
            actor=actor,
            organization=recorder.organization,
            name=f"{_('Video recorder')} {recorder.name}"[:80],
        )
        recorder.checkpoint = cp
        recorder.save(update_fields=["checkpoint"])
    mp = _plan_for(
        actor, recorder.organization, "recorder", _("Video recorder"), CheckCategory.SECURITY, RECORDER_CHECK
    )
    return plans.add_checkpoints(actor=actor, plan=mp.plan, checkpoints=[recorder.checkpoint], now=now)  # type: ignore[list-item]
