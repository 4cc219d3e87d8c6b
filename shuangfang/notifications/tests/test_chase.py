"""The loop chases (issue 14): an overdue hazard and a passed supervision deadline escalate through
the incident engine, up the chain, until someone acknowledges or acts on the hazard; once per fact.
A controlled clock throughout."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine

from shuangfang.core.outbox import drain
from shuangfang.core.vocabulary import CheckCategory, HazardGrade
from shuangfang.hazards import services as hazards
from shuangfang.hazards.models import Hazard
from shuangfang.notifications import engine
from shuangfang.notifications.choices import IncidentStatus
from shuangfang.notifications.incidents import acknowledge_incident
from shuangfang.notifications.models import Incident, Notification
from shuangfang.notifications.policies import BUILTIN_CHASE_POLICY

pytestmark = pytest.mark.django_db

SH = zoneinfo.ZoneInfo("Asia/Shanghai")
MONDAY = dt.datetime(2026, 3, 2, 9, 0, tzinfo=SH)
# The deadline was Thursday 2026-03-05; the hourly sweep on Friday morning finds it overdue.
FRIDAY = dt.datetime(2026, 3, 6, 9, 5, tzinfo=SH)
WAIT = dt.timedelta(minutes=BUILTIN_CHASE_POLICY["steps"][0]["wait_minutes"])


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _told(incident) -> list[str]:
    return [
        n.recipient.username
        for n in Notification.objects.filter(incident=incident, recipient__isnull=False)
        .order_by("id")
        .select_related("recipient")
    ]


def _late_hazard(world) -> Hazard:
    with time_machine.travel(MONDAY, tick=False):
        h = hazards.report_hazard(
            actor=world.users["staff"],
            organization=world.inst_a,
            description="厨房灭火器过期",
            location="厨房",
            source="snap",
        )
        return hazards.assign(
            actor=world.users["safety_officer"],
            hazard=h,
            grade=HazardGrade.GENERAL,
            category=CheckCategory.FIRE,
            responsible=world.users["staff"],
            measures="更换灭火器",
            deadline=dt.date(2026, 3, 5),
        )


def _sweep() -> None:
    hazards.send_reminders()
    drain()
    engine.process_due()


def test_an_overdue_hazard_climbs_the_chain_until_someone_acknowledges(world):
    h = _late_hazard(world)
    with time_machine.travel(FRIDAY, tick=False) as clock:
        _sweep()
        incident = Incident.objects.get(source_kind="hazard_overdue", source_uuid=str(h.uuid))
        assert incident.kind == "hazard.overdue"
        assert _told(incident) == ["cook_a"]  # the person responsible first
        clock.shift(WAIT - dt.timedelta(minutes=1))
        _sweep()
        assert _told(incident) == ["cook_a"]  # nobody acted, but the wait is not over
        clock.shift(dt.timedelta(minutes=1))
        _sweep()
        assert _told(incident) == ["cook_a", "officer_a"]
        clock.shift(WAIT)
        _sweep()
        assert _told(incident) == ["cook_a", "officer_a", "head_a"]
        acknowledge_incident(incident=incident, actor=world.users["institution_head"], via="inbox")
        drain()
        clock.shift(WAIT * 5)
        _sweep()
        assert _told(incident) == ["cook_a", "officer_a", "head_a"]  # acknowledged: the bureau is spared
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.ACKNOWLEDGED and incident.next_escalation_at is None
    # The old single inbox message is gone: the only hazard.overdue messages are the chase's.
    assert not Notification.objects.filter(kind="hazard.overdue", incident__isnull=True).exists()


def test_nobody_acts_and_it_reaches_the_bureau(world):
    h = _late_hazard(world)
    with time_machine.travel(FRIDAY, tick=False) as clock:
        for _ in range(6):
            _sweep()
            clock.shift(WAIT)
    incident = Incident.objects.get(source_uuid=str(h.uuid))
    assert _told(incident) == ["cook_a", "officer_a", "head_a", "supervisor"]
    assert incident.next_escalation_at is None and incident.status == IncidentStatus.OPEN


def test_the_chase_stops_when_the_fix_is_handed_in(world):
    from shuangfang.hazards.tests.conftest import jpeg

    h = _late_hazard(world)
    with time_machine.travel(FRIDAY, tick=False) as clock:
        _sweep()
        incident = Incident.objects.get(source_uuid=str(h.uuid))
        assert _told(incident) == ["cook_a"]
        hazards.submit_for_acceptance(
            actor=world.users["staff"], hazard=h, fix_note="已更换", photos=[jpeg()]
        )
        drain()
        clock.shift(WAIT * 5)
        _sweep()
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.RESOLVED
    assert _told(incident) == ["cook_a"]


def test_once_per_overdue_fact_however_often_the_sweep_runs(world):
    h = _late_hazard(world)
    with time_machine.travel(FRIDAY, tick=False):
        for _ in range(3):
            _sweep()
    assert Incident.objects.filter(source_uuid=str(h.uuid)).count() == 1
    assert _told(Incident.objects.get(source_uuid=str(h.uuid))) == ["cook_a"]
    # A later deadline approved, then passed again: a new fact, a new chase.
    with time_machine.travel(FRIDAY, tick=False):
        hazards.request_extension(
            actor=world.users["staff"], hazard=h, until=dt.date(2026, 3, 9), reason="等货"
        )
        hazards.decide_extension(actor=world.users["safety_officer"], hazard=h, approve=True)
        drain()
    assert Incident.objects.get(source_uuid=str(h.uuid)).status == IncidentStatus.RESOLVED
    with time_machine.travel(FRIDAY + dt.timedelta(days=4), tick=False):
        _sweep()
        _sweep()
    assert Incident.objects.filter(source_uuid=str(h.uuid)).count() == 2


def test_a_passed_supervision_deadline_escalates_too(world):
    h = _late_hazard(world)
    with time_machine.travel(MONDAY, tick=False):
        hazards.supervise(
            actor=world.users["bureau_supervisor"],
            hazard=h,
            deadline=dt.date(2026, 3, 4),
            requirements="限期",
        )
    with time_machine.travel(dt.datetime(2026, 3, 5, 9, 5, tzinfo=SH), tick=False):
        _sweep()
        _sweep()
    incident = Incident.objects.get(source_kind="hazard_supervision")
    assert incident.kind == "hazard.supervision_overdue" and incident.severity == "critical"
    assert _told(incident) == ["cook_a"]
    assert not Incident.objects.filter(source_kind="hazard_overdue").exists()  # deadline not passed yet
    h.refresh_from_db()
    assert list(h.events.filter(action="supervision_overdue").values_list("action", flat=True)) == [
        "supervision_overdue"
    ]
