import datetime as dt
import json

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shuangfang.core import events
from shuangfang.inspections.checklists import create_checklist
from shuangfang.inspections.models import Plan, Record, Task
from shuangfang.inspections.plans import generate_tasks
from shuangfang.inspections.records import Answer, bureau_inspect
from shuangfang.orgs import services as org_services

from .conftest import jpeg, local

NOW = local(2026, 6, 1, 8, 30)


@pytest.fixture
def task(setup):
    with time_machine.travel(local(2026, 6, 1, 7, 0), tick=False):
        generate_tasks(horizon=dt.timedelta(hours=12))
    return Task.objects.get()


def _form(task, *, photos=True, bad_photo=False):
    data: dict[str, object] = {"note": "整体正常"}
    for item in task.plan.checklist.items.all():
        key = str(item.uuid)
        data[f"result-{key}"] = "problem" if item.source_ref == "C04" else "ok"
        data[f"note-{key}"] = "冰箱 12 度" if item.source_ref == "C04" else ""
        if (item.requires_photo or item.source_ref == "C04") and photos:
            data[f"photo-{key}"] = SimpleUploadedFile("x.txt", b"hello") if bad_photo else jpeg()
    return data


def test_missing_photo_re_renders_the_form_with_what_was_entered(world, login, task):
    client = login(world.users["staff"])
    with time_machine.travel(NOW, tick=False):
        r = client.post(reverse("inspections:task", args=[task.uuid]), _form(task, photos=False))
    html = r.content.decode()
    assert r.status_code == 200
    assert "此项需要照片" in html
    assert 'value="冰箱 12 度"' in html and "整体正常" in html
    assert 'value="problem" checked' in html
    assert not Record.objects.exists()


def test_non_image_upload_is_refused_with_a_message(world, login, task):
    client = login(world.users["staff"])
    with time_machine.travel(NOW, tick=False):
        r = client.post(reverse("inspections:task", args=[task.uuid]), _form(task, bad_photo=True))
    assert "不是图片" in r.content.decode()
    assert not Record.objects.exists()


def test_someone_elses_task_is_refused(world, login, task):
    client = login(world.users["department_head"])
    with time_machine.travel(NOW, tick=False):
        r = client.post(reverse("inspections:task", args=[task.uuid]), _form(task))
    assert r.status_code == 403 and "不是您的任务" in r.content.decode()
    assert not Record.objects.exists()


def test_done_task_then_ledger_excel_and_pdf_with_photos(world, login, task):
    with time_machine.travel(NOW, tick=False):
        r = login(world.users["staff"]).post(reverse("inspections:task", args=[task.uuid]), _form(task))
    record = Record.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("inspections:record", args=[record.uuid])
    officer = login(world.users["safety_officer"])
    page = officer.get(reverse("inspections:ledger"))
    assert "已检" in page.content.decode()
    xlsx = officer.get(reverse("inspections:ledger") + "?export=xlsx")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    pdf = officer.get(reverse("inspections:ledger") + "?export=pdf")
    body = b"".join(pdf.streaming_content) if pdf.streaming else pdf.content
    assert pdf["Content-Type"] == "application/pdf" and body.startswith(b"%PDF")
    assert b"/Subtype /Image" in body or b"/Image" in body  # the problem photo is embedded
    photo = record.items.get(result="problem").photos.get()
    assert officer.get(reverse("inspections:photo", args=[photo.uuid]) + "?size=thumb").status_code == 200
    assert (
        login(world.users["outsider"]).get(reverse("inspections:photo", args=[photo.uuid])).status_code == 404
    )


def _many_tasks(plan, n: int, status: str):
    Task.objects.bulk_create(
        [
            Task(
                organization=plan.organization,
                plan=plan,
                place_key=f"x{i}",
                location=f"点{i}",
                window_start=local(2026, 5, 1, 8) + dt.timedelta(hours=i),
                window_end=local(2026, 5, 1, 9) + dt.timedelta(hours=i),
                status=status,
                assignee_kind=plan.assignee_kind,
                assignee_post=plan.assignee_post,
            )
            for i in range(n)
        ]
    )


def test_ledger_and_my_tasks_query_counts_do_not_grow_with_rows(world, login, setup):
    plan = setup["plan"]
    officer = login(world.users["safety_officer"])
    cook = world.users["staff"]

    def count(fn) -> int:
        with CaptureQueriesContext(connection) as ctx:
            fn()
        return len(ctx)

    _many_tasks(plan, 3, "missed")
    officer.get(reverse("inspections:ledger"))  # warm: the session's memberships load into the cache once
    small = count(lambda: officer.get(reverse("inspections:ledger")))
    _many_tasks(Plan.objects.get(pk=plan.pk), 0, "missed")
    Task.objects.all().delete()
    _many_tasks(plan, 40, "missed")
    big = count(lambda: officer.get(reverse("inspections:ledger")))
    assert big == small

    Task.objects.all().delete()
    _many_tasks(plan, 3, "open")
    Task.objects.update(window_start=local(2026, 6, 1, 8), window_end=local(2026, 6, 1, 10))
    client = login(cook)
    with time_machine.travel(NOW, tick=False):
        client.get(reverse("inspections:mine"))  # warm, as above
        small = count(lambda: client.get(reverse("inspections:mine")))
        Task.objects.all().delete()
        _many_tasks(plan, 30, "open")
        Task.objects.update(window_start=local(2026, 6, 1, 8), window_end=local(2026, 6, 1, 10))
        big = count(lambda: client.get(reverse("inspections:mine")))
    assert big <= small + 1


def test_api_multipart_submit_publishes_one_event_and_refuses_a_second_submit(
    world, task, django_capture_on_commit_callbacks
):
    from django.test import Client

    _tok, raw = org_services.issue_api_token(actor=world.users["staff"], name="phone", scope="read_write")
    client = Client(headers={"Authorization": f"Bearer {raw}", "Accept-Language": "en"})
    seen = events.Published("inspection.problem_found", payloads=True)
    answers: list[dict] = []
    photos: list = []
    for item in task.plan.checklist.items.all():
        entry: dict[str, object] = {"item": str(item.uuid), "result": "ok", "photos": []}
        if item.source_ref == "C04":
            entry.update(result="problem", note="冰箱 12 度")
        if item.requires_photo or item.source_ref == "C04":
            entry["photos"] = [len(photos)]
            photos.append(jpeg(f"{len(photos)}.jpg"))
        answers.append(entry)
    url = f"/api/v1/inspections/tasks/{task.uuid}/record"
    with time_machine.travel(NOW, tick=False):
        mine = client.get("/api/v1/inspections/tasks/mine").json()
        assert [t["uuid"] for t in mine] == [str(task.uuid)]
        with django_capture_on_commit_callbacks(execute=True):
            r = client.post(url, {"answers": json.dumps(answers), "photos": photos, "latitude": "34.79"})
        assert r.status_code == 201, r.content
        assert r.json()["problem_count"] == 1
        photos = [jpeg(f"{i}.jpg") for i in range(len(photos))]
        again = client.post(url, {"answers": json.dumps(answers), "photos": photos})
        assert again.status_code == 400 and "already" in again.json()["detail"]
    assert len(seen) == 1 and seen[0]["origin"].startswith("inspection-item:")
    assert Record.objects.get().latitude is not None


def test_bureau_inspection_records_a_done_task_in_the_institutions_ledger(
    world, django_capture_on_commit_callbacks
):
    sup = world.users["bureau_supervisor"]
    checklist = create_checklist(
        actor=world.users["admin"],
        organization=world.bureau,
        name="局检",
        kind="bureau",
        category="rules",
        library_codes=["F01", "F02"],
    )
    items = list(checklist.items.all())
    answers = [
        Answer(str(items[0].uuid), "ok"),
        Answer(str(items[1].uuid), "problem", "台账未闭环"),
    ]
    record = bureau_inspect(actor=sup, institution=world.inst_a, checklist=checklist, answers=answers)
    assert record.organization == world.inst_a and record.by_bureau == world.bureau
    assert record.task is not None and record.task.status == "done" and record.problem_count == 1
    with pytest.raises(PermissionDenied):
        bureau_inspect(
            actor=world.users["safety_officer"],
            institution=world.inst_a,
            checklist=checklist,
            answers=answers,
        )


def test_officer_creates_a_plan_from_the_night_patrol_template(world, login, setup):
    officer = login(world.users["safety_officer"])
    page = officer.get(reverse("inspections:plan_create") + "?template=night_fire_patrol")
    assert 'name="interval_hours"' in page.content.decode()
    r = officer.post(
        reverse("inspections:plan_create"),
        {
            "template": "night_fire_patrol",
            "name": "夜间防火巡查",
            "checklist": setup["checklist"].pk,
            "checkpoints": [setup["checkpoint"].pk],
            "assignee_kind": "on_shift",
            "assignee_post": world.post_a.pk,
            "frequency": "hours",
            "interval_hours": 2,
            "start": "20:00",
            "end": "06:00",
            "day_rule": "all",
        },
    )
    assert r.status_code == 302, r.content.decode()[:3000]
    plan = Plan.objects.get(name="夜间防火巡查")
    assert (
        plan.rule["interval_hours"] == 2
        and plan.template is not None
        and plan.template.code == "night_fire_patrol"
    )
    assert plan.tasks.exists()
    bad = officer.post(
        reverse("inspections:plan_create"),
        {
            "name": "x",
            "checklist": setup["checklist"].pk,
            "location": "厨房",
            "assignee_kind": "post",
            "frequency": "weekly",
            "day_rule": "all",
        },
    )
    assert bad.status_code == 200 and "岗位" in bad.content.decode() or "星期" in bad.content.decode()
