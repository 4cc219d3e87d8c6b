from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shuangfang.core.tests.workflow_checks import PEOPLE_AND_SYSTEM as PEOPLE
from shuangfang.core.tests.workflow_checks import attempt
from shuangfang.hazards.models import Hazard
from shuangfang.relief import trips
from shuangfang.relief.choices import CaseStatus, TripStatus

from .helpers import admitted

pytestmark = pytest.mark.django_db
WHEN = dt.datetime(2026, 3, 5, 8, 0, tzinfo=dt.UTC)


def make_trip(w, **kw):
    case = kw.pop("case", None) or admitted(w)
    args = {
        "actor": w.users["staff"],
        "organization": w.inst_a,
        "case_list": [case],
        "staff": [w.users["staff"], w.users["department_head"]],
        "destination": "虚构县救助管理站",
        "route": "G4 高速",
        "vehicle": "豫A·虚构01",
        "planned_at": WHEN,
        "likelihood": 2,
        "severity": 2,
        "supplies": "常用药、饮用水、面包",
    }
    args.update(kw)
    return trips.prepare(**args)


def test_the_chain_and_the_hazard_once(world):
    staff, head = world.users["staff"], world.users["institution_head"]
    trip = make_trip(world)
    assert trip.risk_level == "4"  # LS: 2 × 2 = 4, low
    with pytest.raises(PermissionDenied):
        trips.move(trip, "approve", actor=staff)  # the head approves
    with pytest.raises(ValidationError):
        trips.move(trip, "depart", actor=staff)  # no skipping the approval
    trips.move(trip, "approve", actor=head)
    with pytest.raises(PermissionDenied):
        trips.move(trip, "depart", actor=world.users["safety_officer"])  # not an escort
    trips.move(trip, "depart", actor=staff)
    trips.check_in(actor=staff, trip=trip, note="服务区休息", latitude="34.79", longitude="114.30")
    trips.check_in(actor=world.users["department_head"], trip=trip)  # location optional
    with pytest.raises(ValidationError):
        trips.check_in(actor=staff, trip=trip, latitude="95", longitude="0")
    with pytest.raises(PermissionDenied):
        trips.check_in(actor=head, trip=trip)
    with pytest.raises(ValidationError, match="receipt"):
        trips.move(trip, "hand_over", actor=staff, receiving_party="虚构县救助管理站 王某")
    with pytest.raises(ValidationError):
        trips.move(trip, "close", actor=head)  # closing without the hand-over
    trips.move(trip, "hand_over", actor=staff, receiving_party="虚构县救助管理站 王某", receipt_photo="x.jpg")
    case = trip.cases.get()
    assert case.status == CaseStatus.DEPARTED and case.departure_mode == "escorted"
    trips.move(trip, "debrief", actor=staff, notes="顺利交接", problem="车辆后门锁扣松动")
    hazard = Hazard.objects.get(origin=f"relief-trip:{trip.uuid}")
    assert trip.hazard_uuid == hazard.uuid
    with pytest.raises(ValidationError):
        trips.move(trip, "debrief", actor=staff, notes="again", problem="again")
    trips.move(trip, "close", actor=head)
    assert trip.status == TripStatus.CLOSED
    assert Hazard.objects.count() == 1


def test_preparation_is_checked(world):
    with pytest.raises(ValidationError) as exc:
        make_trip(world, destination=" ", staff=[world.users["outsider"]])
    assert {"destination", "staff"} <= set(exc.value.message_dict)
    other = admitted(world, name="测试乙", seq=2)
    trip = make_trip(world, case=other, staff=[world.users["staff"]], supplies="")
    with pytest.raises(ValidationError, match="two"):
        trips.move(trip, "approve", actor=world.users["institution_head"])


def test_hand_over_refused_with_items_in_custody_saves_nothing(world):
    from shuangfang.relief import stay

    case = admitted(world)
    stay.take_item(actor=world.users["staff"], case=case, description="背包")
    trip = make_trip(world, case=case)
    trips.move(trip, "approve", actor=world.users["institution_head"])
    trips.move(trip, "depart", actor=world.users["staff"])
    with pytest.raises(ValidationError, match="custody"):
        trips.move(trip, "hand_over", actor=world.users["staff"], receiving_party="X", receipt_photo="x.jpg")
    trip.refresh_from_db()
    case.refresh_from_db()
    assert trip.status == TripStatus.EN_ROUTE and not trip.handed_over_at
    assert case.status == CaseStatus.IN_STATION


CONTEXT = {
    "approve": {},
    "depart": {},
    "hand_over": {"receiving_party": "虚构站", "receipt_photo": "r.jpg"},
    "debrief": {"notes": "ok"},
    "close": {},
    "cancel": {},
}


def test_random_trip_moves_stay_in_the_table(world):
    @settings(
        max_examples=25,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(st.lists(st.tuples(st.sampled_from(PEOPLE), st.sampled_from(sorted(CONTEXT))), max_size=8))
    def walk(steps):
        trip = make_trip(world, case=admitted(world, id_type="none", id_number="", name="测试"))
        for who, action in steps:
            actor = world.users[who] if who else None

            def do(actor=actor, action=action):
                return trips.move(trip, action, actor=actor, **CONTEXT[action])

            attempt(trips.FLOW, [trip], action, actor, do)

    walk()
