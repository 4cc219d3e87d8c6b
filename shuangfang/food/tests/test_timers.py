"""The sample timer and the hazards it opens (a controlled clock, no test depends on today)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from shuangfang.core.events import published
from shuangfang.food import meals, rules, staff, sweeps
from shuangfang.food.choices import MealKind, RuleKey
from shuangfang.food.models import Meal, Sample
from shuangfang.hazards.models import Hazard

from .conftest import T0
from .helpers import kitchen_a

H = dt.timedelta(hours=1)


def food_hazards(prefix: str = "food-"):
    return Hazard.objects.filter(origin__startswith=prefix)


def lunch_with_sample(w, clock, weight=Decimal(150)):
    k = kitchen_a(w, photos=False).kitchen
    meals.ensure_meals(k, T0.date())
    lunch = Meal.objects.get(kitchen=k, day=T0.date(), kind=MealKind.LUNCH)
    meals.set_menu(actor=w.users["staff"], meal=lunch, dishes=[("番茄炒蛋", False)])
    clock.move_to(T0.replace(hour=12))
    dish = lunch.dishes.get(name="番茄炒蛋")
    return meals.record_sample(
        actor=w.users["staff"], dish=dish, weight_g=weight, taken_at=T0.replace(hour=12)
    )


@pytest.mark.parametrize(
    ("hours", "hazard"), [(47, True), (Decimal("47.99"), True), (48, False), (60, False)]
)
def test_disposal_before_48_hours_opens_a_hazard(world, clock, hours, hazard):
    sample = lunch_with_sample(world, clock)
    at = sample.taken_at + dt.timedelta(hours=float(hours))
    clock.move_to(at)
    meals.dispose_sample(actor=world.users["staff"], sample=sample, disposed_at=at)
    assert food_hazards("food-early:").count() == (1 if hazard else 0)
    sweeps.sweep()
    sweeps.sweep()  # running it again opens nothing again
    assert food_hazards("food-early:").count() == (1 if hazard else 0)
    if hazard:
        h = food_hazards("food-early:").get()
        assert h.category == "food" and h.reporter is None and "番茄炒蛋" in h.title
        assert h.organization == world.inst_a


def test_a_meal_without_samples_opens_one_hazard_per_meal(world, clock):
    k = kitchen_a(world, photos=False).kitchen
    sweeps.sweep()  # 08:00: today's meals made, none ended
    lunch = Meal.objects.get(kitchen=k, day=T0.date(), kind=MealKind.LUNCH)
    meals.set_menu(
        actor=world.users["staff"], meal=lunch, dishes=[("米饭", False), ("红烧鱼", True), ("青菜", False)]
    )
    before = food_hazards("food-meal:").count()  # yesterday's lunch of the helper: one dish unsampled
    clock.move_to(lunch.ends_at - dt.timedelta(minutes=1))
    sweeps.sweep()
    assert not food_hazards(f"food-meal:{lunch.uuid}").exists()
    clock.move_to(lunch.ends_at)
    for _ in range(3):
        sweeps.sweep()
    hazards = food_hazards(f"food-meal:{lunch.uuid}")
    assert hazards.count() == 1  # one per meal, not one per dish or per sweep
    assert all(d in hazards.get().description for d in ("米饭", "红烧鱼", "青菜"))
    breakfast = Meal.objects.get(kitchen=k, day=T0.date(), kind=MealKind.BREAKFAST)
    assert food_hazards(f"food-meal:{breakfast.uuid}").count() == 1  # nobody recorded breakfast at all
    assert food_hazards("food-meal:").count() == before + 2
    lunch.refresh_from_db()
    assert lunch.missed_at is not None


def test_a_meal_with_every_dish_sampled_is_fine(world, clock):
    sample = lunch_with_sample(world, clock)
    clock.move_to(sample.meal.ends_at + H)
    sweeps.sweep()
    assert not food_hazards(f"food-meal:{sample.meal.uuid}").exists()


@pytest.mark.parametrize(("grams", "hazard"), [(Decimal("124.9"), True), (Decimal(125), False)])
def test_a_sample_under_weight_opens_a_hazard(world, clock, grams, hazard):
    sample = lunch_with_sample(world, clock, weight=grams)
    sweeps.sweep()
    assert food_hazards(f"food-weight:{sample.uuid}").count() == (1 if hazard else 0)


def test_a_stricter_rule_applies_and_a_looser_one_is_refused(world, clock):
    kitchen_a(world, photos=False)
    officer = world.users["safety_officer"]
    with pytest.raises(ValidationError):
        rules.set_site_rule(
            actor=officer, organization=world.inst_a, key=RuleKey.SAMPLE_MIN_WEIGHT, new_value=Decimal(100)
        )
    rules.set_site_rule(
        actor=officer, organization=world.inst_a, key=RuleKey.SAMPLE_MIN_WEIGHT, new_value=Decimal(150)
    )
    rule = rules.rules_for(world.inst_a)[RuleKey.SAMPLE_MIN_WEIGHT]
    assert rule.value == 150 and rule.source == "site_setting" and "125" in rule.reference
    assert rules.rules_for(world.inst_b)[RuleKey.SAMPLE_MIN_WEIGHT].value == 125
    sample = lunch_with_sample(world, clock, weight=Decimal(140))
    assert food_hazards(f"food-weight:{sample.uuid}").count() == 1


def test_a_bureau_rule_reaches_its_institutions(world, clock):
    rules.set_site_rule(
        actor=world.users["bureau_supervisor"],
        organization=world.bureau,
        key=RuleKey.SAMPLE_KEEP_HOURS,
        new_value=Decimal(72),
    )
    assert rules.value(world.inst_a, RuleKey.SAMPLE_KEEP_HOURS) == 72
    sample = lunch_with_sample(world, clock)
    at = sample.taken_at + 60 * H
    clock.move_to(at)
    meals.dispose_sample(actor=world.users["staff"], sample=sample, disposed_at=at)
    assert food_hazards(f"food-early:{sample.uuid}").count() == 1


def test_certificate_reminder_30_days_before_once_per_expiry(world, clock):
    ns = kitchen_a(world, photos=False)
    person = staff.save_staff(actor=world.users["safety_officer"], kitchen=ns.kitchen, name="李帮厨")
    cert = staff.add_certificate(
        actor=world.users["safety_officer"],
        staff=person,
        issued_on=T0.date() - dt.timedelta(days=300),
        valid_until=T0.date() + dt.timedelta(days=31),
    )
    assert sweeps.send_reminders(T0.date())["certificates"] == 0
    day = T0.date() + dt.timedelta(days=1)  # now 30 days before
    assert sweeps.send_reminders(day)["certificates"] == 1
    assert sweeps.send_reminders(day)["certificates"] == 0
    told = [p for k, p in published("food.certificate_expiring") if p["object_uuid"] == str(cert.uuid)]
    assert (
        len(told) == 1
        and "李帮厨" in told[0]["title"]
        and told[0]["roles"] == ["safety_officer", "institution_head"]
    )
    # Renewed: the new certificate is told about when its own time comes.
    new = staff.add_certificate(
        actor=world.users["safety_officer"],
        staff=person,
        issued_on=T0.date(),
        valid_until=T0.date() + dt.timedelta(days=400),
    )
    assert sweeps.send_reminders(T0.date() + dt.timedelta(days=371))["certificates"] == 1
    assert [p for k, p in published("food.certificate_expiring") if p["object_uuid"] == str(new.uuid)]


def test_staff_without_a_valid_certificate_is_listed(world, clock):
    ns = kitchen_a(world, photos=False)
    assert not staff.without_valid_certificate(ns.kitchen, T0.date()).exists()
    assert list(staff.without_valid_certificate(ns.kitchen, ns.cert.valid_until + dt.timedelta(days=1))) == [
        ns.person
    ]


def test_supplier_licence_reminder_and_block(world, clock):
    ns = kitchen_a(world, photos=False)
    until = ns.licence.valid_until
    assert sweeps.send_reminders(until - dt.timedelta(days=30))["licences"] == 1
    assert sweeps.send_reminders(until - dt.timedelta(days=29))["licences"] == 0
    assert published("food.licence_expiring")


def test_the_shift_handover_lists_samples_due_for_disposal(world, clock):
    from shuangfang.duty.services import open_items

    ns = kitchen_a(world, photos=False)
    clock.move_to(ns.sample.taken_at + 47 * H)
    assert not [line for line in open_items(world.inst_a) if "红烧肉" in line]
    clock.move_to(ns.sample.taken_at + 48 * H)
    assert [line for line in open_items(world.inst_a) if "红烧肉" in line]
    assert not [line for line in open_items(world.inst_b) if "红烧肉" in line]


def test_the_sweep_finds_what_the_immediate_check_missed(world, clock, monkeypatch):
    """A disposal recorded while the immediate check did not run (a crash after the commit, an
    import) and a weight changed afterwards: the sweep still opens one hazard each."""
    sample = lunch_with_sample(world, clock)
    with monkeypatch.context() as m:
        m.setattr(sweeps, "check_sample", lambda s: [])
        at = sample.taken_at + 47 * H
        clock.move_to(at)
        meals.dispose_sample(actor=world.users["staff"], sample=sample, disposed_at=at)
    assert not food_hazards("food-early:").exists()
    Sample.objects.filter(pk=sample.pk).update(weight_g=Decimal(90))
    for _ in range(2):
        sweeps.sweep()
    assert food_hazards(f"food-early:{sample.uuid}").count() == 1
    assert food_hazards(f"food-weight:{sample.uuid}").count() == 1
