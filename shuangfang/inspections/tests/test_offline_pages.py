"""The home page names the pages the phone keeps for offline use: the person's due tasks (each
with its checklist), their checkpoints and risk points, and the snap report form; in a fixed number
of queries however many tasks are due."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine
from django.urls import reverse

from shuangfang.inspections.plans import generate_tasks

from .conftest import local

pytestmark = pytest.mark.django_db


def offline_pages(response) -> list[str]:
    html = response.content.decode()
    start = html.index('id="offline-pages"')
    body = html[html.index(">", start) + 1 : html.index("</script>", start)]
    return json.loads(body)


def test_home_names_the_due_tasks_checkpoints_and_the_snap_report(world, login, setup):
    with time_machine.travel(local(2026, 6, 1, 7, 0), tick=False):
        generate_tasks(horizon=dt.timedelta(days=1))
    client = login(world.users["staff"])
    with time_machine.travel(local(2026, 6, 1, 8, 30), tick=False):
        pages = offline_pages(client.get(reverse("home")))
    task = setup["plan"].tasks.get()
    assert reverse("inspections:task", args=[task.uuid]) in pages
    assert reverse("inspections:checkpoint", args=[setup["checkpoint"].uuid]) in pages
    assert reverse("hazards:report") in pages and reverse("inspections:mine") in pages
    with time_machine.travel(local(2026, 6, 1, 10, 30), tick=False):  # the window has ended
        pages = offline_pages(client.get(reverse("home")))
    assert reverse("inspections:task", args=[task.uuid]) not in pages
    # someone of another institution is given none of them
    outsider = offline_pages(login(world.users["outsider"]).get(reverse("home")))
    assert not [p for p in outsider if str(task.uuid) in p or str(setup["checkpoint"].uuid) in p]
