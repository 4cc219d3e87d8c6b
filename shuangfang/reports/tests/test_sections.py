"""The registry of report sections (sections.py) filled by food, equipment and relief: March 2026
at institution A (a relief station with a kitchen and a lift overdue for inspection). The stored
report carries each app's own figures, relief's without a name, on the page and in the PDF's body."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shuangfang.core.periods import month
from shuangfang.dashboards.tests.records import add_institution
from shuangfang.equipment import services as equipment
from shuangfang.food import stats as food_stats
from shuangfang.food.models import Sample
from shuangfang.food.tests.helpers import kitchen_a
from shuangfang.relief import stats as relief_stats
from shuangfang.relief.tests.helpers import admitted
from shuangfang.reports import content, sections

from .helpers import stored_report

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
MARCH = month(2026, 3)


@pytest.fixture
def march(world):
    with time_machine.travel(dt.datetime(2026, 3, 10, 15, tzinfo=SH), tick=False):
        world.kitchen = kitchen_a(world)
        admitted(world, name="童甲", seq=2, born=dt.date(2021, 6, 1))
        equipment.register_equipment(
            actor=world.users["safety_officer"], organization=world.inst_a, kind="lift", name="电梯",
            registration_number="梯1", next_inspection_on=dt.date(2026, 3, 20),
        )  # fmt: skip
    with time_machine.travel(dt.datetime(2026, 4, 1, 2, tzinfo=SH), tick=False):
        world.figures = content.build(world.bureau, MARCH)
    return world


def _rows(figures, key):
    found = [s for s in figures["extra"] if s["key"] == key]
    assert found, [s["key"] for s in figures["extra"]]
    return {label: value for _group, label, value in found[0]["rows"]}


def test_food_rows_are_the_kitchens_figures(march):
    with time_machine.travel(dt.datetime(2026, 4, 1, 2, tzinfo=SH), tick=False):
        k = food_stats.figures(march.kitchen.kitchen, MARCH.last_day, MARCH.start)
    rows = _rows(march.figures, "food")
    assert list(rows.values()) == [
        k.dishes_due,
        k.samples_taken,
        k.meals_missed,
        k.certificates_expiring,
        k.cold_chain_alarms,
    ]
    assert k.samples_taken == Sample.objects.filter(meal__day__month=3).count() >= 1


def test_equipment_rows_at_the_period_end(march):
    # The lift's inspection (20 March) is overdue on 31 March.
    assert list(_rows(march.figures, "equipment").values()) == [1, 0, 0, 0, 0]


def test_relief_rows_are_the_months_statistics_without_names(march):
    expected = relief_stats.rows(relief_stats.monthly([march.inst_a], MARCH))
    found = next(s for s in march.figures["extra"] if s["key"] == "relief")
    assert [tuple(r) for r in found["rows"]] == [tuple(r) for r in json.loads(json.dumps(expected))]
    assert found["rows"][0][2] == 1  # assisted in March: the one child admitted
    assert "童甲" not in json.dumps(march.figures, ensure_ascii=False)


def test_no_section_without_its_records(world):
    with time_machine.travel(dt.datetime(2026, 4, 1, 2, tzinfo=SH), tick=False):
        figures = content.build(world.inst_b, MARCH)  # an elderly home: no kitchen, no equipment
    assert figures["extra"] == []


def test_the_report_page_shows_the_sections(march, login):
    report = stored_report(march.bureau, MARCH)
    html = login(march.users["bureau_supervisor"]).get(report.get_absolute_url()).content.decode()
    for key in ("food", "equipment", "relief"):
        assert f'id="rp-extra-{key}"' in html
    assert reverse("reports:organization", kwargs={"uuid": march.bureau.uuid})


def test_every_source_answers_in_a_fixed_number_of_queries(march):
    few = [march.inst_a.pk, march.inst_b.pk]
    many = few + [add_institution(march.bureau, f"机构{i}").pk for i in range(10)]
    for s in sections.registered():
        counts = []
        for ids in (few, many):
            with CaptureQueriesContext(connection) as q:
                s.source(ids, MARCH)
            counts.append(len(q))
        assert counts[0] == counts[1], (s.key, counts)
