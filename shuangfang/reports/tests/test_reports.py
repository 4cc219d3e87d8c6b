from __future__ import annotations

import datetime as dt
import io
import json
import subprocess

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from shuangfang.core.models import AuditEntry, Job
from shuangfang.dashboards.tests.records import add_institution
from shuangfang.hazards.models import Hazard, HazardEvent
from shuangfang.inspections.models import Task
from shuangfang.monitoring.models import Alarm
from shuangfang.notifications.models import Notification
from shuangfang.orgs.models import Organization
from shuangfang.reports import content, queries, services
from shuangfang.reports.models import Report
from shuangfang.reports.periods import Period, last_ended, parse, report_kind

from .helpers import at, hazard, period_records

pytestmark = pytest.mark.django_db

OCT = parse("2026-10")
Q3 = parse("2026Q3")


def _local(value):
    return timezone.localtime(value) if value else None


def _direct(inst, period: Period) -> dict:
    """The period's figures of ``inst`` counted record by record in Python."""
    start, end = queries.bounds(period)

    def within(value):
        return value is not None and start <= value < end

    hazards = [
        h
        for h in Hazard.objects.filter(organization__institution=inst)
        if h.status not in ("rejected", "duplicate")
    ]
    supervised_before = {
        e.hazard_id for e in HazardEvent.objects.filter(action="supervise") if e.created_at < end
    }
    open_end = [h for h in hazards if h.reported_at < end and (h.closed_at is None or h.closed_at >= end)]
    closed = [h for h in hazards if within(h.closed_at)]
    tasks = [t for t in Task.objects.filter(organization__institution=inst) if within(t.window_start)]
    alarms = [a for a in Alarm.objects.filter(organization__institution=inst) if within(a.opened_at)]
    return {
        "reported": sum(1 for h in hazards if within(h.reported_at)),
        "major": sum(1 for h in hazards if within(h.reported_at) and h.grade == "major"),
        "closed": len(closed),
        "closed_on_time": sum(1 for h in closed if h.closed_on_time),
        "open": len(open_end),
        "overdue": sum(1 for h in open_end if h.deadline and h.deadline < period.end),
        "open_major": sum(1 for h in open_end if h.grade == "major"),
        "supervised": sum(1 for h in open_end if h.pk in supervised_before),
        "supervision_orders": sum(
            1
            for e in HazardEvent.objects.filter(action="supervise", hazard__organization__institution=inst)
            if within(e.created_at)
        ),
        "tasks_done": sum(1 for t in tasks if t.status == "done"),
        "tasks_missed": sum(1 for t in tasks if t.status == "missed"),
        "alarms": len(alarms),
        "alarms_critical": sum(1 for a in alarms if a.severity == "critical"),
        "reviews_done": sum(
            1
            for e in AuditEntry.objects.filter(action=queries.REVIEW_ACTION, organization__institution=inst)
            if within(e.created_at)
        ),
    }


def test_periods_parse_and_refuse():
    assert parse("2026-10") == OCT and (OCT.start, OCT.end) == (dt.date(2026, 10, 1), dt.date(2026, 11, 1))
    assert parse("2026-12").end == dt.date(2027, 1, 1)
    assert parse(" 2026q3 ") == Q3 and (Q3.start, Q3.end) == (dt.date(2026, 7, 1), dt.date(2026, 10, 1))
    assert OCT.previous().key == "2026-09" and parse("2026-01").previous().key == "2025-12"
    assert Q3.previous().key == "2026-Q2" and parse("2026Q1").previous().key == "2025-Q4"
    assert parse("2026-Q3") == Q3 and Q3.key == "2026-Q3"
    assert last_ended("monthly", dt.date(2026, 11, 1)) == OCT
    assert last_ended("quarterly", dt.date(2026, 10, 1)) == Q3
    for bad in ("2026-13", "2026-0", "2026Q5", "26-10", "abc", "", "1999-01", "2026"):
        with pytest.raises(ValidationError) as err:
            parse(bad)
        assert err.value.code == "malformed"
    with pytest.raises(ValidationError) as err:
        parse("2026-11", dt.date(2026, 11, 30))
    assert err.value.code == "not_ended"
    assert parse("2026-11", dt.date(2026, 12, 1)).key == "2026-11"


def test_month_boundaries_in_shanghai(world):
    """23:30 on the last day of October (Asia/Shanghai) is October; 00:10 on 1 November is not."""
    inst = world.inst_a
    hazard(inst, at(2026, 10, 31, 23, 30))
    hazard(inst, at(2026, 11, 1, 0, 10))
    oct_ = queries.figures([inst.pk], OCT)[inst.pk]
    nov = queries.figures([inst.pk], parse("2026-11"))[inst.pk]
    assert (oct_["reported"], nov["reported"]) == (1, 1)
    figures = content.build(inst, OCT)
    assert figures["summary"]["this"]["reported"] == 1
    assert figures["hazards"]["reported"] == 1  # hazards.stats.compute over the same period
    assert figures["summary"]["previous"]["reported"] == 0


def test_figures_equal_counts_from_theperiod_records(world):
    acceptor = world.users["safety_officer"]
    period_records(world.inst_a, acceptor, post=world.post_a)
    period_records(world.inst_b, acceptor)
    for period in (OCT, parse("2026-09"), Q3):
        figs = queries.figures([world.inst_a.pk, world.inst_b.pk], period)
        for inst in (world.inst_a, world.inst_b):
            want = _direct(inst, period)
            assert {k: figs[inst.pk][k] for k in want} == want, period
    want = _direct(world.inst_a, OCT)
    # Not all zero: the records exercise every counter.
    assert all(want[k] for k in want), want
    figures = content.build(world.inst_a, OCT)
    assert {k: figures["summary"]["this"][k] for k in want} == want
    assert figures["summary"]["previous"]["reported"] == _direct(world.inst_a, parse("2026-09"))["reported"]


def test_quarterly_statistics(world):
    """The 16号令 Art. 14 statistics: by grade, category, source, department, on-time rate, average
    days to close, open and overdue at the end of the quarter."""
    acceptor = world.users["safety_officer"]
    period_records(world.inst_a, acceptor, post=world.post_a)
    start, end = queries.bounds(Q3)
    hazards = [
        h
        for h in Hazard.objects.filter(organization=world.inst_a)
        if h.status not in ("rejected", "duplicate")
    ]
    reported = [h for h in hazards if start <= h.reported_at < end]
    closed = [h for h in hazards if h.closed_at and start <= h.closed_at < end]
    figures = content.build(world.inst_a, Q3)
    hz = figures["hazards"]
    assert hz["reported"] == len(reported) == 5
    assert (
        dict(hz["by_grade"])
        == _tally(h.get_grade_display() for h in reported)
        == {"一般隐患": 2, "重大隐患": 3}
    )
    assert dict(hz["by_category"]) == _tally(h.get_category_display() for h in reported)
    assert dict(hz["by_source"]) == _tally(h.get_source_display() for h in reported)
    assert hz["closed"] == len(closed) == 0  # nothing closed in Q3
    oct_ = content.build(world.inst_a, OCT)["hazards"]
    closed_oct = [
        h for h in hazards if h.closed_at and queries.bounds(OCT)[0] <= h.closed_at < queries.bounds(OCT)[1]
    ]
    assert oct_["closed"] == len(closed_oct) == 2
    assert oct_["on_time_rate"] == 50.0
    days = sum((h.closed_at - h.reported_at).total_seconds() / 86400 for h in closed_oct) / len(closed_oct)
    assert oct_["avg_days"] == round(days, 1)
    reported_oct = [h for h in hazards if queries.bounds(OCT)[0] <= h.reported_at < queries.bounds(OCT)[1]]
    assert dict(oct_["by_department"]) == _tally(
        h.department.name if h.department else "" for h in reported_oct
    )
    assert dict(oct_["by_department"])["后勤科"] == 1
    direct = _direct(world.inst_a, Q3)
    assert (hz["open"], hz["overdue"]) == (direct["open"], direct["overdue"])
    assert figures["signature"] is True and content.build(world.inst_a, OCT)["signature"] is False


def _tally(labels) -> dict[str, int]:
    out: dict[str, int] = {}
    for label in labels:
        out[label or "—"] = out.get(label or "—", 0) + 1
    return out


def test_bureau_report_covers_only_institutions_below(world):
    acceptor = world.users["safety_officer"]
    period_records(world.inst_a, acceptor)
    period_records(world.inst_b, acceptor)
    hazard(world.inst_b, at(2026, 10, 10), title="乙院独有")
    district = content.build(world.district, OCT)
    city = content.build(world.bureau, OCT)
    a, b = _direct(world.inst_a, OCT), _direct(world.inst_b, OCT)
    assert district["summary"]["this"]["reported"] == b["reported"]
    assert city["summary"]["this"]["reported"] == a["reported"] + b["reported"]
    assert [i["name"] for i in district["institutions"]] == [world.inst_b.name]
    assert {i["name"] for i in city["institutions"]} == {world.inst_a.name, world.inst_b.name}
    # An institution below a district bureau carries the district's name in the city's table.
    assert (
        next(i for i in city["institutions"] if i["name"] == world.inst_b.name)["district"]
        == world.district.name
    )
    assert content.build(world.inst_a, OCT)["institutions"] == []


def test_bureau_ranking_worst_first(world):
    acceptor = world.users["safety_officer"]
    period_records(world.inst_a, acceptor)
    hazard(world.inst_b, at(2026, 10, 2), deadline=dt.date(2026, 10, 5))
    hazard(world.inst_b, at(2026, 10, 2), deadline=dt.date(2026, 10, 6))
    hazard(world.inst_b, at(2026, 10, 2), deadline=dt.date(2026, 10, 7))
    hazard(world.inst_b, at(2026, 10, 2), deadline=dt.date(2026, 10, 8))
    rows = content.build(world.bureau, OCT)["institutions"]
    assert [r["name"] for r in rows] == [world.inst_b.name, world.inst_a.name]
    assert rows[0]["overdue"] == 4 and rows[1]["overdue"] == _direct(world.inst_a, OCT)["overdue"] == 3


def _pdftext(data: bytes) -> str:
    out = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True)
    return out.stdout.decode()


def test_generated_files_carry_the_figures(world):
    acceptor = world.users["safety_officer"]
    period_records(world.inst_a, acceptor, post=world.post_a)
    period_records(world.inst_b, acceptor)
    report = services.generate(world.bureau, "quarterly", Q3.start, actor=world.users["bureau_supervisor"])
    text = _pdftext(bytes(report.pdf))
    for title in (
        "概况",
        "风险点等级分布",
        "隐患排查治理统计",
        "隐患月度趋势",
        "隐患排查",
        "监测报警",
        "重大事项",
        "期末未销号重大隐患",
        "各机构情况",
        "主要负责人签字",
        "2026年第3季度",
    ):
        assert title in text, title
    assert world.inst_a.name in text and world.inst_b.name in text
    this = report.figures["summary"]["this"]
    direct_a, direct_b = _direct(world.inst_a, Q3), _direct(world.inst_b, Q3)
    assert this["reported"] == direct_a["reported"] + direct_b["reported"] == 10
    assert f"上报隐患 {this['reported']} " in " ".join(text.split()) + " "

    wb = load_workbook(io.BytesIO(bytes(report.xlsx)))
    assert wb.sheetnames == [
        "概况",
        "隐患",
        "隐患排查",
        "报警",
        "各机构",
        "重大事项",
        "未销号重大隐患",
        "考核得分",
    ]
    summary = {row[0]: row[1:] for row in wb["概况"].iter_rows(min_row=2, values_only=True)}
    assert summary["上报隐患"] == (this["reported"], report.figures["summary"]["previous"]["reported"])
    assert summary["期末逾期"][0] == this["overdue"]
    grades = {row[1]: row[2] for row in wb["隐患"].iter_rows(min_row=2, values_only=True) if row[0] == "等级"}
    assert grades == dict(report.figures["hazards"]["by_grade"])
    insts = [row[0] for row in wb["各机构"].iter_rows(min_row=2, values_only=True)]
    assert sorted(str(i) for i in insts) == sorted([world.inst_a.name, world.inst_b.name])
    events = list(wb["重大事项"].iter_rows(min_row=2, values_only=True))
    assert sum(1 for e in events if e[1] == "上报重大隐患") == 2 * 3  # three major hazards each in Q3
    # Monthly report of an institution: no institutions sheet, departments listed, no signature.
    monthly = services.generate(world.inst_a, "monthly", OCT.start, actor=world.users["safety_officer"])
    assert "各机构" not in load_workbook(io.BytesIO(bytes(monthly.xlsx))).sheetnames
    mtext = _pdftext(bytes(monthly.pdf))
    assert "后勤科" in mtext and "主要负责人签字" not in mtext and "2026年10月" in mtext


def test_reports_carry_the_assessment_scores_of_the_period(world):
    """The scores in a report are those the assessment app computes for the same period, frozen
    with their scheme: ranked per institution for a bureau, indicator by indicator for one."""
    from shuangfang.assessment import scores as assessment

    acceptor = world.users["safety_officer"]
    period_records(world.inst_a, acceptor, post=world.post_a)
    period_records(world.inst_b, acceptor)
    want = assessment.institution_scores([world.inst_a, world.inst_b], Q3.start, Q3.end)
    assert want[world.inst_a.pk].total is not None

    bureau = services.generate(world.bureau, "quarterly", Q3.start, actor=world.users["bureau_supervisor"])
    rows = {r["name"]: r for r in bureau.figures["scores"]["rows"]}
    for inst in (world.inst_a, world.inst_b):
        assert rows[inst.name]["total"] == want[inst.pk].total
        assert rows[inst.name]["points"] == [p.points for p in want[inst.pk].parts]
    text = " ".join(_pdftext(bytes(bureau.pdf)).split())
    assert "考核得分" in text and f"{want[world.inst_a.pk].total}" in text
    sheet = load_workbook(io.BytesIO(bytes(bureau.xlsx)))["考核得分"]
    got = {r[0]: r[1] for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert got == {i.name: want[i.pk].total for i in (world.inst_a, world.inst_b)}

    own = services.generate(world.inst_a, "quarterly", Q3.start, actor=acceptor)
    scores = own.figures["scores"]
    assert scores["total"] == want[world.inst_a.pk].total
    assert [p["points"] for p in scores["parts"]] == [p.points for p in want[world.inst_a.pk].parts]
    assert [d["name"] for d in scores["departments"]] == ["后勤科"]
    assert "计分" in _pdftext(bytes(own.pdf)) or "权重" in _pdftext(bytes(own.pdf))


def test_regenerate_replaces_and_report_stays_frozen(world, login, django_capture_on_commit_callbacks):
    officer = world.users["safety_officer"]
    hazard(world.inst_a, at(2026, 10, 10))
    with django_capture_on_commit_callbacks(execute=True):
        first = services.generate(world.inst_a, "monthly", OCT.start, actor=None)
    assert first.figures["summary"]["this"]["reported"] == 1 and first.generated_by is None
    # The principal is told (inbox), through the notifications app.
    note = Notification.objects.get(recipient=world.users["institution_head"], kind="report.generated")
    assert note.url == first.get_absolute_url()
    hazard(world.inst_a, at(2026, 10, 11))
    client = login(officer)
    page = client.get(first.get_absolute_url())
    assert page.context["r"]["summary"]["this"]["reported"] == 1  # frozen: the new record is not in it
    # Made by a worker: the page answers at once with the job's progress page, which then links
    # to the report (issue 23).
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reports:generate", kwargs={"uuid": world.inst_a.uuid}), {"period": "2026-10"}
        )
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "core:job", kwargs={"uuid": job.uuid}
    )
    assert job.status == Job.DONE and job.result_url == first.get_absolute_url()
    assert first.get_absolute_url() in client.get(response["Location"]).content.decode()
    assert Report.objects.filter(organization=world.inst_a).count() == 1
    again = Report.objects.get()
    assert again.uuid == first.uuid and again.generated_by == officer
    assert again.figures["summary"]["this"]["reported"] == 2
    assert list(
        AuditEntry.objects.filter(action__startswith="report.")
        .order_by("id")
        .values_list("action", flat=True)
    ) == [
        "report.generate",
        "report.regenerate",
    ]


def test_bad_input_is_refused_clearly(world, login):
    client = login(world.users["safety_officer"])
    url = reverse("reports:generate", kwargs={"uuid": world.inst_a.uuid})
    this_month = timezone.localdate().strftime("%Y-%m")
    for value, words in (
        ("2026-13", "无法识别"),
        ("abc", "无法识别"),
        (this_month, "尚未结束"),
        ("2999Q1", "尚未结束"),
    ):
        response = client.post(url, {"period": value})
        assert response.status_code == 400, value
        assert words in response.content.decode(), value
    api = f"/api/v1/reports/organizations/{world.inst_a.uuid}/reports"
    for value in ("2026-13", this_month):
        response = client.post(api, {"period": value}, content_type="application/json")
        assert response.status_code == 400
        assert json.loads(response.content)["detail"]
    assert not Report.objects.exists()
    # A department is not something reports are made for.
    with pytest.raises(ValidationError):
        services.generate(world.dept_a, "monthly", OCT.start)
    with pytest.raises(ValidationError):
        services.generate(world.inst_a, "monthly", dt.date(2026, 10, 2))


def test_api_lists_and_serves_the_files(world, login):
    report = services.generate(world.inst_a, "monthly", OCT.start, actor=None)
    client = login(world.users["department_head"])
    data = json.loads(client.get(f"/api/v1/reports/organizations/{world.inst_a.uuid}/reports").content)
    assert [r["period"] for r in data] == ["2026-10"] and data[0]["generated_by"] is None
    detail = json.loads(client.get(f"/api/v1/reports/{report.uuid}").content)
    assert detail["figures"]["period"]["code"] == "2026-10"
    pdf = client.get(data[0]["pdf_url"])
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    xlsx = client.get(data[0]["xlsx_url"])
    assert xlsx.status_code == 200 and load_workbook(io.BytesIO(xlsx.content)).sheetnames[0] == "概况"
    # The outsider (head of B) sees nothing of A.
    other = login(world.users["outsider"])
    assert other.get(f"/api/v1/reports/{report.uuid}").status_code == 404
    assert other.get(reverse("reports:pdf", kwargs={"uuid": report.uuid})).status_code == 404


def test_lists_are_scoped(world, login):
    services.generate(world.inst_a, "monthly", OCT.start, actor=None)
    services.generate(world.bureau, "monthly", OCT.start, actor=None)
    supervisor = login(world.users["bureau_supervisor"])
    page = supervisor.get(reverse("reports:organization", kwargs={"uuid": world.bureau.uuid}))
    assert page.status_code == 200
    assert sorted(i["name"] for i in page.context["institutions"]) == sorted(
        [world.inst_a.name, world.inst_b.name]
    )
    assert (
        supervisor.get(reverse("reports:organization", kwargs={"uuid": world.inst_a.uuid})).status_code == 200
    )
    head = login(world.users["institution_head"])
    assert head.get(reverse("reports:index"))["Location"] == reverse(
        "reports:organization", kwargs={"uuid": world.inst_a.uuid}
    )
    assert head.get(reverse("reports:organization", kwargs={"uuid": world.bureau.uuid})).status_code == 404
    assert supervisor.get(reverse("reports:index"))["Location"] == reverse(
        "reports:organization", kwargs={"uuid": world.bureau.uuid}
    )


def _backdate(*orgs) -> None:
    Organization.objects.filter(pk__in=[o.pk for o in orgs]).update(created_at=at(2026, 1, 1))


def test_period_end_task_generates_once_and_only_once(world):
    Organization.objects.filter(pk__in=[world.district.pk, world.inst_b.pk]).update(is_active=False)
    _backdate(world.bureau, world.inst_a)
    with time_machine.travel(at(2026, 10, 31, 23, 55), tick=False):
        assert services.generate_due() == 4  # September and Q3, bureau and institution
        assert services.generate_due() == 0
    codes = sorted(r.period.key for r in Report.objects.filter(organization=world.inst_a))
    assert codes == ["2026-09", "2026-Q3"]
    with time_machine.travel(at(2026, 11, 1, 0, 5), tick=False):
        assert services.generate_due() == 2  # October has just ended
        assert services.generate_due() == 0
    assert sorted(r.period.key for r in Report.objects.filter(organization=world.inst_a)) == [
        "2026-09",
        "2026-10",
        "2026-Q3",
    ]
    assert Report.objects.count() == 6 and not Report.objects.exclude(generated_by=None).exists()
    # An institution that joined after October ended gets no October report.
    late = add_institution(world.bureau, "新机构")
    with time_machine.travel(at(2026, 11, 2, 3), tick=False):
        Organization.objects.filter(pk=late.pk).update(created_at=at(2026, 11, 1, 9))
        assert services.generate_due() == 0


def test_two_workers_store_one_report(world, monkeypatch):
    """The other worker stores the report while this one is computing: one row, kept as it is."""
    build = content.build

    def racing_build(org, period, **kwargs):
        figures = build(org, period, **kwargs)
        Report.objects.create(
            organization=org,
            kind=report_kind(period),
            period_start=period.start,
            period_end=period.end,
            generated_at=timezone.now(),
            figures={"by": "other worker"},
            pdf=b"",
            xlsx=b"",
        )
        return figures

    monkeypatch.setattr(content, "build", racing_build)
    report = services.generate(world.inst_a, "monthly", OCT.start, actor=None, replace=False)
    assert Report.objects.count() == 1 and report.figures == {"by": "other worker"}


def test_management_command(world):
    call_command("reports_generate", period="2026-10", organization=str(world.inst_a.uuid))
    assert [r.period.key for r in Report.objects.all()] == ["2026-10"]
    with pytest.raises(CommandError, match="2026-Q4"):
        call_command("reports_generate", period="2026-99")


def test_query_count_does_not_grow_with_institutions(world):
    acceptor = world.users["safety_officer"]
    counts: list[int] = []
    for extra in (2, 10):  # 4 institutions below the bureau, then 14
        for i in range(extra):
            inst = add_institution(world.bureau, f"机构{len(counts)}-{i}")
            period_records(inst, acceptor)
        with CaptureQueriesContext(connection) as ctx:
            figures = content.build(world.bureau, OCT)
        counts.append(len(ctx.captured_queries))
    assert figures["organization"]["institutions"] == 14
    assert counts[0] == counts[1], counts
    assert counts[0] <= REPORT_QUERIES, counts


@pytest.mark.parametrize("n", [2, 12])
def test_pages_query_counts(world, login, django_assert_max_num_queries, n):
    for i in range(n):
        services_report = content.build(add_institution(world.bureau, f"机构{i}"), OCT)
        assert services_report["summary"]["this"]["reported"] == 0
    from .helpers import stored_report

    report = stored_report(world.bureau, OCT)
    stored_report(world.bureau, Q3)
    client = login(world.users["bureau_supervisor"])
    url = reverse("reports:organization", kwargs={"uuid": world.bureau.uuid})
    client.get(url)
    with django_assert_max_num_queries(LIST_QUERIES):
        assert client.get(url).status_code == 200
    with django_assert_max_num_queries(DETAIL_QUERIES):
        assert client.get(report.get_absolute_url()).status_code == 200


# Measured on SQLite, 2 and 12 institutions alike: build 46 queries (4 of them the assessment scores,
# 9 the sections other apps register: reports/sections.py, test_sections.py); list page 8; report
# page 5.
REPORT_QUERIES = 46
LIST_QUERIES = 8
DETAIL_QUERIES = 5
