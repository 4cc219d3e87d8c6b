"""Property test of the sample table (``meals.SAMPLE_FLOW``): random people (and the system) trying
to dispose of samples at random times never make a move outside the table, a refused attempt
changes nothing, and every disposal writes exactly one audit row naming its actor."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shuangfang.core.tests.workflow_checks import PEOPLE_AND_SYSTEM as PEOPLE
from shuangfang.core.tests.workflow_checks import attempt
from shuangfang.food import meals
from shuangfang.food.choices import SampleStatus

from .conftest import T0
from .helpers import kitchen_a

pytestmark = pytest.mark.django_db
RECORDERS = {"admin", "institution_head", "safety_officer", "department_head", "staff"}
# Hours after the sample was put in: before it, early, on time, in the future.
OFFSETS = [-1, 1, 47, 48, 60, 10_000]


def test_random_disposals_stay_in_the_table(world, clock):
    ns = kitchen_a(world, photos=False)
    clock.move_to(T0 + dt.timedelta(days=5))
    moved = []
    n = iter(range(1000))

    @settings(
        max_examples=25,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(st.lists(st.tuples(st.sampled_from(PEOPLE), st.sampled_from(OFFSETS)), min_size=1, max_size=4))
    def walk(tries):
        meal = meals.ensure_meals(ns.kitchen, T0.date())[0]
        meals.set_menu(actor=world.users["staff"], meal=meal, dishes=[(f"菜{next(n)}", False)])
        dish = meal.dishes.order_by("-pk")[0]
        sample = meals.record_sample(
            actor=world.users["staff"], dish=dish, weight_g=Decimal(130), taken_at=T0
        )
        done_by = None
        for who, hours in tries:
            actor = world.users[who] if who else None
            at = sample.taken_at + dt.timedelta(hours=hours)
            if who is None:

                def do(actor=actor, at=at):
                    return meals.SAMPLE_FLOW.move(sample, "dispose", actor=None, disposed_at=at)
            else:

                def do(actor=actor, at=at):
                    return meals.dispose_sample(actor=actor, sample=sample, disposed_at=at)

            if attempt(meals.SAMPLE_FLOW, [sample], "dispose", actor, do):
                assert done_by is None and who in RECORDERS and 0 <= hours <= 24 * 5
                done_by = who
                moved.append(who)
        sample.refresh_from_db()
        assert (sample.status == SampleStatus.DISPOSED) == (done_by is not None)

    walk()
    assert moved
