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


def test_home_buttons_show_counts_in_the_same_queries_however_many_tasks(world, login, setup):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from shuangfang.inspections.checklists import create_checkpoint
    from shuangfang.inspections.plans import create_plan

    client = login(world.users["staff"])

    def home():
        with (
            time_machine.travel(local(2026, 6, 1, 8, 30), tick=False),
            CaptureQueriesContext(connection) as queries,
        ):
            html = client.get(reverse("home")).content.decode()
        return html, len(queries)

    with time_machine.travel(local(2026, 6, 1, 7, 0), tick=False):
        generate_tasks(horizon=dt.timedelta(days=1))
    home()  # warm: the first request of a session loads the person's memberships into the cache
    html, one_task = home()
    assert 'data-key="inspections.mine"' in html
    button = html[html.index('data-key="inspections.mine"') :]
    assert '<span class="quick-count">1</span>' in button[: button.index("</a>")]
    officer = setup["officer"]
    for n in range(4):
        cp = create_checkpoint(actor=officer, organization=world.inst_a, name=f"库房{n}", building="1号楼")
        create_plan(
            actor=officer,
            organization=world.inst_a,
            name=f"库房检查{n}",
            checklist=setup["checklist"],
            frequency="daily",
            rule={"time": "08:00", "window_minutes": 120},
            assignee_kind="post",
            assignee_post=world.post_a,
            checkpoints=[cp],
        )
    with time_machine.travel(local(2026, 6, 1, 7, 0), tick=False):
        generate_tasks(horizon=dt.timedelta(days=1))
    html, five_tasks = home()
    button = html[html.index('data-key="inspections.mine"') :]
    assert '<span class="quick-count">5</span>' in button[: button.index("</a>")]
    assert five_tasks == one_task, f"{one_task} queries with one task, {five_tasks} with five"
