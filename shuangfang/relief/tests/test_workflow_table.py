"""Property test of the case table (``cases.FLOW``): random people (and the system) trying random
moves never make a move outside the table (no skipping a step), only people with
``relief.manage`` at the station move a case, and each move writes one audit row naming them."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shuangfang.core.tests.workflow_checks import PEOPLE_AND_SYSTEM as PEOPLE
from shuangfang.core.tests.workflow_checks import attempt
from shuangfang.relief import cases

from .helpers import new_case

pytestmark = pytest.mark.django_db

CONTEXT: dict[str, dict] = {
    "check": {"method": "gate", "result": "passed"},
    "screen": {"health": "healthy"},
    "divert": {"signs": ["injury"], "hospital": "虚构医院"},
    "discharge": {},
    "admit": {"zone": "男区"},
    "refuse": {"reason": "self_sufficient"},
    "depart": {"mode": "left"},
}


def test_random_moves_stay_in_the_table(world):
    seen: set[str] = set()

    @settings(
        max_examples=40,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(st.lists(st.tuples(st.sampled_from(PEOPLE), st.sampled_from(sorted(CONTEXT))), max_size=10))
    def walk(steps):
        case = new_case(world, name=f"测试{len(seen)}", seq=1)
        for who, action in steps:
            actor = world.users[who] if who else None

            def do(actor=actor, action=action):
                return cases.move(case, action, actor=actor, **CONTEXT[action])

            if attempt(cases.FLOW, [case], action, actor, do):
                seen.add(f"{who}:{action}")
        case.refresh_from_db()  # close it: the next example registers the same person again
        if case.status in ("registered", "checked", "screened"):
            cases.move(case, "refuse", actor=world.users["staff"], reason="ineligible")
        elif case.status in ("at_hospital", "in_station"):
            cases.move(case, "depart", actor=world.users["staff"], mode="left")

    walk()
    movers = {s.split(":")[0] for s in seen}
    assert movers <= {"institution_head", "safety_officer", "department_head", "staff"}
    assert {s.split(":")[1] for s in seen} >= {"check", "refuse"}
