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
from shuangfang.orgs.models import Membership
from shuangfang.orgs.roles import Role
from shuangfang.orgs.services import add_membership, end_membership
from shuangfang.orgs.tests.factories import make_person

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


def test_a_queued_inspection_for_a_task_someone_else_already_did_is_refused_with_the_reason(
    world, login, task
):
    """A post's task: the other cook on the post sent it first; the phone's copy says so."""
    other_cook = make_person(world.root, "cook_a2", world.dept_a, Role.STAFF, post=world.post_a)
    with time_machine.travel(local(2026, 6, 1, 8, 30), tick=False):
        assert send(login(other_cook), task, uuid.uuid4(), fields(task)).status_code == 201
        mine = send(login(world.users["staff"]), task, uuid.uuid4(), fields(task))
    assert mine.status_code == 409 and "已完成" in mine.json()["detail"] and "url" not in mine.json()
    record = Record.objects.get()
    assert record.inspector == other_cook and Submission.objects.count() == 1


def test_a_queued_inspection_that_is_no_longer_yours_is_refused_with_the_reason(world, login, task):
    """The cook moved off the post while the inspection waited on the phone: 403 in words, nothing
    saved, and the key is free again (the phone may send the same answers as a snap report)."""
    cook = world.users["staff"]
    membership = Membership.objects.get(user=cook, post=world.post_a)
    end_membership(actor=world.root, membership=membership)
    add_membership(actor=world.root, person=cook, organization=world.dept_a, role=Role.STAFF)
    key = uuid.uuid4()
    with time_machine.travel(local(2026, 6, 1, 8, 30), tick=False):
        refused = send(login(cook), task, key, fields(task))
    assert refused.status_code == 403 and "不是您的任务" in refused.json()["detail"]
    assert not Record.objects.exists() and not Submission.objects.exists()
    task.refresh_from_db()
    assert task.status == "open"


def test_a_queued_inspection_with_a_non_image_or_a_40_mb_photo_says_which_item(world, login, task):
    from django.core.files.uploadedfile import SimpleUploadedFile

    cook = login(world.users["staff"])
    needs_photo = next(i for i in task.plan.checklist.items.all() if i.requires_photo)
    key = uuid.uuid4()
    with time_machine.travel(local(2026, 6, 1, 8, 30), tick=False):
        for bad, reason in (
            (
                SimpleUploadedFile("x.jpg", b"<script>alert(1)</script>", content_type="image/jpeg"),
                "不是图片",
            ),
            (SimpleUploadedFile("big.jpg", jpeg().read() + b"\0" * (40 * 1024 * 1024)), "上限"),
        ):
            data = fields(task)
            data[f"photo-{needs_photo.uuid}"] = bad
            refused = send(cook, task, key, data)
            assert refused.status_code == 422 and reason in refused.json()["detail"]
            assert needs_photo.text[:6] in refused.json()["detail"]  # the item it is about
        assert not Record.objects.exists() and not Submission.objects.exists()
        assert send(cook, task, key, fields(task)).status_code == 201  # fixed, under the same key
