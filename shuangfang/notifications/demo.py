"""Demo: a default escalation policy per institution, verified phones for the demo people."""

from __future__ import annotations

from django.utils import timezone

from shuangfang.core.demo import register
from shuangfang.core.vocabulary import Severity
from shuangfang.orgs.roles import Role

from .choices import ContactKind, StepTarget
from .models import Contact, EscalationPolicy, EscalationStep

Step = tuple[str, str, list[str], int]
POLICIES: list[tuple[str, str, str, int, int, list[Step]]] = [
    # name, kinds, min severity, repeat, priority, steps (target, role, channels, wait)
    (
        "告警升级（默认）",
        "alarm.*",
        Severity.INFO,
        2,
        10,
        [
            (StepTarget.ON_DUTY, "", ["inbox", "sms", "voice"], 5),
            (StepTarget.ROLE, Role.SAFETY_OFFICER, ["inbox", "sms", "voice"], 10),
            (StepTarget.ROLE, Role.INSTITUTION_HEAD, ["inbox", "sms", "voice"], 10),
        ],
    ),
    (
        "一般事项",
        "*",
        Severity.INFO,
        0,
        100,
        [(StepTarget.ROLE, Role.SAFETY_OFFICER, ["inbox", "email"], 30)],
    ),
]


@register(30, "escalation policies")
def build(city) -> None:
    for inst in city.institutions.values():
        for name, kinds, severity, repeat, priority, steps in POLICIES:
            policy, created = EscalationPolicy.objects.get_or_create(
                organization=inst,
                name=name,
                defaults={
                    "event_kind": kinds,
                    "min_severity": severity,
                    "repeat": repeat,
                    "priority": priority,
                },
            )
            if created:
                for i, (target, role, channels, wait) in enumerate(steps):
                    EscalationStep.objects.create(
                        policy=policy,
                        position=i,
                        target=target,
                        role=role,
                        channels=channels,
                        wait_minutes=wait,
                    )
    now = timezone.now()
    for person in city.people.values():
        if person.phone and not Contact.objects.filter(user=person, kind=ContactKind.PHONE).exists():
            Contact.objects.create(user=person, kind=ContactKind.PHONE, address=person.phone, verified_at=now)
