"""Two workers sweeping at once never run the same escalation step or delivery twice (PostgreSQL:
SELECT … FOR UPDATE SKIP LOCKED)."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from django.db import connection

from shuangfang.core.tests.concurrency import at_once
from shuangfang.notifications import engine, tasks
from shuangfang.notifications.choices import StepTarget
from shuangfang.notifications.incidents import open_incident
from shuangfang.notifications.models import Delivery, EscalationPolicy, EscalationStep, Notification
from shuangfang.notifications.providers import save_provider

from .receiver import SECRET


@pytest.mark.django_db(transaction=True)
def test_two_workers_never_send_the_same_step_twice(world, receiver, monkeypatch):
    monkeypatch.setattr(tasks, "enqueue_process_due", lambda: None)  # leave all the work to the two workers
    if connection.vendor != "postgresql":
        pytest.skip("SKIP LOCKED claims are exercised on PostgreSQL (SQLite serialises writers)")
    policy = EscalationPolicy.objects.create(organization=world.inst_a, name="p", event_kind="*", repeat=0)
    EscalationStep.objects.create(
        policy=policy,
        position=0,
        target=StepTarget.ROLE,
        role="safety_officer",
        channels=["inbox", "webhook"],
        wait_minutes=5,
    )
    save_provider(
        actor=world.root,
        organization=world.inst_a,
        kind="webhook",
        name="hook",
        endpoint=receiver.url + "/hook",
        secret=SECRET,
    )
    incidents = [
        open_incident(
            organization=world.inst_a,
            kind="alarm.opened",
            severity="critical",
            title=f"告警 {i}",
            url="/m/",
            source_kind="alarm",
            source_uuid=f"two-{i}",
        )
        for i in range(60)
    ]
    at_once(engine.process_due, n=2)
    assert Notification.objects.count() == 120
    per_incident = Counter(
        Notification.objects.filter(incident__in=incidents).values_list("incident_id", flat=True)
    )
    # One message to the safety officer and one to the group webhook per incident, no more.
    assert set(per_incident.values()) == {2} and len(per_incident) == 60
    titles = Counter(json.loads(s.body)["title"] for s in receiver.ok())
    assert len(titles) == 60 and set(titles.values()) == {1}
    assert Delivery.objects.filter(channel="webhook", status="sent", attempts=1).count() == 60
