import datetime as dt

import pytest
import time_machine

from shuangfang.core.events import published
from shuangfang.equipment import dates, services
from shuangfang.hazards.models import Hazard
from shuangfang.orgs.models import Organization

from .conftest import local

pytestmark = pytest.mark.django_db


def _lift(world, due=dt.date(2026, 6, 1)):
    with time_machine.travel(local(2026, 4, 1, 9), tick=False):
        return services.register_equipment(
            actor=world.users["safety_officer"],
            organization=world.inst_a,
            kind="lift",
            name="1号电梯",
            registration_number="梯11豫A0001",
            next_inspection_on=due,
        )


def _sweep_on(day: dt.date):
    with time_machine.travel(local(day.year, day.month, day.day, 6, 10), tick=False):
        return dates.sweep()


def _notices():
    return [(k, p["days_before"], p["due_on"]) for k, p in published("equipment.*")]


def test_reminders_30_and_7_days_before_then_overdue_once(world):
    _lift(world)
    _sweep_on(dt.date(2026, 5, 1))  # 31 days before: nothing yet
    assert _notices() == []
    _sweep_on(dt.date(2026, 5, 2))
    _sweep_on(dt.date(2026, 5, 3))  # the same reminder is not told again
    assert _notices() == [("equipment.due_soon", 30, "2026-06-01")]
    _sweep_on(dt.date(2026, 5, 25))
    _sweep_on(dt.date(2026, 6, 1))  # due today: not overdue yet
    assert _notices()[-1] == ("equipment.due_soon", 7, "2026-06-01")
    assert not Hazard.objects.exists()
    _sweep_on(dt.date(2026, 6, 2))
    assert _notices()[-1] == ("equipment.overdue", 0, "2026-06-01")
    _, payload = published("equipment.overdue")[0]
    assert payload["roles"] == ["safety_officer", "institution_head"] and "1号电梯" in payload["title"]


def test_overdue_statutory_inspection_opens_exactly_one_major_hazard_citing_the_criterion(world):
    Organization.objects.filter(pk=world.inst_a.pk).update(institution_type="elderly_care")
    lift = _lift(world)
    for day in (2, 3, 4, 20):
        _sweep_on(dt.date(2026, 6, day))
    hazard = Hazard.objects.get()
    assert hazard.grade == "major" and hazard.category == "special_equipment"
    assert "elderly-2023-4-4" in hazard.description
    assert "使用未取得许可生产、未经检验或者检验不合格" in hazard.description
    assert "e-nian.com" in hazard.description  # the source
    assert "梯11豫A0001" in hazard.description
    assert hazard.criterion is not None and hazard.criterion.code == "elderly-2023-4-4"  # from the library
    assert [p["hazard_id"] for _, p in published("hazard.criterion_cited")] == [hazard.pk]  # the bureau told
    lift.refresh_from_db()
    assert lift.statutory_hazard_for == dt.date(2026, 6, 1)
    # the new certificate's date, overdue again next year: one more hazard, for that date
    services.record_visit(
        actor=world.users["safety_officer"], item=lift, kind="statutory", visited_on=dt.date(2026, 6, 20),
        contractor="特检院", next_inspection_on=dt.date(2027, 6, 1), today=dt.date(2026, 6, 20),
    )  # fmt: skip
    _sweep_on(dt.date(2026, 6, 21))
    assert Hazard.objects.count() == 1
    _sweep_on(dt.date(2027, 6, 3))
    assert Hazard.objects.count() == 2


def test_no_criterion_for_the_institution_type_no_grade_forced(world):
    assert world.inst_a.institution_type == "relief_station"
    _lift(world)
    _sweep_on(dt.date(2026, 6, 2))
    hazard = Hazard.objects.get()
    assert hazard.grade == ""
    assert (
        "No retrieved major-hazard criterion" in hazard.description
        or "elderly-2023-4-4" in hazard.description
    )


def test_extinguisher_past_its_service_life_is_told_and_flagged(world, login):
    from django.urls import reverse

    with time_machine.travel(local(2026, 4, 1, 9), tick=False):
        item = services.register_equipment(
            actor=world.users["safety_officer"],
            organization=world.inst_a,
            kind="extinguisher_water",
            name="厨房灭火器",
            manufactured_on=dt.date(2020, 4, 20),  # water-based: 6 years
        )
    assert item.expires_on == dt.date(2026, 4, 20)
    _sweep_on(dt.date(2026, 4, 20))
    assert _notices() == [("equipment.overdue", 0, "2026-04-20")]
    assert not Hazard.objects.exists()  # flagged, not a statutory hazard
    with time_machine.travel(local(2026, 4, 21, 9), tick=False):
        client = login(world.users["safety_officer"])
        listing = client.get(reverse("equipment:list") + "?state=past_life").content.decode()
        assert "SB-0001" in listing
        page = client.get(reverse("equipment:detail", args=[item.uuid])).content.decode()
        assert "flag-bad" in page


def test_extinguisher_repair_and_hydrostatic_test_by_type(world):
    officer = world.users["safety_officer"]
    with time_machine.travel(local(2026, 1, 5, 9), tick=False):
        powder = services.register_equipment(
            actor=officer, organization=world.inst_a, kind="extinguisher_powder", name="干粉",
            manufactured_on=dt.date(2021, 3, 1),
        )  # fmt: skip
        water = services.register_equipment(
            actor=officer, organization=world.inst_a, kind="extinguisher_water", name="水基",
            manufactured_on=dt.date(2023, 3, 1),
        )  # fmt: skip
        clean = services.register_equipment(
            actor=officer, organization=world.inst_a, kind="extinguisher_clean_agent", name="洁净气体",
            manufactured_on=dt.date(2023, 3, 1),
        )  # fmt: skip
    # GB 50444 §5.3: dry powder 5 years then every 2; water-based 3 then every 1; clean agent: no data
    assert powder.next_repair_on == dt.date(2026, 3, 1) and water.next_repair_on == dt.date(2026, 3, 1)
    assert clean.next_repair_on is None
    _sweep_on(dt.date(2026, 2, 1))
    repairs = [p for _k, p in published("equipment.due_soon") if p["what"] == "repair"]
    assert sorted(p["object_uuid"] for p in repairs) == sorted([str(powder.uuid), str(water.uuid)])
    services.record_visit(
        actor=officer, item=powder, kind="repair", visited_on=dt.date(2026, 2, 20), contractor="维修站",
        today=dt.date(2026, 2, 21),
    )  # fmt: skip
    services.record_visit(
        actor=officer, item=water, kind="repair", visited_on=dt.date(2026, 2, 20), contractor="维修站",
        today=dt.date(2026, 2, 21),
    )  # fmt: skip
    powder.refresh_from_db()
    water.refresh_from_db()
    assert powder.next_repair_on == dt.date(2028, 2, 20) and water.next_repair_on == dt.date(2027, 2, 20)
