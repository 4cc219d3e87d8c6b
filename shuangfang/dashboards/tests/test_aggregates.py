"""The pre-aggregated counts the dashboards read: rebuilt and checked by the management command,
moved by the services (the figures change without a rebuild), and exact under concurrent changes
(PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import random
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.db.models import F

from shuangfang.core.vocabulary import CheckCategory, HazardGrade
from shuangfang.dashboards import queries
from shuangfang.hazards import services as hazards
from shuangfang.hazards.choices import Source, Status
from shuangfang.hazards.counts import HAZARDS
from shuangfang.hazards.models import Hazard, HazardMonth
from shuangfang.hazards.tests.conftest import jpeg
from shuangfang.inspections.checklists import create_checklist, create_checkpoint
from shuangfang.inspections.choices import AssigneeKind, ChecklistKind, TaskStatus
from shuangfang.inspections.counts import TASKS
from shuangfang.inspections.models import Task, TaskDay
from shuangfang.inspections.plans import create_plan, generate_tasks
from shuangfang.inspections.records import Answer
from shuangfang.inspections.taskflow import submit_record, sweep_missed
from shuangfang.inspections.tests.conftest import local

from .records import fill


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }


def _report(world, text: str = "灭火器过期") -> Hazard:
    return hazards.report_hazard(
        actor=world.users["staff"], organization=world.inst_a, description=text, source=Source.SNAP
    )


def _fix_on_the_spot(world, h: Hazard) -> Hazard:
    return hazards.confirm_fix_now(
        actor=world.users["safety_officer"],
        hazard=h,
        grade=HazardGrade.GENERAL,
        category=CheckCategory.FIRE,
        fix_note="当场处理",
        photos=[jpeg()],
    )


@pytest.mark.django_db
def test_rebuild_is_idempotent_and_check_finds_a_wrong_count(world, capsys):
    fill(world.inst_a, world.users["safety_officer"], n=4, post=world.post_a)
    first = (set(HazardMonth.objects.values_list()), set(TaskDay.objects.values_list()))
    call_command("dashboards_rebuild_aggregates", verbosity=0)
    again = (set(HazardMonth.objects.values_list()), set(TaskDay.objects.values_list()))
    assert {r[1:] for r in first[0]} == {r[1:] for r in again[0]}  # same counts (new row ids)
    assert {r[1:] for r in first[1]} == {r[1:] for r in again[1]}
    call_command("dashboards_rebuild_aggregates", "--check")
    HazardMonth.objects.filter(closed__gt=0).update(closed=F("closed") + 1)
    TaskDay.objects.all().delete()
    with pytest.raises(CommandError, match="differ"):
        call_command("dashboards_rebuild_aggregates", "--check")
    out = capsys.readouterr().out
    assert "hazards per month: 1 keys differ" in out and "tasks per day: " in out
    call_command("dashboards_rebuild_aggregates", verbosity=0)
    call_command("dashboards_rebuild_aggregates", "--check", verbosity=0)


@pytest.mark.django_db
def test_the_figures_follow_the_services_without_a_rebuild(world, media):
    inst = world.inst_a.pk
    before = queries.figures([inst])[inst]
    month = queries.hazard_trend([inst])[-1]
    h = _fix_on_the_spot(world, _report(world))
    hazards.accept(actor=world.users["institution_head"], hazard=h)
    hazards.reject(actor=world.users["safety_officer"], hazard=_report(world, "误报"), reason="不是隐患")
    after = queries.figures([inst])[inst]
    assert (after["closed"], after["closed_on_time"]) == (before["closed"] + 1, before["closed_on_time"] + 1)
    now = queries.hazard_trend([inst])[-1]
    assert (now["reported"], now["closed"], now["open"]) == (month["reported"] + 1, month["closed"] + 1, 0)


@pytest.mark.django_db(transaction=True)
def test_concurrent_moves_and_completions_lose_no_count(world, media):
    """Eight threads at once on one institution (the same monthly and daily count rows): hazards
    reported, accepted and rejected, tasks submitted while a sweep marks the rest missed. The counts
    end equal to the records."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks and concurrent upserts are exercised on PostgreSQL; SQLite has one writer")
    from shuangfang.inspections import seed

    seed.load(only_if_missing=True)
    officer, head = world.users["safety_officer"], world.users["institution_head"]
    pending = [_fix_on_the_spot(world, _report(world, f"待验收{i}")) for i in range(10)]
    to_reject = [_report(world, f"误报{i}") for i in range(6)]
    checklist = create_checklist(
        actor=officer,
        organization=world.inst_a,
        name="巡查",
        kind=ChecklistKind.POST,
        category="fire",
        library_codes=["A01"],
    )
    points = [create_checkpoint(actor=officer, organization=world.inst_a, name=f"点{i}") for i in range(8)]
    create_plan(
        actor=officer,
        organization=world.inst_a,
        name="每日巡查",
        checklist=checklist,
        frequency="daily",
        rule={"time": "08:00", "window_minutes": 120},
        assignee_kind=AssigneeKind.POST,
        assignee_post=world.post_a,
        checkpoints=points,
    )
    generate_tasks(now=local(2026, 6, 1, 7, 0), horizon=dt.timedelta(hours=12))
    tasks = list(Task.objects.select_related("plan__checklist"))
    assert len(tasks) == 8
    item = checklist.items.get()

    def submit(task):
        answer = Answer(str(item.uuid), "ok", "", [jpeg()] if item.requires_photo else [])
        submit_record(actor=world.users["staff"], task=task, answers=[answer], now=local(2026, 6, 1, 9, 0))

    jobs = (
        [lambda h=h: hazards.accept(actor=head, hazard=h) for h in pending]
        + [lambda h=h: hazards.reject(actor=officer, hazard=h, reason="不是隐患") for h in to_reject]
        + [lambda i=i: _report(world, f"新报{i}") for i in range(8)]
        + [lambda t=t: submit(t) for t in tasks[:6]]
        + [lambda: sweep_missed(now=local(2026, 6, 1, 10, 30), batch=2)]
    )
    random.Random(7).shuffle(jobs)
    start = threading.Barrier(8)
    refused: list[str] = []

    def run(job):
        try:
            job()
        except ValidationError as exc:  # a submission that lost the race to the sweep
            refused.append(str(exc))
        finally:
            connections.close_all()

    def worker(chunk):
        start.wait()
        for job in chunk:
            run(job)

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(worker, [jobs[i::8] for i in range(8)]))

    assert HAZARDS.differences() == {}
    assert TASKS.differences() == {}
    assert Hazard.objects.filter(status=Status.CLOSED).count() == 10
    assert sum(HazardMonth.objects.values_list("closed", flat=True)) == 10
    assert sum(HazardMonth.objects.values_list("reported", flat=True)) == 10 + 8
    done = Task.objects.filter(status=TaskStatus.DONE).count()
    missed = Task.objects.filter(status=TaskStatus.MISSED).count()
    assert done + missed == 8 and done == 6 - len(refused)
    assert list(TaskDay.objects.values_list("done", "missed")) == [(done, missed)]
