"""One institution's duty desk for the delivery benches (``bench_notifications``, ``bench_outbox``):
a person on duty around the clock with a verified phone, a policy whose first step is inbox + SMS to
whoever is on duty, and an Aliyun SMS provider pointed at the bench's local receiver. Import after
``_setup.setup()``."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from shuangfang.duty import services as duty
from shuangfang.notifications.models import Contact, EscalationPolicy, EscalationStep
from shuangfang.notifications.providers import save_provider
from shuangfang.orgs import services as orgs
from shuangfang.orgs.roles import Role


def duty_desk(root, inst, *, url: str, username: str, phone: str, template_params: list[str]) -> None:
    person, _pw = orgs.create_person(
        actor=root,
        username=username,
        name="值班员",
        password="Bench-pass-2026",
        membership=orgs.NewMembership(organization=inst, role=Role.STAFF),
    )
    Contact.objects.create(user=person, kind="phone", address=phone, verified_at=timezone.now())
    duty.save_shift(
        actor=root,
        organization=inst,
        members=[person],
        name="24 小时班",
        start_time=dt.time(0, 0),
        duration_minutes=24 * 60,
        rotation_start=dt.date(2026, 1, 1),
    )
    policy = EscalationPolicy.objects.create(organization=inst, name="bench", event_kind="*", repeat=0)
    EscalationStep.objects.create(
        policy=policy, position=0, target="on_duty", channels=["inbox", "sms"], wait_minutes=5
    )
    save_provider(
        actor=root,
        organization=inst,
        kind="aliyun_sms",
        name="sms",
        endpoint=url,
        access_key="LTAIbench",
        secret="bench-secret",
        params={"sign_name": "双防", "template_code": "SMS_1", "template_params": template_params},
    )
