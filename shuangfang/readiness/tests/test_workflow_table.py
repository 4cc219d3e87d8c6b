"""Property tests of the drill and letter tables: random people (and the system) trying random
moves never make a move outside the table, and every move writes exactly one audit row naming its
actor."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shuangfang.core.tests.workflow_checks import PEOPLE_AND_SYSTEM as PEOPLE
from shuangfang.core.tests.workflow_checks import attempt
from shuangfang.readiness import drills, letters
from shuangfang.readiness.choices import DrillStatus

from .helpers import at, letter_a, template_b
from .test_letters import drawn_png

pytestmark = pytest.mark.django_db

SETTINGS = settings(
    max_examples=25,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def test_random_drill_moves_stay_in_the_table(world):
    moved = []

    @SETTINGS
    @given(
        st.lists(
            st.tuples(st.sampled_from(["record", "evaluate", "cancel"]), st.sampled_from(PEOPLE)), max_size=5
        )
    )
    def walk(tries):
        drill = drills.plan_drill(
            actor=world.users["safety_officer"],
            institution=world.inst_a,
            title="演练",
            planned_on=at(2026, 3, 20).date(),
        )
        for action, who in tries:
            actor = world.users[who] if who else None
            context = {
                "record": {"started_at": at(2026, 3, 20, 9), "ended_at": at(2026, 3, 20, 9, 30)},
                "evaluate": {"evaluation": "良好", "improvements": []},
                "cancel": {"note": "天气"},
            }[action]

            def do(action=action, actor=actor, context=context):
                return drills.FLOW.move(drill, action, actor=actor, **context)

            if attempt(drills.FLOW, [drill], action, actor, do):
                moved.append((action, who))
                assert who in ("admin", "institution_head", "safety_officer")
            drill.refresh_from_db()
        assert drill.status in DrillStatus.values

    walk()
    assert moved


def test_random_letter_moves_stay_in_the_table(world):
    moved = []
    template = template_b(world)
    letter_a(world)

    @SETTINGS
    @given(
        st.lists(st.tuples(st.sampled_from(["sign", "amend", "revoke"]), st.sampled_from(PEOPLE)), max_size=4)
    )
    def walk(tries):
        from shuangfang.readiness.models import Letter

        for live in Letter.objects.exclude(status="revoked"):
            letters.FLOW.move(live, "revoke", actor=world.root, reason="reset")
        letter = letters.generate_letters(
            actor=world.root, template=template, institution=world.inst_a, year=2026
        )[0]
        for action, who in tries:
            actor = world.users[who] if who else None
            context = {
                "sign": {"png": drawn_png()},
                "amend": {"duties": "新职责", "risk_lines": []},
                "revoke": {"reason": "调岗"},
            }[action]

            def do(action=action, actor=actor, context=context):
                return letters.FLOW.move(letter, action, actor=actor, **context)

            if attempt(letters.FLOW, [letter], action, actor, do):
                moved.append((action, who))
                if action == "sign":
                    assert actor == letter.holder
            letter.refresh_from_db()

    walk()
    assert {a for a, _w in moved} >= {"sign", "revoke"}
