"""The list pages cost the same number of queries however many rows they show."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shuangfang.inspections.plans import generate_tasks
from shuangfang.outreach import patrol_plans, patrols

pytestmark = pytest.mark.django_db
CST = dt.timezone(dt.timedelta(hours=8))
T0 = dt.datetime(2026, 1, 12, 8, tzinfo=CST)


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _patrol(w, n: int) -> None:
    p = patrols.start_patrol(actor=w.users["staff"], organization=w.inst_a, team=f"组{n}")
    patrols.log_encounter(actor=w.users["staff"], patrol=p, data={"action": "supplies", "supplies": "水"})


def test_plans_and_ledgers_pages_are_flat(world, login):
    head = login(world.users["institution_head"])
    plans_url = reverse("outreach:plans") + f"?org={world.inst_a.uuid}"
    ledgers_url = reverse("outreach:ledgers") + f"?org={world.inst_a.uuid}&from=2026-01-01&to=2026-01-31"
    with time_machine.travel(T0, tick=False):
        patrol_plans.create_daily_plan(actor=world.users["institution_head"], station=world.inst_a)
        _patrol(world, 1)
        head.get(plans_url)  # warm: the session's memberships load into the cache once
        few = (_count(head, plans_url), _count(head, ledgers_url))
        patrol_plans.declare_extreme_weather(
            actor=world.users["institution_head"],
            station=world.inst_a,
            weather="cold",
            first_night=dt.date(2026, 1, 12),
            last_night=dt.date(2026, 1, 20),
        )
        generate_tasks(now=T0 + dt.timedelta(days=3))
        for n in range(2, 7):
            _patrol(world, n)
        many = (_count(head, plans_url), _count(head, ledgers_url))
    assert many == few
