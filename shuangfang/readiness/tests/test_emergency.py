"""Emergency plans (versions, review reminders) and supplies (negative stock refused, low stock and
expiry reminders, told once)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError

from shuangfang.core.events import published
from shuangfang.readiness import emergency
from shuangfang.readiness.models import EmergencyPlan, Supply, SupplyMove
from shuangfang.risks.tests.fixtures import risk_world

from .helpers import at, plan_a, supply_a

pytestmark = pytest.mark.django_db


def test_a_revision_is_a_new_version_and_the_old_one_is_kept(world):
    plan = plan_a(world)
    point = risk_world(world).point
    v2 = emergency.revise_plan(
        actor=world.users["safety_officer"], plan=plan, content="修订后的内容", risk_points=[point]
    )
    plan.refresh_from_db()
    assert (plan.version, plan.is_current, v2.version, v2.is_current) == (1, False, 2, True)
    assert list(v2.risk_points.all()) == [point] and v2.previous == plan
    with pytest.raises(ValidationError, match="not the current version"):
        emergency.revise_plan(actor=world.users["safety_officer"], plan=plan, content="旧版本上改")
    assert EmergencyPlan.objects.count() == 2
    with pytest.raises(ValidationError, match="not a member"):
        emergency.revise_plan(actor=world.users["safety_officer"], plan=v2, owner=world.users["outsider"])


def test_negative_stock_is_refused_and_nothing_recorded(world):
    supply = supply_a(world)
    officer = world.users["safety_officer"]
    emergency.move_stock(actor=officer, supply=supply, change=-4, reason="演练使用")
    with pytest.raises(ValidationError, match="Only 6"):
        emergency.move_stock(actor=officer, supply=supply, change=-7, reason="领用")
    supply.refresh_from_db()
    assert supply.quantity == 6
    assert list(SupplyMove.objects.filter(supply=supply).values_list("change", "balance")) == [
        (-4, 6),
        (10, 10),
    ]
    with pytest.raises(ValidationError):
        emergency.create_supply(
            actor=officer,
            institution=world.inst_a,
            kind="first_aid",
            name="急救箱",
            place="一楼",
            quantity=-1,
        )
    assert not Supply.objects.filter(name="急救箱").exists()


def test_reviews_low_stock_and_expiry_are_told_once(world):
    plan_a(world)  # review on 20 March
    supply = supply_a(world)  # 10, minimum 8, expires 15 March
    emergency.move_stock(actor=world.users["safety_officer"], supply=supply, change=-3)
    with time_machine.travel(at(2026, 3, 2, 8, 20), tick=False):
        emergency.send_reminders()
        emergency.send_reminders()
    assert [p["recipient_ids"] for _k, p in published("readiness.plan_review_due")] == [
        [world.users["safety_officer"].pk]
    ]
    low = published("readiness.supply_low")
    assert len(low) == 1 and "7" in low[0][1]["title"] and low[0][1]["roles"] == ["safety_officer"]
    assert len(published("readiness.supply_expiring")) == 1
    # A later review date is a new fact; far away, nothing yet.
    emergency.revise_plan(
        actor=world.users["safety_officer"], plan=plan_a(world), review_on=dt.date(2027, 3, 1)
    )
    with time_machine.travel(at(2026, 3, 3, 8, 20), tick=False):
        emergency.send_reminders()
    assert len(published("readiness.plan_review_due")) == 1
