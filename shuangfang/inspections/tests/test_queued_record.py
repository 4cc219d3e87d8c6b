"""An inspection sent by the phone's outbox (core.submissions): one record however often it is
sent again; a queued submission the server must refuse says why and saves nothing."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
import time_machine
from django.urls import reverse

from shuangfang.core.models import Submission
from shuangfang.inspections.models import Record, Task
from shuangfang.inspections.plans import generate_tasks

from .conftest import jpeg, local

pytestmark = pytest.mark.django_db


def fields(task) -> dict:
    data: dict = {}
    for item in task.plan.checklist.items.all():
        data[f"result-{item.uuid}"] = "ok"
        if item.requires_photo:
            data[f"photo-{item.uuid}"] = jpeg(f"{item.uuid}.jpg")
    return data


def send(client, task, key, data):
    return client.post(
        reverse("inspections:task", args=[task.uuid]), data, HTTP_IDEMPOTENCY_KEY=str(key), HTTP_X_QUEUED="1"
    )


@pytest.fixture
def task(world, setup):
    with time_machine.travel(local(2026, 6, 1, 7, 0), tick=False):
        generate_tasks(horizon=dt.timedelta(days=1))
    return Task.objects.select_related("plan__checklist").order_by("window_start").first()


def test_a_replayed_inspection_makes_one_record(world, login, task):
    client = login(world.users["staff"])
    key = uuid.uuid4()
    with time_machine.travel(local(2026, 6, 1, 8, 30), tick=False):
        first = send(client, task, key, fields(task))
        assert first.status_code == 201, first.content
        for _ in range(3):
            again = send(client, task, key, fields(task))
            assert again.status_code == 200 and again.json()["url"] == first.json()["url"]
    record = Record.objects.get()
    assert first.json()["url"] == reverse("inspections:record", args=[record.uuid])


def test_a_queued_inspection_refused_by_the_server_says_why_and_saves_nothing(world, login, task):
    cook = login(world.users["staff"])
    with time_machine.travel(local(2026, 6, 1, 10, 30), tick=False):  # the window ended at 10:00
        late = send(cook, task, uuid.uuid4(), fields(task))
    assert late.status_code == 409 and "不能再提交" in late.json()["detail"]
    with time_machine.travel(local(2026, 6, 1, 8, 30), tick=False):
        assert send(cook, task, uuid.uuid4(), fields(task)).status_code == 201
        done = send(cook, task, uuid.uuid4(), fields(task))  # done already (by the same post)
        assert done.status_code == 409 and "已完成" in done.json()["detail"]
        # a queued submission for a task of another institution: not found, nothing said about it
        stranger = send(login(world.users["outsider"]), task, uuid.uuid4(), fields(task))
        assert stranger.status_code == 404 and "url" not in stranger.json()
    assert Record.objects.count() == 1 and Submission.objects.count() == 1
