"""An extinguisher past its service life is flagged on the four-colour map: on its risk point's pin
and in the list under the map, linked to the item; an item within its life is not; the map's query
count does not grow with the flagged points."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from shuangfang.equipment import services
from shuangfang.risks import services as risks

pytestmark = pytest.mark.django_db


def _placed_point(world, floor, name: str, x: float):
    officer = world.users["safety_officer"]
    point = risks.create_risk_point(actor=officer, institution=world.inst_a, name=name)
    return risks.place_point(actor=officer, point=point, floor=floor, x=x, y=0.5)


def _extinguisher(world, point, made: dt.date):
    return services.register_equipment(
        actor=world.users["safety_officer"],
        organization=world.inst_a,
        kind="extinguisher_powder",
        name="走廊灭火器",
        manufactured_on=made,
        risk_point=point,
    )


@time_machine.travel(dt.datetime(2026, 6, 1, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))), tick=False)
def test_past_life_equipment_is_flagged_on_the_map(world, login, django_assert_max_num_queries):
    officer = world.users["safety_officer"]
    floor = risks.create_floor(actor=officer, institution=world.inst_a, building="1号楼", name="1F")
    old_point = _placed_point(world, floor, "一楼走廊", 0.2)
    new_point = _placed_point(world, floor, "二楼走廊", 0.6)
    old = _extinguisher(world, old_point, dt.date(2010, 1, 1))  # dry powder: 10 years → 2020
    new = _extinguisher(world, new_point, dt.date(2026, 1, 1))  # → 2036
    client = login(officer)
    url = reverse("risks:floor", kwargs={"uuid": floor.uuid})
    html = client.get(url).content.decode()
    assert old.get_absolute_url() in html and old.code in html
    assert new.get_absolute_url() not in html
    assert html.count('class="map-flag"') == 1

    # Two more flagged points: the same number of queries.
    with django_assert_max_num_queries(60) as before:
        client.get(url)
    for i in range(2):
        _extinguisher(world, _placed_point(world, floor, f"库房{i}", 0.3 + i / 10), dt.date(2010, 1, 1))
    with django_assert_max_num_queries(len(before.captured_queries)):
        html = client.get(url).content.decode()
    assert html.count('class="map-flag"') == 3
