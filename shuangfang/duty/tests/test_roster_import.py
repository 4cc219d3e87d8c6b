"""The duty roster kept in Excel (issue 23): exported by month (and printed), imported back as
that month's turns, all rows or none with each mistake by row and column, in a background job."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from shuangfang.core.models import Job
from shuangfang.duty import services
from shuangfang.duty.models import Override

from .helpers import shift_a

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _xlsx(rows: list[list]) -> io.BytesIO:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    out.name = "roster.xlsx"
    return out


def _import(client, world, data, capture):
    url = reverse("core:import", kwargs={"name": "duty.roster", "uuid": world.inst_a.uuid})
    with capture(execute=True):
        r = client.post(url, {"file": data})
    assert r.status_code == 302, r.content.decode()[:500]
    return Job.objects.order_by("-pk").first()


@time_machine.travel(dt.datetime(2026, 3, 10, 9, tzinfo=dt.UTC), tick=False)
def test_a_roster_imports_all_or_nothing_and_exports_back(world, login, django_capture_on_commit_callbacks):
    shift = shift_a(world)  # 白班, rotation: staff, department head
    officer = login(world.users["safety_officer"])
    staff, head = world.users["staff"], world.users["department_head"]

    template = officer.get(
        reverse("core:import", kwargs={"name": "duty.roster", "uuid": world.inst_a.uuid}) + "?template=1"
    )
    ws = load_workbook(io.BytesIO(b"".join(template.streaming_content))).active
    assert ws is not None and [c.value for c in ws[1]] == ["日期", "班次", "值班人", "备注"]

    bad = _xlsx(
        [
            ["日期", "班次", "值班人", "备注"],
            ["2026-03-01", "白班", staff.name, ""],
            ["2026-03-32", "白班", staff.name, ""],
            ["2026-03-02", "夜班", staff.name, ""],
            ["2026-03-03", "白班", "无名氏", ""],
            ["2026-03-01", "白班", head.username, ""],
        ]
    )
    job = _import(officer, world, bad, django_capture_on_commit_callbacks)
    assert job.status == Job.FAILED and "4" in job.error
    assert [(e["row"], e["column"]) for e in job.result["errors"]] == [
        (3, "日期"),
        (4, "班次"),
        (5, "值班人"),
        (6, "日期"),
    ]
    assert "2026-03-32" in job.result["errors"][0]["message"]
    assert not Override.objects.exists()  # nothing half-saved
    page = officer.get(reverse("core:job", kwargs={"uuid": job.uuid})).content.decode()
    assert "无名氏" in page and "夜班" in page

    good = _xlsx(
        [
            ["Date", "Shift", "On duty", "Note"],  # English headers read too
            [dt.date(2026, 3, 1), "白班", head.name, "调班"],
            ["2026-03-02", "白班", staff.username, ""],
        ]
    )
    job = _import(officer, world, good, django_capture_on_commit_callbacks)
    assert job.status == Job.DONE and job.result["summary"] == "已导入 2 行。"
    assert job.result_url == reverse("duty:roster", kwargs={"uuid": world.inst_a.uuid})
    assert {(o.day, o.user_id) for o in Override.objects.filter(shift=shift)} == {
        (dt.date(2026, 3, 1), head.pk),
        (dt.date(2026, 3, 2), staff.pk),
    }
    mar1 = dt.datetime(2026, 3, 1, 9, tzinfo=dt.UTC)
    assert services.on_duty(world.inst_a, mar1) == [head]

    url = reverse("duty:roster", kwargs={"uuid": world.inst_a.uuid})
    page = officer.get(url + "?month=2026-03")
    assert page.status_code == 200 and len(page.context["turns"]) == 31
    exported = officer.get(url + "?month=2026-03&export=xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(exported.streaming_content))).active
    assert sheet is not None
    rows = [tuple(c.value for c in r) for r in sheet.iter_rows()]
    assert rows[0] == ("日期", "班次", "值班人", "备注") and len(rows) == 32
    assert rows[1][:3] == (dt.datetime(2026, 3, 1), "白班", head.name)
    assert officer.get(url + "?month=2026-13").status_code == 400

    # The exported roster imports back unchanged.
    again = io.BytesIO(b"".join(officer.get(url + "?month=2026-03&export=xlsx").streaming_content))
    again.name = "back.xlsx"
    job = _import(officer, world, again, django_capture_on_commit_callbacks)
    assert job.status == Job.DONE and Override.objects.count() == 31


def test_the_import_refuses_what_is_not_a_workbook(world, login):
    shift_a(world)
    officer = login(world.users["safety_officer"])
    url = reverse("core:import", kwargs={"name": "duty.roster", "uuid": world.inst_a.uuid})
    fake = io.BytesIO(b"%PDF-1.4 not a sheet")
    fake.name = "roster.xlsx"
    r = officer.post(url, {"file": fake})
    assert r.status_code == 400 and "不是 Excel" in r.content.decode() or "xlsx" in r.content.decode()
    assert not Job.objects.exists()
    unknown = reverse("core:import", kwargs={"name": "nope", "uuid": world.inst_a.uuid})
    assert officer.get(unknown).status_code == 404
    bureau = reverse("core:import", kwargs={"name": "duty.roster", "uuid": world.dept_a.uuid})
    assert officer.get(bureau).status_code == 404


def test_the_roster_page_costs_the_same_queries_with_more_shifts_and_people(world, login):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    shift_a(world)
    officer = login(world.users["safety_officer"])
    url = reverse("duty:roster", kwargs={"uuid": world.inst_a.uuid}) + "?month=2026-03"
    officer.get(url)  # warm the scope caches
    with CaptureQueriesContext(connection) as one:
        assert officer.get(url).status_code == 200
    services.save_shift(
        actor=world.root,
        organization=world.inst_a,
        members=[world.users["safety_officer"], world.users["institution_head"], world.users["staff"]],
        name="夜班",
        start_time=dt.time(20, 0),
        duration_minutes=12 * 60,
        rotation_start=dt.date(2026, 1, 1),
    )
    with CaptureQueriesContext(connection) as two:
        assert officer.get(url).status_code == 200
    assert len(two.captured_queries) == len(one.captured_queries)
