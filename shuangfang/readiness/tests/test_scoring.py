"""Readiness indicators weighed in an assessment scheme, and rewards and penalties adjusting the
score within the scheme's caps: against values worked out by hand; constant queries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shuangfang.assessment import scores, services
from shuangfang.assessment.choices import RuleSpec
from shuangfang.readiness import bureau, drills, letters, training
from shuangfang.readiness.choices import StepKind
from shuangfang.readiness.models import Accountability

from .helpers import at, defaults, drill_a, letter_a, session_a, template_b
from .test_letters import drawn_png

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock(request):
    """The clock the readiness tests start on (conftest ``_clock``), to move further."""
    return request.getfixturevalue("_clock")


Q1 = (dt.date(2026, 1, 1), dt.date(2026, 4, 1))
RULES = [RuleSpec("ready_training", 40), RuleSpec("ready_drills", 30), RuleSpec("ready_letters", 30)]


def _records(world):
    """As in test_bureau: training 2 of 12, fire drills 1 of 1, letters 1 of 2 for Q1."""
    defaults(world)
    session = session_a(world)
    q = session.questions.get()
    for persona in ("staff", "department_head"):
        person = world.users[persona]
        training.sign_in(actor=person, session=session, key=session.sign_in_key)
        training.answer_quiz(actor=person, session=session, answers={q.pk: 2})
    drills.record_drill(
        actor=world.users["safety_officer"],
        drill=drill_a(world),
        started_at=at(2026, 3, 20, 9),
        ended_at=at(2026, 3, 20, 9, 30),
        steps=[
            drills.Step(at(2026, 3, 20, 9, 1), StepKind.ALARM),
            drills.Step(at(2026, 3, 20, 9, 5), StepKind.EVACUATED),
        ],
    )
    letters.sign_letter(actor=world.users["staff"], letter=letter_a(world), png=drawn_png())
    letters.generate_letters(
        actor=world.root, template=template_b(world, "department_head"), institution=world.inst_a, year=2026
    )


def _reward(world, kind, points):
    return bureau.record_accountability(
        actor=world.users["bureau_supervisor"],
        institution=world.inst_a,
        kind=kind,
        description="消防演练组织得力" if kind == "reward" else "隐患逾期未整改",
        points=points,
    )


def test_readiness_indicators_and_rewards_in_the_score(world, clock):
    _records(world)
    clock.move_to(at(2026, 3, 25, 10))
    _reward(world, "reward", Decimal(3))
    _reward(world, "penalty", Decimal(8))
    _reward(world, "penalty", None)  # no points: not counted
    clock.move_to(at(2026, 4, 1, 10))
    plain = scores.SchemeRef(rules=scores.ordered_rules(RULES))
    s = scores.institution_scores([world.inst_a], *Q1, scheme=plain)[world.inst_a.pk]
    parts = {p.code: p for p in s.parts}
    # 2/12 × 40 = 6.7; 1/1 × 30 = 30; 1/2 × 30 = 15.
    assert parts["ready_training"].raw == {"part": 2, "whole": 12} and parts["ready_training"].points == 6.7
    assert parts["ready_drills"].points == 30.0 and parts["ready_letters"].points == 15.0
    # Caps 0: rewards and penalties do not count (and are not even read).
    assert s.total == 51.7 and s.adjustments == []
    capped = scores.SchemeRef(rules=plain.rules, bonus_cap=Decimal(2), penalty_cap=Decimal(5))
    s = scores.institution_scores([world.inst_a], *Q1, scheme=capped)[world.inst_a.pk]
    # +3 capped at 2; −8 capped at 5.
    assert [a.points for a in s.adjustments] == [Decimal(3), Decimal(-8)]
    assert (s.base, s.bonus, s.penalty, s.total) == (51.7, 2.0, 5.0, 48.7)
    # Institution B: no letter, no training required → left out; its drills 0 of 1 → 0 of 30.
    b = scores.institution_scores([world.inst_b], *Q1, scheme=capped)[world.inst_b.pk]
    assert {p.code: p.excluded for p in b.parts}["ready_letters"] is True


def test_saved_scheme_with_caps_shows_on_the_breakdown(world, clock, login):
    _records(world)
    clock.move_to(at(2026, 3, 25, 10))
    _reward(world, "reward", Decimal("2.5"))
    services.save_scheme(
        actor=world.users["bureau_supervisor"],
        bureau=world.bureau,
        rules=RULES,
        bonus_cap=Decimal(5),
        penalty_cap=Decimal(5),
    )
    client = login(world.users["bureau_supervisor"])
    r = client.get(f"/assessment/institutions/{world.inst_a.uuid}/", {"period": "2026-03"})
    body = r.content.decode()
    assert r.status_code == 200 and "消防演练组织得力" in body and "+2.5" in body
    r = client.get(f"/assessment/bureaus/{world.bureau.uuid}/", {"period": "2026-03", "export": "xlsx"})
    assert r.status_code == 200
    data = client.get(
        f"/api/v1/assessment/institutions/{world.inst_a.uuid}/score", {"period": "2026-03"}
    ).json()
    assert data["bonus"] == 2.5 and data["adjustments"][0]["points"] == 2.5
    assert data["scheme"]["bonus_cap"] == 5.0


def test_points_are_refused_on_other_kinds_and_out_of_range(world):
    with pytest.raises(ValidationError, match="Only a reward or a penalty"):
        _reward(world, "interview", Decimal(2))
    with pytest.raises(ValidationError, match="more than 0"):
        _reward(world, "reward", Decimal(0))
    with pytest.raises(ValidationError, match="more than 0"):
        _reward(world, "penalty", Decimal(25))
    assert not Accountability.objects.exists()
    with pytest.raises(ValidationError):
        services.save_scheme(
            actor=world.users["bureau_supervisor"], bureau=world.bureau, rules=RULES, bonus_cap=Decimal(-1)
        )


@pytest.mark.parametrize("many", [False, True])
def test_queries_do_not_grow(world, clock, many):
    _records(world)
    clock.move_to(at(2026, 4, 1, 10))
    capped = scores.SchemeRef(rules=scores.ordered_rules(RULES), bonus_cap=Decimal(2))
    insts = [world.inst_a, world.inst_b] if many else [world.inst_a]
    with CaptureQueriesContext(connection) as ctx:
        scores.institution_scores(insts, *Q1, scheme=capped)
    # Training 4, drills 2, letters 1, rewards and penalties 1.
    assert len(ctx.captured_queries) == 8
