"""Escalation with a controlled clock: on duty → safety officer → head, until acknowledged."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from shuangfang.core import events
from shuangfang.duty.tests.helpers import shift_a
from shuangfang.notifications import engine
from shuangfang.notifications.choices import IncidentStatus, StepTarget
from shuangfang.notifications.contacts import set_quiet_hours
from shuangfang.notifications.incidents import acknowledge_incident, open_incident, resolve_incident
from shuangfang.notifications.models import EscalationPolicy, EscalationStep, Incident, Notification
from shuangfang.notifications.planning import notify

SH = zoneinfo.ZoneInfo("Asia/Shanghai")
# 2026-03-02 03:00 Shanghai: the night. The test shift runs 08:00–20:00, so we add a night shift.
NIGHT = dt.datetime(2026, 3, 2, 3, 0, tzinfo=SH)


def _policy(world, repeat=1):
    policy = EscalationPolicy.objects.create(
        organization=world.inst_a, name="告警", event_kind="alarm.*", repeat=repeat, priority=1
    )
    for i, (target, role, wait) in enumerate(
        [
            (StepTarget.ON_DUTY, "", 5),
            (StepTarget.ROLE, "safety_officer", 10),
            (StepTarget.ROLE, "institution_head", 10),
        ]
    ):
        EscalationStep.objects.create(
            policy=policy, position=i, target=target, role=role, channels=["inbox"], wait_minutes=wait
        )
    return policy


def _night_shift(world):
    from shuangfang.duty import services as duty

    return duty.save_shift(
        actor=world.root,
        organization=world.inst_a,
        members=[world.users["staff"]],
        name="夜班",
        start_time=dt.time(20, 0),
        duration_minutes=12 * 60,
        rotation_start=dt.date(2026, 1, 1),
    )


def _told(incident):
    return [
        n.recipient.username
        for n in Notification.objects.filter(incident=incident).order_by("id").select_related("recipient")
    ]


def _open(world, uuid="alarm-1"):
    return open_incident(
        organization=world.inst_a,
        kind="alarm.opened",
        severity="critical",
        title="厨房燃气浓度超标",
        url="/monitoring/alarms/1/",
        source_kind="alarm",
        source_uuid=uuid,
    )


def test_the_chain_runs_step_by_step_until_acknowledged(world):
    _policy(world)
    _night_shift(world)
    with time_machine.travel(NIGHT, tick=False) as clock:
        incident = _open(world)
        engine.process_due()
        assert _told(incident) == ["cook_a"]  # whoever is on duty at 3 a.m.
        clock.shift(dt.timedelta(minutes=4))
        engine.process_due()
        assert _told(incident) == ["cook_a"]  # still waiting
        clock.shift(dt.timedelta(minutes=1))
        engine.process_due()
        assert _told(incident) == ["cook_a", "officer_a"]
        clock.shift(dt.timedelta(minutes=10))
        engine.process_due()
        assert _told(incident) == ["cook_a", "officer_a", "head_a"]
        acknowledge_incident(incident=incident, actor=world.users["institution_head"], via="inbox")
        clock.shift(dt.timedelta(hours=2))
        engine.process_due()
        assert _told(incident) == ["cook_a", "officer_a", "head_a"]
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.ACKNOWLEDGED
    assert incident.acknowledged_by == world.users["institution_head"]
    assert incident.acknowledged_at == NIGHT + dt.timedelta(minutes=15)
    assert incident.next_escalation_at is None


def test_the_chain_repeats_then_stops(world):
    _policy(world, repeat=1)
    _night_shift(world)
    with time_machine.travel(NIGHT, tick=False) as clock:
        incident = _open(world)
        for _ in range(12):
            engine.process_due()
            clock.shift(dt.timedelta(minutes=10))
    assert _told(incident) == ["cook_a", "officer_a", "head_a"] * 2
    incident.refresh_from_db()
    assert incident.next_escalation_at is None
    assert incident.status == IncidentStatus.OPEN


def test_nobody_on_duty_passes_to_the_next_step_at_once(world):
    _policy(world)
    shift_a(world)  # day shift only: nobody at 3 a.m.
    with time_machine.travel(NIGHT, tick=False):
        incident = _open(world)
        engine.process_due()
    assert _told(incident) == ["officer_a"]


def test_the_policy_is_copied_so_editing_it_cannot_change_a_running_escalation(world):
    policy = _policy(world)
    _night_shift(world)
    with time_machine.travel(NIGHT, tick=False) as clock:
        incident = _open(world)
        engine.process_due()
        policy.steps.filter(position=1).update(role="department_head", wait_minutes=60)
        clock.shift(dt.timedelta(minutes=5))
        engine.process_due()
    assert _told(incident) == ["cook_a", "officer_a"]
    assert incident.policy_snapshot["steps"][1]["role"] == "safety_officer"


def test_open_incident_is_idempotent_per_source_while_open(world):
    first = _open(world)
    assert _open(world) == first
    resolve_incident(incident=first, actor=world.users["safety_officer"])
    second = _open(world)
    assert second != first
    assert Incident.objects.filter(source_uuid="alarm-1").count() == 2


def test_acknowledging_publishes_the_event_once(world, django_capture_on_commit_callbacks):
    seen = events.Published("incident.acknowledged", payloads=True)
    incident = _open(world)
    with django_capture_on_commit_callbacks(execute=True):
        acknowledge_incident(incident=incident, actor=world.users["safety_officer"], via="inbox")
        acknowledge_incident(incident=incident, actor=world.users["institution_head"], via="inbox")
    acks = [p for p in seen if p["source_uuid"] == "alarm-1"]
    assert len(acks) == 1
    assert acks[0]["source_kind"] == "alarm"
    assert acks[0]["acknowledged_by_id"] == world.users["safety_officer"].pk
    incident.refresh_from_db()
    assert incident.acknowledged_by == world.users["safety_officer"]


def test_someone_not_told_and_not_an_officer_cannot_acknowledge(world):
    incident = _open(world)
    with pytest.raises(PermissionDenied):
        acknowledge_incident(incident=incident, actor=world.users["assessor"], via="inbox")
    with pytest.raises(PermissionDenied):
        acknowledge_incident(incident=incident, actor=world.users["outsider"], via="inbox")


def test_a_resolved_incident_cannot_be_acknowledged(world):
    incident = _open(world)
    resolve_incident(incident=incident, actor=world.users["safety_officer"])
    with pytest.raises(ValidationError):
        acknowledge_incident(incident=incident, actor=world.users["safety_officer"], via="inbox")


# --- Events ------------------------------------------------------------------------------------


def test_alarm_events_open_and_stop_an_incident(world, django_capture_on_commit_callbacks):
    _policy(world)
    payload = {
        "organization_id": world.inst_a.pk,
        "object_uuid": "a-77",
        "title": "烟感报警",
        "url": "/m/a-77/",
        "severity": "critical",
        "device_uuid": "d-1",
        "alarm_type": "smoke",
        "open_hazard": False,
        "hazard_description": "",
    }
    with django_capture_on_commit_callbacks(execute=True):
        events.publish("alarm.opened", **payload)
    incident = Incident.objects.get(source_kind="alarm", source_uuid="a-77")
    assert incident.status == IncidentStatus.OPEN
    with django_capture_on_commit_callbacks(execute=True):
        events.publish("alarm.opened", **payload)  # a repeat is the same incident
    assert Incident.objects.filter(source_uuid="a-77").count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        events.publish("alarm.acknowledged", **payload, acknowledged_by_id=world.users["staff"].pk)
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.ACKNOWLEDGED
    assert incident.acknowledged_by == world.users["staff"]
    assert incident.next_escalation_at is None
    with django_capture_on_commit_callbacks(execute=True):
        events.publish("alarm.cleared", **payload)
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.RESOLVED


def test_hazard_events_reach_recipients_and_role_holders(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        events.publish(
            "hazard.assigned",
            organization_id=world.inst_a.pk,
            object_uuid="h-1",
            hazard_id=1,
            number="YH-2026-0042",
            event_id=1,
            title="隐患 YH-2026-0042 已分派给您",
            url="/hazards/h-1/",
            severity="info",
            recipient_ids=[world.users["staff"].pk],
            roles=["safety_officer", "bureau_supervisor"],
        )
    told = set(
        Notification.objects.filter(kind="hazard.assigned").values_list("recipient__username", flat=True)
    )
    assert told == {"cook_a", "officer_a", "supervisor"}
    with django_capture_on_commit_callbacks(execute=True):
        events.publish(
            "inspection.task_missed",
            organization_id=world.inst_a.pk,
            object_uuid="t-1",
            task_uuid="t-1",
            title="巡检任务漏检",
            url="/inspections/t-1/",
            severity="warning",
            roles=["department_head"],
        )
        events.publish(
            "device.offline",
            organization_id=world.inst_a.pk,
            object_uuid="d-1",
            alarm_type="offline",
            title="燃气探测器离线",
            url="/monitoring/d-1/",
            severity="warning",
            recipient_ids=[world.users["staff"].pk],
            device_uuid="d-1",
            open_hazard=False,
            hazard_description="",
        )
    assert Notification.objects.filter(
        kind="inspection.task_missed", recipient=world.users["department_head"]
    ).exists()
    # A device gone offline escalates like an alarm (issue 14), not one message.
    assert Incident.objects.filter(kind="device.offline", source_kind="alarm", source_uuid="d-1").exists()
    assert not Notification.objects.filter(recipient=world.users["outsider"]).exists()


def test_quiet_hours_delay_ordinary_messages_but_never_alarms(world):
    from shuangfang.notifications.choices import ContactKind
    from shuangfang.notifications.models import Contact

    cook = world.users["staff"]
    Contact.objects.create(user=cook, kind=ContactKind.EMAIL, address="cook@example.cn", verified_at=NIGHT)
    set_quiet_hours(actor=cook, quiet_start=dt.time(22, 0), quiet_end=dt.time(7, 0))
    _policy(world)
    _night_shift(world)
    with time_machine.travel(NIGHT, tick=False):
        [note] = notify(
            recipients=[cook],
            kind="hazard.deadline_approaching",
            title="隐患明天到期",
            url="/h/1/",
            severity="warning",
            organization=world.inst_a,
        )
        email = note.deliveries.get(channel="email")
        assert email.next_attempt_at == dt.datetime(2026, 3, 2, 7, 0, tzinfo=SH)
        assert note.deliveries.get(channel="inbox").status == "delivered"  # the inbox is never quiet
        incident = _open(world)
        engine.run_escalations()
    alarm_note = Notification.objects.get(incident=incident, recipient=cook)
    assert alarm_note.deliveries.get(channel="inbox").status == "delivered"


def test_policy_page_saves_ordered_steps(world, login):
    client = login(world.users["safety_officer"])
    data = {
        "name": "夜间告警",
        "event_kind": "alarm.*",
        "min_severity": "warning",
        "repeat": "1",
        "priority": "5",
        "is_active": "on",
        "steps-TOTAL_FORMS": "3",
        "steps-INITIAL_FORMS": "0",
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "8",
        "steps-0-target": "on_duty",
        "steps-0-channels": ["inbox", "sms", "voice"],
        "steps-0-wait_minutes": "5",
        "steps-1-target": "role",
        "steps-1-role": "institution_head",
        "steps-1-channels": ["inbox", "sms"],
        "steps-1-wait_minutes": "10",
        "steps-2-target": "role",
        "steps-2-role": "",
        "steps-2-channels": ["inbox"],
        "steps-2-wait_minutes": "5",
        "steps-2-DELETE": "on",
    }
    response = client.post(f"/notifications/policies/new/{world.inst_a.uuid}/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    policy = EscalationPolicy.objects.get(name="夜间告警")
    assert [(s.target, s.role, s.wait_minutes) for s in policy.steps.all()] == [
        ("on_duty", "", 5),
        ("role", "institution_head", 10),
    ]
    incident = _open(world)
    assert incident.policy_name == "夜间告警"
    # a step without its role is refused with a message, nothing saved
    data["steps-1-role"] = ""
    data["name"] = "坏策略"
    page = client.post(f"/notifications/policies/new/{world.inst_a.uuid}/", data)
    assert page.status_code == 200
    assert not EscalationPolicy.objects.filter(name="坏策略").exists()
