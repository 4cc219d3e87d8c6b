"""Property test of the incident table (``incidents.FLOW``): random people (and the system, when the
source app acknowledges or clears its object) trying random moves on an incident never make a move
outside the table, and every move writes exactly one audit row naming its actor (``None`` for the
system)."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shuangfang.core.tests.workflow_checks import attempt
from shuangfang.notifications import incidents
from shuangfang.notifications.choices import IncidentStatus
from shuangfang.notifications.models import Incident

pytestmark = pytest.mark.django_db

PEOPLE = [
    "admin",
    "bureau_supervisor",
    "institution_head",
    "safety_officer",
    "department_head",
    "staff",
    "assessor",
    "outsider",
    None,  # the system
]
ACTIONS = sorted(incidents.FLOW.rows)


def test_random_incident_moves_by_random_people_stay_in_the_table(world):
    numbers = itertools.count()
    moved: set[str] = set()
    staff = world.users["staff"]

    @settings(
        max_examples=30,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(st.data(), st.integers(min_value=1, max_value=4))
    def walk(data, n):
        incident = incidents.open_incident(
            organization=world.inst_a,
            kind="alarm.opened",
            severity="critical",
            title="烟感报警",
            url="/monitoring/",
            source_kind="alarm",
            source_uuid=f"prop-{next(numbers)}",
        )
        for _ in range(n):
            incident.refresh_from_db()
            if data.draw(st.booleans(), label="possible now"):
                possible = sorted(a for a in ACTIONS if incidents.FLOW.row(incident, a) is not None)
                action = data.draw(st.sampled_from(possible or ACTIONS), label="action")
                if incidents.FLOW.rows[action][0].who is None:
                    who = None  # a system move
                else:
                    who = data.draw(st.sampled_from(["safety_officer", "institution_head"]), label="who")
            else:
                action = data.draw(st.sampled_from(ACTIONS), label="action")
                who = data.draw(st.sampled_from(PEOPLE), label="who")
            actor = world.users[who] if who else None

            def do(incident=incident, action=action, actor=actor):
                if actor is not None and action == "ack":
                    return incidents.acknowledge_incident(incident=incident, actor=actor, via="inbox")
                if actor is not None and action == "resolve":
                    return incidents.resolve_incident(incident=incident, actor=actor)
                if actor is None and action in ("ack_by_source", "resolve_by_source"):
                    return incidents.stop_for_source(
                        "alarm",
                        incident.source_uuid,
                        acknowledged_by_id=staff.pk,
                        resolve=action == "resolve_by_source",
                    )
                return incidents.FLOW.move(incident, action, actor=actor, via="test")

            before = incident.status  # the services move the object in hand
            if attempt(incidents.FLOW, [incident], action, actor, do):
                fresh = Incident.objects.get(pk=incident.pk)
                if fresh.status != before:
                    moved.add(action)
                    assert fresh.next_escalation_at is None  # the escalation stops
                    if fresh.status == IncidentStatus.ACKNOWLEDGED:
                        assert fresh.acknowledged_at and fresh.acknowledged_by == (actor or staff)
                    else:
                        assert fresh.resolved_at

    walk()
    assert moved == set(ACTIONS), moved
