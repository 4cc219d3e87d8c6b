"""The bureau inspector's "My spot checks": their open spot-check tasks (not a colleague's, not
done or missed ones, not ended ones), with the last day as a date; constant queries."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shuangfang.inspections.models import Task
from shuangfang.inspections.taskflow import spot_key

from .conftest import local

pytestmark = pytest.mark.django_db

NOW = local(2026, 6, 1, 8, 30)


def _spot(world, inst, who, *, status="open", days=30, n=1):
    Task.objects.bulk_create(
        Task(
            organization=inst,
            plan=None,
            place_key=spot_key(world.bureau.pk),
            location=inst.name,
            window_start=local(2026, 5, 1) - dt.timedelta(days=i),
            window_end=local(2026, 6, 1) + dt.timedelta(days=days),
            status=status,
            assignee_kind="person",
            assignee_user=world.users[who],
        )
        for i in range(n)
    )


def test_my_spot_checks_lists_mine_only_in_constant_queries(world, login):
    _spot(world, world.inst_a, "bureau_supervisor")
    _spot(world, world.inst_b, "admin")  # a colleague's
    _spot(world, world.inst_b, "bureau_supervisor", status="missed")
    _spot(world, world.inst_b, "bureau_supervisor", days=-1)  # ended (the sweep has not run yet)
    client = login(world.users["bureau_supervisor"])
    url = reverse("inspections:bureau_tasks")

    def count() -> tuple[int, str]:
        with CaptureQueriesContext(connection) as ctx:
            body = client.get(url).content.decode()
        return len(ctx), body

    with time_machine.travel(NOW, tick=False):
        client.get(url)  # warm: the session's memberships load into the cache once
        small, body = count()
        assert body.count('class="task-card spot-card"') == 1 and world.inst_a.name in body
        assert "2026-06-30" in body  # the window ends 1 July 00:00: the last day is 30 June
        _spot(world, world.inst_b, "bureau_supervisor", n=20)
        big, body = count()
    assert body.count('class="task-card spot-card"') == 21
    assert big == small
