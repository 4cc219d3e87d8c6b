"""The hazard filed for a problem item is titled from its note, and the record links to it (issue 15:
"发现问题：安全出口标志…完好有效" read as "no problem")."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shuangfang.core import outbox
from shuangfang.hazards.models import Hazard
from shuangfang.inspections.models import Record, Task
from shuangfang.inspections.plans import generate_tasks

from .conftest import jpeg, local

pytestmark = pytest.mark.django_db

NOW = local(2026, 6, 1, 8, 30)


@pytest.fixture
def task(setup):
    with time_machine.travel(local(2026, 6, 1, 7, 0), tick=False):
        generate_tasks(horizon=dt.timedelta(hours=12))
    return Task.objects.get()


def _submit(client, task, problems: dict[str, str]):
    data: dict[str, object] = {"note": ""}
    for item in task.plan.checklist.items.all():
        key = str(item.uuid)
        note = problems.get(item.source_ref)
        data[f"result-{key}"] = "problem" if note is not None else "ok"
        data[f"note-{key}"] = note or ""
        if item.requires_photo:
            data[f"photo-{key}"] = jpeg()
    with time_machine.travel(NOW, tick=False):
        response = client.post(reverse("inspections:task", args=[task.uuid]), data)
        outbox.drain()
    assert response.status_code == 302, response.content.decode()[:2000]
    return Record.objects.get()


def test_the_record_links_each_problem_to_its_hazard_titled_from_the_note(world, login, task):
    cook = login(world.users["staff"])
    record = _submit(cook, task, {"C04": "冷藏柜温度 12 度", "A04": "过道堆放纸箱"})
    hazards = {h.title: h for h in Hazard.objects.all()}
    assert set(hazards) == {"冷藏柜温度 12 度", "过道堆放纸箱"}
    page = cook.get(reverse("inspections:record", args=[record.uuid])).content.decode()
    for hazard in hazards.values():
        assert reverse("hazards:detail", args=[hazard.uuid]) in page and hazard.number in page
    assert page.count('class="record-hazard"') == 2  # none under the items marked 正常
    officer = login(world.users["safety_officer"])  # the hazard links back to the record
    detail = officer.get(reverse("hazards:detail", args=[hazards["过道堆放纸箱"].uuid])).content.decode()
    assert reverse("inspections:record", args=[record.uuid]) in detail


def test_the_link_costs_the_same_queries_whether_or_not_the_hazard_is_filed_yet(world, login, task):
    record = _submit(login(world.users["staff"]), task, {"C04": "冷藏柜温度 12 度"})
    officer = login(world.users["safety_officer"])
    url = reverse("inspections:record", args=[record.uuid])
    officer.get(url)  # warm the caches (menu, scope)
    with CaptureQueriesContext(connection) as with_link:
        page = officer.get(url).content.decode()
    assert 'class="record-hazard"' in page
    Hazard.objects.all().delete()
    with CaptureQueriesContext(connection) as without:
        page = officer.get(url).content.decode()
    assert 'class="record-hazard"' not in page  # not filed (yet): the record says nothing wrong
    assert len(with_link.captured_queries) == len(without.captured_queries)
