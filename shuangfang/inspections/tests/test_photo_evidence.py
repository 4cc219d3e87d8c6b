"""Photo evidence on inspection records (issue 15): the time each photo was taken is kept, shown on
the record and carried to the hazard a problem item opens."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from shuangfang.core import outbox
from shuangfang.hazards.models import HazardPhoto
from shuangfang.inspections.models import Record, RecordPhoto, Task
from shuangfang.inspections.plans import generate_tasks

from .conftest import jpeg, local

pytestmark = pytest.mark.django_db

NOW = local(2026, 6, 1, 8, 30)


@pytest.fixture
def task(setup):
    with time_machine.travel(local(2026, 6, 1, 7, 0), tick=False):
        generate_tasks(horizon=dt.timedelta(hours=12))
    return Task.objects.get()


def test_each_photo_keeps_the_time_it_was_taken_and_the_hazard_gets_it(world, login, task):
    data: dict[str, object] = {"note": ""}
    for item in task.plan.checklist.items.all():
        key = str(item.uuid)
        problem = item.source_ref == "C04"
        data[f"result-{key}"] = "problem" if problem else "ok"
        data[f"note-{key}"] = "冰箱 12 度" if problem else ""
        if item.requires_photo or problem:
            data[f"photo-{key}"] = jpeg()
            data[f"photo-{key}-taken_at"] = "2026-06-01T08:12:00" if problem else "2026-06-01T09:00:00"
            data[f"photo-{key}-latitude"] = "31.2"
            data[f"photo-{key}-longitude"] = "121.4"
    client = login(world.users["staff"])
    with time_machine.travel(NOW, tick=False):
        response = client.post(reverse("inspections:task", args=[task.uuid]), data)
        outbox.drain()
    assert response.status_code == 302
    problem_photo = RecordPhoto.objects.get(record_item__item__source_ref="C04")
    assert problem_photo.taken_at == local(2026, 6, 1, 8, 12)
    assert problem_photo.latitude is None  # not allowed
    late = RecordPhoto.objects.exclude(pk=problem_photo.pk)
    assert all(p.taken_at is None for p in late)  # 09:00 is after the submit at 08:30
    hazard_photo = HazardPhoto.objects.get()
    assert hazard_photo.taken_at == local(2026, 6, 1, 8, 12)
    record = Record.objects.get()
    page = client.get(reverse("inspections:record", args=[record.uuid])).content.decode()
    assert "拍摄时间" in page and "2026-06-01 08:12" in page
