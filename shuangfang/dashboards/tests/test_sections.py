"""The registry of figure sections (sections.py) filled by food, equipment and readiness: the
same figures as their own statistics, a fixed number of queries however many institutions, on
both dashboards, every counted number a link to exactly that many rows."""

from __future__ import annotations

import datetime as dt
import pathlib
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from shuangfang.dashboards import sections
from shuangfang.dashboards.tests.records import add_institution
from shuangfang.equipment import services as equipment
from shuangfang.food import stats as food_stats
from shuangfang.food.tests.helpers import kitchen_a
from shuangfang.readiness import indicators
from shuangfang.readiness.tests.helpers import letter_a
from tests.test_dashboard_numbers import _check, _count_links, _unlinked_cells

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 6, 10, 15, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
TODAY = NOW.date()


@pytest.fixture
def city(world):
    with time_machine.travel(NOW, tick=False):
        officer = world.users["safety_officer"]
        for name, due in (("电梯", dt.date(2026, 6, 1)), ("电梯2", dt.date(2026, 6, 30))):
            equipment.register_equipment(
                actor=officer, organization=world.inst_a, kind="lift", name=name,
                registration_number=name, next_inspection_on=due,
            )  # fmt: skip
        world.kitchen = kitchen_a(world)
        letter_a(world)
        yield world


def _by_label(figs):
    return {f.label: f for f in figs}


def test_the_sources_give_the_apps_own_figures(city):
    with time_machine.travel(NOW, tick=False):
        registered = {s.key: s for s in sections.registered()}
        assert {"food", "equipment", "readiness"} <= set(registered)
        ids = [city.inst_a.pk, city.inst_b.pk]
        eq = registered["equipment"].source(ids, TODAY)
        food = registered["food"].source(ids, TODAY)
        ready = registered["readiness"].source(ids, TODAY)
        kitchen = food_stats.figures(city.kitchen.kitchen, TODAY)
        letters = indicators.letters_signed(city.inst_a, 2026)
    assert [f.value for f in eq[city.inst_a.pk][:3]] == [1, 1, 0]
    assert [f.value for f in eq[city.inst_b.pk]] == [0, 0, 0, 0]
    taken = food[city.inst_a.pk][0]
    assert (taken.value, taken.whole) == (kitchen.samples_taken, kitchen.dishes_due)
    assert (taken.value or 0) >= 1
    assert [f.value for f in food[city.inst_a.pk][1:]] == [
        kitchen.meals_missed,
        kitchen.staff_without_certificate,
        kitchen.certificates_expiring,
        kitchen.cold_chain_alarms,
    ]
    assert [f.value for f in food[city.inst_b.pk]] == [0, 0, 0, 0, 0]
    signed = ready[city.inst_a.pk][1]
    assert (signed.value, signed.whole) == (letters.part, letters.whole) and letters.whole >= 1


def test_every_source_answers_in_a_fixed_number_of_queries(city):
    with time_machine.travel(NOW, tick=False):
        few = [city.inst_a.pk, city.inst_b.pk]
        many = few + [add_institution(city.bureau, f"机构{i}").pk for i in range(10)]
        for s in sections.registered():
            counts = []
            for ids in (few, many):
                with CaptureQueriesContext(connection) as q:
                    s.source(ids, TODAY)
                counts.append(len(q))
            assert counts[0] == counts[1], (s.key, counts)


def test_the_institution_dashboard_shows_the_sections(city, login):
    with time_machine.travel(NOW, tick=True):
        client = login(city.users["safety_officer"])
        html = client.get(
            reverse("dashboards:institution", kwargs={"uuid": city.inst_a.uuid})
        ).content.decode()
        for key in ("food", "equipment", "readiness"):
            assert f'data-section="{key}"' in html
        pairs = _count_links(html)
        assert any("equipment" in u and n == 1 for u, n in pairs), pairs
        assert any("samples" in u and n >= 1 for u, n in pairs), pairs
        _check(client, pairs, "institution")


def test_the_bureau_dashboard_has_a_row_per_institution(city, login):
    with time_machine.travel(NOW, tick=True):
        client = login(city.users["bureau_supervisor"])
        html = client.get(reverse("dashboards:bureau", kwargs={"uuid": city.bureau.uuid})).content.decode()
        assert 'data-section="food"' in html and 'data-section="equipment"' in html
        assert html.count(f"institution={city.inst_a.pk}&amp;state=inspection_overdue") == 1
        assert html.count(f"institution={city.inst_b.pk}&amp;state=inspection_overdue") == 1
        _check(client, _count_links(html), "bureau")
        assert not _unlinked_cells(html)


def test_the_dashboards_import_none_of_the_apps_that_fill_them():
    root = pathlib.Path(sections.__file__).parent
    text = "\n".join(p.read_text() for p in root.rglob("*.py") if "tests" not in p.parts)
    for app in ("food", "equipment", "readiness", "relief"):
        assert f"shuangfang.{app}" not in text and f"from shuangfang import {app}" not in text


def test_certificates_expiring_follow_each_sites_reminder_rule(city):
    from decimal import Decimal

    from shuangfang.food import rules, staff
    from shuangfang.food.choices import RuleKey

    with time_machine.travel(NOW, tick=False):
        cook = city.kitchen.kitchen.staff.first()
        staff.add_certificate(
            actor=city.users["safety_officer"],
            staff=cook,
            issued_on=TODAY - dt.timedelta(days=320),
            valid_until=TODAY + dt.timedelta(days=45),
        )
        source = {s.key: s for s in sections.registered()}["food"].source

        def expiring():
            mine = _by_label(source([city.inst_a.pk, city.inst_b.pk], TODAY)[city.inst_a.pk])
            return mine["Health certificates expiring"].value

        with translation.override("en"):
            assert expiring() == food_stats.figures(city.kitchen.kitchen, TODAY).certificates_expiring == 0
            rules.set_site_rule(
                actor=city.root, organization=city.inst_a, key=RuleKey.REMIND_DAYS, new_value=Decimal(60)
            )
            assert expiring() == food_stats.figures(city.kitchen.kitchen, TODAY).certificates_expiring == 1
