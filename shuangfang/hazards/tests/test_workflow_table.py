"""Property test of the hazard table (``core.workflow``): random sequences of actions by random
people never make a move outside :data:`workflow.FLOW`, and every move writes exactly one audit row
naming its actor."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shuangfang.core.tests.workflow_checks import attempt
from shuangfang.core.vocabulary import HazardGrade
from shuangfang.hazards import services, workflow

from .conftest import jpeg
from .test_state_machine import PEOPLE, candidate_fields

pytestmark = pytest.mark.django_db

# The ordinary path appears more often, so that walks get past "reported".
ACTIONS = sorted(workflow.MOVES) + ["assign", "submit", "accept", "confirm_major", "approve_plan"] * 3


def test_random_moves_by_random_people_stay_in_the_table(world):
    world.other_a = services.report_hazard(
        actor=world.users["staff"], organization=world.inst_a, description="原始隐患", source="snap"
    )
    world.other_b = services.report_hazard(
        actor=world.users["outsider"], organization=world.inst_b, description="别家的隐患", source="snap"
    )
    moved: set[str] = set()

    @settings(
        max_examples=25,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(st.data(), st.integers(min_value=1, max_value=12))
    def walk(data, n):
        h = services.report_hazard(
            actor=world.users["staff"], organization=world.inst_a, description="随机", source="snap"
        )
        for _ in range(n):
            h.refresh_from_db()
            # Half of the tries are of an action the hazard's state allows
            # (and by one of the people who usually make moves), so that walks get far; the others
            # are of any action at all, by anyone.
            possible = sorted(a for a, m in workflow.MOVES.items() if h.status in m.sources)
            if data.draw(st.booleans(), label="possible now"):
                action = data.draw(st.sampled_from(possible), label="action")
                who = data.draw(st.sampled_from(["safety_officer", "institution_head", "staff"]), label="who")
            else:
                action = data.draw(st.sampled_from(ACTIONS), label="action")
                who = data.draw(st.sampled_from(PEOPLE), label="who")
            move = workflow.MOVES[action]
            options = candidate_fields(world, h)
            fields = {name: options[name][0] for name in move.fields if name in options}
            if action == "confirm_major":
                fields["grade"] = HazardGrade.MAJOR
            photos = [jpeg()] if "after_photo" in move.requires else []
            actor = world.users[who]

            def do(h=h, action=action, actor=actor, photos=photos, fields=fields):
                return workflow.transition(h, action, actor=actor, note="说明", photos=photos, **fields)

            if attempt(workflow.FLOW, [h], action, actor, do):
                moved.add(action)

    walk()
    assert {"assign", "submit", "accept", "confirm_major", "approve_plan", "comment"} <= moved, moved
