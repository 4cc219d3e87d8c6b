"""The monthly figures against the records they count, and the audited export."""

from __future__ import annotations

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from shuangfang.core.models import AuditEntry
from shuangfang.core.periods import month
from shuangfang.relief import cases, stats
from shuangfang.relief.choices import IdType

from .helpers import admitted, new_case

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def at(day, hour=10):
    return dt.datetime(2026, 3, day, hour, tzinfo=SH)


def build(w):
    """March 2026 at the station: five admissions, three departures, one refusal, one hospital."""
    staff = w.users["staff"]
    with time_machine.travel(dt.datetime(2026, 2, 27, 10, tzinfo=SH), tick=False):
        feb = admitted(w, name="二月甲", seq=1, born=dt.date(1950, 1, 1))  # 76: admitted in February
    with time_machine.travel(at(2), tick=False) as clock:
        child = admitted(w, name="童甲", seq=2, born=dt.date(2021, 6, 1), region="own_province")  # 4
        teen = admitted(w, name="少甲", seq=3, born=dt.date(2010, 3, 3))  # 16, male minor
        adult = admitted(
            w, name="成甲", seq=4, born=dt.date(1990, 1, 1), sex="female", region="other_province"
        )
        old = admitted(w, name="老甲", seq=5, born=dt.date(1940, 1, 1))
        nodoc = admitted(w, name="无名氏", id_type=IdType.NONE, id_number="", birth_date=None)  # age unknown
        refused = new_case(w, name="拒甲", seq=6)
        cases.move(refused, "refuse", actor=staff, reason="self_sufficient")
        sick = new_case(w, name="病甲", seq=7)
        cases.move(sick, "check", actor=staff, method="gate", result="passed")
        cases.move(sick, "divert", actor=staff, signs=["critical"], hospital="虚构医院")
        clock.move_to(at(6))  # child and adult leave after 5 days (day 1 counted)
        cases.move(child, "depart", actor=staff, mode="collected", cross_province=False)
        cases.move(adult, "depart", actor=staff, mode="escorted", cross_province=True)
        clock.move_to(at(9))  # the February one leaves after 11 days
        cases.move(feb, "depart", actor=staff, mode="ticket", voucher="K123 虚构站")
        clock.move_to(dt.datetime(2026, 4, 2, 10, tzinfo=SH))
        cases.move(teen, "depart", actor=staff, mode="left")  # April: not in March
    return {"old": old, "nodoc": nodoc}


def test_figures_match_the_records(world):
    build(world)
    f = stats.monthly([world.inst_a], month(2026, 3))
    assert f.assisted == 5
    assert f.sex["male"] == 4 and f.sex["female"] == 1
    assert dict(f.age) == {"0-6": 1, "7-18": 1, "19-59": 1, "60+": 1, "unknown": 1}
    assert f.minor_male == 2  # the child (4) and the teenager (16)
    assert f.region["own_province"] == 1 and f.region["other_province"] == 1
    assert dict(f.departures) == {"collected": 1, "escorted": 1, "ticket": 1}
    assert dict(f.cross_province) == {"escorted": 1}
    assert f.average_days == round((5 + 5 + 11) / 3, 1)
    assert f.refused == 1 and f.hospital_first == 1
    # In station at the end of March, past the 10 days from 2 March: teen, old, nodoc.
    assert f.stranded == 3
    assert stats.monthly([world.inst_a], month(2026, 2)).assisted == 1
    assert stats.monthly([world.inst_b], month(2026, 3)).assisted == 0


def test_page_and_spreadsheet_for_the_bureau_without_names(world, login):
    build(world)
    client = login(world.users["bureau_supervisor"])
    page = client.get(reverse("relief:stats"), {"month": "2026-03"})
    assert page.status_code == 200
    assert "老甲" not in page.content.decode()
    xlsx = client.get(reverse("relief:stats"), {"month": "2026-03", "export": "xlsx"})
    wb = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content)))
    figures = {(r[0].value, r[1].value): r[2].value for r in list(wb.worksheets[0].iter_rows())[1:]}
    assert figures[("Assisted", "Total")] == 5
    assert figures[("Stay", "Average days in station")] == 7.0
    assert client.get(reverse("relief:stats"), {"month": "2026-13"}).status_code == 400


def test_export_needs_its_right_and_is_audited(world, login):
    new_case(world, name="=HYPERLINK(1)")
    assert login(world.users["staff"]).get(reverse("relief:export")).status_code == 404
    response = login(world.users["institution_head"]).get(reverse("relief:export"))
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    ws = wb.worksheets[0]
    row = [c.value for c in list(ws.iter_rows())[1]]
    assert row[1] == "=HYPERLINK(1)" and ws.cell(2, 2).data_type == "s"
    assert "*" in str(row[4])  # masked
    entry = AuditEntry.objects.get(action="relief.exported")
    assert entry.actor == world.users["institution_head"]


def test_api_figures_and_a_bad_month(world):
    from django.test import Client

    from shuangfang.orgs import services

    build(world)
    _token, raw = services.issue_api_token(actor=world.users["bureau_supervisor"], name="t", scope="read")
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    url = f"/api/v1/relief/organizations/{world.bureau.uuid}/statistics"
    body = client.get(url, {"month": "2026-03"}).json()
    assert body["stations"] == 1
    assert {(x["group"], x["item"]): x["figure"] for x in body["lines"]}[("Assisted", "Total")] == 5
    bad = client.get(url, {"month": "2026-13"})
    assert bad.status_code == 400 and "2026-13" in bad.json()["detail"]
    elderly = client.get(f"/api/v1/relief/organizations/{world.inst_b.uuid}/statistics")
    assert elderly.status_code == 404


def test_a_city_wide_workbook_over_the_limit_is_made_by_a_worker(
    world, login, settings, tmp_path, django_capture_on_commit_callbacks
):
    """Issue 23: over STATS_IMMEDIATE_STATIONS stations the export is a background job whose file
    holds exactly what the immediate export holds."""
    from shuangfang.core.models import Job

    settings.MEDIA_ROOT = tmp_path
    build(world)
    client = login(world.users["bureau_supervisor"])
    query = {"month": "2026-03", "export": "xlsx"}
    immediate = client.get(reverse("relief:stats"), query)

    def rows(data: bytes) -> list[list]:
        return [
            [c.value for c in r] for ws in load_workbook(io.BytesIO(data)).worksheets for r in ws.iter_rows()
        ]

    expected = rows(b"".join(immediate.streaming_content))
    settings.STATS_IMMEDIATE_STATIONS = 0
    with django_capture_on_commit_callbacks(execute=True):
        r = client.get(reverse("relief:stats"), query)
    job = Job.objects.get()
    assert r.status_code == 302 and job.status == Job.DONE and job.filename.endswith(".xlsx")
    got = client.get(reverse("core:job_file", kwargs={"uuid": job.uuid}))
    assert rows(b"".join(got.streaming_content)) == expected
