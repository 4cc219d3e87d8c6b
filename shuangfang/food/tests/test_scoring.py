"""Food safety as assessment indicators: figures against values worked out by hand from the test
kitchen's records, the score with a scheme that weighs them, constant queries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shuangfang.assessment import scores, services
from shuangfang.assessment.choices import NoData, RuleSpec
from shuangfang.core import periods
from shuangfang.food import meals

from .conftest import T0
from .helpers import jpeg, kitchen_a

H = dt.timedelta(hours=1)
MARCH = (dt.date(2026, 3, 1), dt.date(2026, 4, 1))


def _parts(world, insts=None, scheme=None):
    insts = insts or [world.inst_a]
    ref = scheme or scores.SchemeRef(
        rules=scores.ordered_rules(
            [
                RuleSpec("food_samples", 40),
                RuleSpec("food_tickets", 20),
                RuleSpec("food_temperatures", 20),
                RuleSpec("food_health", 20),
            ]
        )
    )
    got = scores.institution_scores(insts, *MARCH, scheme=ref)
    return got, {p.code: p for p in got[world.inst_a.pk].parts}


def test_food_indicators_against_hand_computed_values(world, clock):
    ns = kitchen_a(world, photos=False)
    got, parts = _parts(world)
    # Yesterday's lunch: two dishes, one with a 150 g sample -> 1 of 2.
    assert parts["food_samples"].raw == {"ok": 1, "dishes": 2}
    assert parts["food_samples"].points == 20.0
    # One delivery, recorded without the ticket photo (photos=False) -> 0 of 1.
    assert parts["food_tickets"].raw == {"tickets": 0, "deliveries": 1}
    # Two refrigerators without a sensor, kitchen set up today: 2 x 2 slots; one reading at 08:00.
    assert parts["food_temperatures"].raw == {"logged": 1, "slots": 4}
    assert parts["food_temperatures"].points == 5.0
    # One cook with a valid certificate.
    assert parts["food_health"].raw == {"certified": 1, "staff": 1}
    assert got[world.inst_a.pk].total == 20.0 + 0.0 + 5.0 + 20.0
    # Institution B has no kitchen: nothing to measure, left out, so no score at all.
    b = scores.institution_scores([world.inst_b], *MARCH, scheme=got[world.inst_a.pk].scheme)
    assert b[world.inst_b.pk].total is None

    # A light sample for the second dish is flagged by the timers: still 1 of 2.
    clock.move_to(T0 + 5 * H)  # 13:00: the afternoon slot
    other = ns.lunch.dishes.get(name="炒青菜")
    meals.record_sample(
        actor=world.users["staff"],
        dish=other,
        weight_g=Decimal(100),
        fridge=ns.fridge,
        taken_at=ns.lunch.ends_at - H,
    )
    meals.record_temperature(
        actor=world.users["staff"], fridge=ns.freezer, temperature_c=Decimal(-18), measured_at=T0 + 5 * H
    )
    # A second reading in the same morning slot counts once.
    meals.record_temperature(
        actor=world.users["staff"], fridge=ns.fridge, temperature_c=Decimal(5), measured_at=T0 + H
    )
    _got, parts = _parts(world)
    assert parts["food_samples"].raw == {"ok": 1, "dishes": 2}
    assert parts["food_temperatures"].raw == {"logged": 2, "slots": 4}


def test_tickets_and_links(world, clock):
    kitchen_a(world, photos=True)
    _got, parts = _parts(world)
    assert parts["food_tickets"].raw == {"tickets": 1, "deliveries": 1}
    assert parts["food_samples"].url.startswith("/food/ledgers/samples/?")
    assert "month=2026-03" in parts["food_samples"].url


def test_no_data_rule_applies(world, clock):
    ref = scores.SchemeRef(
        rules=(
            RuleSpec("completion", 50),
            RuleSpec("food_samples", 50, no_data=NoData.ZERO),
        )
    )
    got, parts = _parts(world, scheme=ref)
    # No kitchen, no meal: the bureau said "no points" for samples.
    assert parts["food_samples"].no_data and parts["food_samples"].points == 0.0


def test_scheme_with_food_indicators_is_saved_and_used(world, clock):
    kitchen_a(world, photos=False)
    rules = [
        RuleSpec("completion", 30),
        RuleSpec("overdue", 20, per_item=Decimal(5)),
        RuleSpec("food_samples", 30),
        RuleSpec("food_health", 20),
    ]
    services.save_scheme(actor=world.users["bureau_supervisor"], bureau=world.bureau, rules=rules)
    p = periods.parse("2026-03")
    s = scores.institution_scores([world.inst_a], p.start, p.end)[world.inst_a.pk]
    assert [x.code for x in s.parts] == ["completion", "overdue", "food_samples", "food_health"]
    # Completion: no task due, left out (30); 20 + 15 + 20 of 70 measured, scaled to 100.
    assert s.parts[2].points == 15.0 and s.total == round((20 + 15 + 20) * 100 / 70, 1)


@pytest.mark.parametrize("n", [1, 3])
def test_food_queries_do_not_grow(world, clock, n):
    kitchen_a(world, photos=False)
    insts = [world.inst_a, world.inst_b, world.inst_a][:n] if n > 1 else [world.inst_a]
    with CaptureQueriesContext(connection) as ctx:
        _parts(world, insts=list({i.pk: i for i in insts}.values()))
    # Five grouped queries for the food source (dishes, deliveries, refrigerators, readings, staff).
    assert len(ctx.captured_queries) == 5


def test_photo_helper_is_an_image():
    assert jpeg().content_type == "image/jpeg"
