import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from shuangfang.core import events
from shuangfang.core.models import AuditEntry
from shuangfang.inspections.choices import TaskStatus
from shuangfang.inspections.models import Record, RecordPhoto, Task
from shuangfang.inspections.plans import generate_tasks
from shuangfang.inspections.records import Answer, AnswerErrors
from shuangfang.inspections.taskflow import my_missed_count, my_tasks_now, submit_record, sweep_missed

from .conftest import jpeg, local


@pytest.fixture
def task(setup):
    with time_machine.travel(local(2026, 6, 1, 7, 0), tick=False):
        generate_tasks(horizon=dt.timedelta(hours=12))
    return Task.objects.get()


@pytest.fixture
def published():
    return events.Published("inspection.*")


def answers(task, problem_photo=True, photo_for_required=True):
    out = []
    for item in task.plan.checklist.items.all():
        if item.source_ref == "C04":
            out.append(Answer(str(item.uuid), "problem", "冰箱温度 12 度", [jpeg()] if problem_photo else []))
        else:
            out.append(
                Answer(
                    str(item.uuid), "ok", "", [jpeg()] if item.requires_photo and photo_for_required else []
                )
            )
    return out


def test_a_problem_item_publishes_exactly_one_event_and_resubmitting_is_refused(
    world, task, published, django_capture_on_commit_callbacks
):
    cook = world.users["staff"]
    with (
        time_machine.travel(local(2026, 6, 1, 8, 30), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        record = submit_record(actor=cook, task=task, answers=answers(task), note="")
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE
    assert record.problem_count == 1 and record.inspector == cook
    assert record.submitted_at == local(2026, 6, 1, 8, 30)
    problems = [p for k, p in published if k == "inspection.problem_found"]
    assert len(problems) == 1
    p = problems[0]
    item = record.items.get(result="problem")
    assert p["origin"] == f"inspection-item:{item.uuid}"
    assert p["organization_id"] == world.inst_a.pk and p["reporter_id"] == cook.pk
    assert p["category"] == "food" and p["grade"] == "general" and p["location"] == "1号楼 1层 厨房"
    assert p["department_id"] == world.dept_a.pk
    assert len(p["photo_names"]) == 1 and p["photo_names"][0] == item.photos.get().original
    assert AuditEntry.objects.filter(action="record.submit").count() == 1

    with (
        time_machine.travel(local(2026, 6, 1, 8, 40), tick=False),
        pytest.raises(ValidationError, match="already"),
    ):
        submit_record(actor=cook, task=task, answers=answers(task))
    assert Record.objects.count() == 1
    assert len([k for k, _p in published if k == "inspection.problem_found"]) == 1


def test_a_task_that_is_not_yours_is_refused(world, task):
    with time_machine.travel(local(2026, 6, 1, 8, 30), tick=False), pytest.raises(PermissionDenied):
        submit_record(actor=world.users["department_head"], task=task, answers=answers(task))
    assert not Record.objects.exists()


def test_an_expired_window_is_refused(world, task):
    with (
        time_machine.travel(local(2026, 6, 1, 10, 1), tick=False),
        pytest.raises(ValidationError, match="ended"),
    ):
        submit_record(actor=world.users["staff"], task=task, answers=answers(task))
    assert not Record.objects.exists()


def test_missing_required_photo_and_non_image_save_nothing(world, task):
    cook = world.users["staff"]
    with time_machine.travel(local(2026, 6, 1, 8, 30), tick=False):
        with pytest.raises(AnswerErrors) as exc:
            submit_record(actor=cook, task=task, answers=answers(task, photo_for_required=False))
        assert any("photo" in m for m in exc.value.item_errors.values())
        bad = answers(task)
        bad[0].photos = [SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")]
        with pytest.raises(AnswerErrors) as exc2:
            submit_record(actor=cook, task=task, answers=bad)
        assert "picture" in " ".join(exc2.value.item_errors.values())
    assert not Record.objects.exists() and not RecordPhoto.objects.exists()
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN


def test_my_tasks_now_lists_only_open_windows_for_my_post(world, task, setup):
    cook = world.users["staff"]
    with time_machine.travel(local(2026, 6, 1, 8, 30), tick=False):
        assert list(my_tasks_now(cook)) == [task]
        assert list(my_tasks_now(cook, checkpoint=setup["checkpoint"])) == [task]
        assert list(my_tasks_now(world.users["department_head"])) == []
        assert list(my_tasks_now(world.users["outsider"])) == []
    with time_machine.travel(local(2026, 6, 1, 7, 30), tick=False):
        assert list(my_tasks_now(cook)) == []
    with time_machine.travel(local(2026, 6, 1, 10, 30), tick=False):
        sweep_missed()
        assert my_missed_count(cook) == 1
        assert my_missed_count(world.users["department_head"]) == 0


def test_on_shift_is_whoever_the_roster_says_and_the_post_holders_without_a_roster(world):
    import datetime as dt

    from django.utils import timezone

    from shuangfang.duty import services as duty
    from shuangfang.inspections.assignment import on_shift

    assert on_shift(world.inst_a, post=world.post_a) == [world.users["staff"]]
    duty.save_shift(
        actor=world.users["institution_head"],
        organization=world.inst_a,
        members=[world.users["department_head"]],
        name="全天",
        start_time=dt.time(0, 0),
        duration_minutes=24 * 60,
        rotation_start=timezone.localdate() - dt.timedelta(days=1),
        post=world.post_a,
    )
    assert on_shift(world.inst_a, post=world.post_a) == [world.users["department_head"]]
