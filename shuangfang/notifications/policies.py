"""Escalation policies: choosing the institution's policy for an incident (or the built-in one),
the copy an incident keeps, and creating or changing a policy with its steps."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shuangfang.core import audit
from shuangfang.core.tenancy import require
from shuangfang.core.vocabulary import SEVERITY_RANK, Severity
from shuangfang.orgs.models import Membership, Organization, Post, User

from .choices import StepTarget
from .models import (
    EscalationPolicy,
    EscalationStep,
)
from .planning import institution_of

audit.register_actions({"notifications.policy_save": gettext_lazy("Escalation policy saved")})

# Used when an institution has no policy for an incident: on duty → safety officer → head.
BUILTIN_POLICY: dict[str, Any] = {
    "name": "内置：当班人 → 安全管理员 → 机构负责人",
    "repeat": 2,
    "steps": [
        {"target": "on_duty", "channels": ["inbox", "sms", "voice"], "wait_minutes": 5},
        {
            "target": "role",
            "role": "safety_officer",
            "channels": ["inbox", "sms", "voice"],
            "wait_minutes": 10,
        },
        {
            "target": "role",
            "role": "institution_head",
            "channels": ["inbox", "sms", "voice"],
            "wait_minutes": 10,
        },
    ],
}


# Used for the chased facts of the closed loop (an overdue hazard, a passed supervision deadline) when
# an institution has no policy of its own for them: the person responsible (added in front by the
# incident), then up the chain to the bureau. These are defaults of this software, not values of a
# standard: an institution sets its own with a policy for ``hazard.*``. The facts are found by an
# hourly sweep and stay true for days, so the tiers are hours apart, not minutes, and no voice call.
BUILTIN_CHASE_POLICY: dict[str, Any] = {
    "name": "内置：责任人 → 安全管理员 → 机构负责人 → 主管部门",
    "repeat": 0,
    "steps": [
        {"target": "role", "role": "safety_officer", "channels": ["inbox", "sms"], "wait_minutes": 240},
        {"target": "role", "role": "institution_head", "channels": ["inbox", "sms"], "wait_minutes": 240},
        {"target": "role", "role": "bureau_supervisor", "channels": ["inbox", "sms"], "wait_minutes": 240},
    ],
}
CHASED_KINDS = ("hazard.overdue", "hazard.supervision_overdue")


def builtin_policy(kind: str) -> dict:
    policy: dict[str, Any] = BUILTIN_CHASE_POLICY if kind in CHASED_KINDS else BUILTIN_POLICY
    return {**policy, "steps": [dict(s) for s in policy["steps"]]}


def choose_policy(organization: Organization, kind: str, severity: str) -> dict:
    inst = institution_of(organization)
    for policy in EscalationPolicy.objects.filter(organization=inst, is_active=True).prefetch_related(
        "steps"
    ):
        if (
            fnmatch.fnmatchcase(kind, policy.event_kind)
            and SEVERITY_RANK[Severity(severity)] >= SEVERITY_RANK[Severity(policy.min_severity)]
        ):
            return snapshot_policy(policy)
    return builtin_policy(kind)


def snapshot_policy(policy: EscalationPolicy) -> dict:
    return {
        "name": policy.name,
        "repeat": policy.repeat,
        "steps": [
            {
                "target": s.target,
                "user_id": s.user_id,
                "role": s.role,
                "post_id": s.post_id,
                "channels": list(s.channels),
                "wait_minutes": s.wait_minutes,
            }
            for s in policy.steps.all()
        ],
    }


@dataclass
class StepSpec:
    target: str
    channels: list[str]
    wait_minutes: int
    role: str = ""
    user: User | None = None
    post: Post | None = None


POLICY_FIELDS = ["name", "event_kind", "min_severity", "repeat", "priority", "is_active"]


@transaction.atomic
def save_policy(
    *,
    actor: User,
    organization: Organization,
    steps: list[StepSpec],
    policy: EscalationPolicy | None = None,
    name: str,
    event_kind: str = "*",
    min_severity: str = Severity.INFO,
    repeat: int = 0,
    priority: int = 100,
    is_active: bool = True,
) -> EscalationPolicy:
    """Create or change a policy. Running incidents keep the copy they took when they opened."""
    inst = institution_of(organization)
    require(actor, "notifications.configure", inst)
    if not steps:
        raise ValidationError(_("A policy needs at least one step."))
    if repeat > 5:
        raise ValidationError(_("Repeat the chain at most 5 times."))
    for i, step in enumerate(steps, start=1):
        StepTarget(step.target)
        if step.target == StepTarget.USER and step.user is None:
            raise ValidationError(_("Step %(n)s: choose the person.") % {"n": i})
        if step.target == StepTarget.ROLE and not step.role:
            raise ValidationError(_("Step %(n)s: choose the role.") % {"n": i})
        if not step.channels:
            raise ValidationError(_("Step %(n)s: choose at least one channel.") % {"n": i})
        if step.post is not None and step.post.organization_id != inst.pk:
            raise ValidationError(_("Step %(n)s: the post belongs to another institution.") % {"n": i})
        if (
            step.user is not None
            and not Membership.objects.active()
            .filter(user=step.user, organization__path__startswith=inst.path)
            .exists()
        ):
            raise ValidationError(
                _("Step %(n)s: %(name)s is not a member of this institution.") % {"n": i, "name": step.user}
            )
    before = audit.snapshot(policy, POLICY_FIELDS) if policy else None
    policy = policy or EscalationPolicy(organization=inst)
    policy.name, policy.event_kind, policy.min_severity = (
        name.strip(),
        event_kind.strip() or "*",
        min_severity,
    )
    policy.repeat, policy.priority, policy.is_active = repeat, priority, is_active
    policy.save()
    policy.steps.all().delete()
    EscalationStep.objects.bulk_create(
        [
            EscalationStep(
                policy=policy,
                position=i,
                target=st.target,
                role=st.role if st.target == StepTarget.ROLE else "",
                user=st.user if st.target == StepTarget.USER else None,
                post=st.post if st.target == StepTarget.ON_DUTY else None,
                channels=list(st.channels),
                wait_minutes=st.wait_minutes,
            )
            for i, st in enumerate(steps)
        ]
    )
    after = audit.snapshot(policy, POLICY_FIELDS)
    after["steps"] = snapshot_policy(policy)["steps"]
    audit.record(
        actor=actor,
        action="notifications.policy_save",
        obj=policy,
        organization=inst,
        before=before,
        after=after,
    )
    return policy
