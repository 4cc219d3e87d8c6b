"""Property tests of the incident table (``incidents.FLOW``) and the delivery table
(``deliveries.FLOW``): random people (and the system: the source app acknowledging or clearing its
object, the sending worker, the providers' receipts) trying random moves never make a move outside
the table; every incident move writes exactly one audit row naming its actor (``None`` for the
system), every delivery move is recorded on the delivery row."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shuangfang.core.tests.workflow_checks import PEOPLE_AND_SYSTEM as PEOPLE
from shuangfang.core.tests.workflow_checks import attempt
from shuangfang.notifications import deliveries, engine, incidents
from shuangfang.notifications.channels.base import Result
from shuangfang.notifications.choices import DeliveryStatus, IncidentStatus
from shuangfang.notifications.models import Delivery, Incident
from shuangfang.notifications.providers import record_receipt

from .helpers import note_a, provider_a

pytestmark = pytest.mark.django_db

ACTIONS = sorted(incidents.FLOW.rows)
DELIVERY_ACTIONS = sorted(deliveries.FLOW.rows)
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


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


def test_random_delivery_moves_stay_in_the_table_and_are_recorded_on_the_row(world):
    """``deliveries.FLOW`` writes no audit rows (see its docstring): random moves by the worker,
    the receipts and random people never leave the table, people never move a delivery, and every
    move leaves its mark on the row itself (attempts, times, error)."""
    note, provider = note_a(world), provider_a(world)
    moved: set[str] = set()
    results = {
        "sent": Result(True, ref="r"),
        "deliver": Result(True, delivered=True, ref="r"),
        "retry": Result(False, temporary=True, error="timeout"),
        "fail": Result(False, error="rejected"),
    }

    @settings(
        max_examples=30,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(st.data(), st.integers(min_value=1, max_value=6))
    def walk(data, n):
        d = Delivery.objects.create(
            organization=world.inst_a,
            notification=note,
            channel="webhook",
            provider=provider,
            address="值班系统",
            next_attempt_at=T0,
        )
        for i in range(n):
            d.refresh_from_db()
            now = T0 + dt.timedelta(minutes=3 * i)  # a lease (2 minutes) runs out between tries
            if data.draw(st.booleans(), label="possible now"):
                possible = sorted(a for a in DELIVERY_ACTIONS if deliveries.FLOW.row(d, a) is not None)
                action, who = data.draw(st.sampled_from(possible or DELIVERY_ACTIONS), label="action"), None
            else:
                action = data.draw(st.sampled_from(DELIVERY_ACTIONS), label="action")
                who = data.draw(st.sampled_from(PEOPLE), label="who")
            actor = world.users[who] if who else None

            def do(d=d, action=action, actor=actor, now=now):
                if actor is not None:
                    return deliveries.FLOW.move(d, action, actor=actor, now=now, error="x")
                if action == "claim":
                    return engine.claim_deliveries(now, ids=[d.pk])
                if d.status == DeliveryStatus.SENT and action in ("deliver", "fail"):
                    return record_receipt(
                        provider=provider, ref=d.provider_ref, delivered=action == "deliver"
                    )
                return engine.record(d, replace(results[action], ref=f"ref-{d.pk}"), now=now)

            before = Delivery.objects.get(pk=d.pk)
            ok = attempt(deliveries.FLOW, [d], action, actor, do)
            after = Delivery.objects.get(pk=d.pk)
            if actor is not None:
                assert not ok and after.status == before.status and after.attempts == before.attempts
                continue
            if after.attempts != before.attempts:  # a claim (sending → sending leaves the status)
                assert action == "claim" and after.attempts == before.attempts + 1
                assert before.status == DeliveryStatus.QUEUED or (
                    before.lease_until and before.lease_until < now
                )
                assert after.status == DeliveryStatus.SENDING and after.lease_until == now + deliveries.LEASE
                assert after.first_attempt_at == (before.first_attempt_at or now)
                moved.add(action)
            elif after.status != before.status:
                moved.add(action)
                if action == "sent":
                    assert after.sent_at == now and after.provider_ref == f"ref-{d.pk}"
                elif action == "deliver":
                    assert after.delivered_at and after.sent_at
                elif action == "retry":
                    assert (
                        after.next_attempt_at
                        and after.next_attempt_at > now
                        and after.last_error == "timeout"
                    )
                else:
                    assert after.last_error in ("rejected", "") and after.next_attempt_at is None
            else:
                assert after.last_error == before.last_error and after.sent_at == before.sent_at

    walk()
    assert moved == set(DELIVERY_ACTIONS), moved
