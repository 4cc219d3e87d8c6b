from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from shuangfang.assessment import snapshots
from shuangfang.core import pgarrays
from shuangfang.dashboards import queries
from shuangfang.hazards.choices import OPEN_STATUSES
from shuangfang.hazards.models import Hazard
from shuangfang.inspections.models import Task
from shuangfang.monitoring.models import Alarm, Device
from shuangfang.risks.models import RiskPoint

from .records import add_institution, fill

pytestmark = pytest.mark.django_db


def _direct(inst) -> dict:
    """The figures of ``inst`` counted record by record in Python, not with the dashboard's SQL."""
    today = timezone.localdate()
    since = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=30), dt.time.min))
    points = [p for p in RiskPoint.objects.filter(organization__institution=inst) if p.is_active]
    hazards = list(Hazard.objects.filter(organization__institution=inst))
    # A bureau's spot-check task counts for the institution only once done (open or missed, it is
    # the bureau's).
    tasks = [
        t
        for t in Task.objects.filter(organization__institution=inst)
        if t.window_start >= since
        and not (t.plan_id is None and t.place_key.startswith("spot:") and t.status != "done")
    ]
    alarms = [
        a
        for a in Alarm.objects.filter(organization__institution=inst)
        if a.status in ("open", "acknowledged")
    ]
    is_open = [h for h in hazards if h.status in OPEN_STATUSES]
    closed = [h for h in hazards if h.status == "closed"]
    return {
        "points": len(points),
        **{f"l{lv}": sum(1 for p in points if p.inherent_level == lv) for lv in (1, 2, 3, 4)},
        "reviews_overdue": sum(1 for p in points if p.next_review_on and p.next_review_on < today),
        "open": len(is_open),
        "overdue": sum(1 for h in is_open if h.deadline and h.deadline < today),
        "closed": len(closed),
        "closed_on_time": sum(1 for h in closed if h.closed_on_time),
        "open_major": sum(1 for h in is_open if h.grade == "major"),
        "supervised": sum(1 for h in is_open if h.supervised),
        "tasks_done": sum(1 for t in tasks if t.status == "done"),
        "tasks_missed": sum(1 for t in tasks if t.status == "missed"),
        "today_total": sum(1 for t in tasks if timezone.localtime(t.window_start).date() == today),
        "alarms_open": sum(1 for a in alarms if a.status == "open"),
        "alarms_acknowledged": sum(1 for a in alarms if a.status == "acknowledged"),
        "devices_offline": sum(
            1
            for d in Device.objects.filter(organization__institution=inst)
            if not d.online and d.last_seen_at
        ),
    }


def test_figures_equal_counts_from_the_records(world):
    acceptor = world.users["safety_officer"]
    fill(world.inst_a, acceptor, n=6, post=world.post_a)
    fill(world.inst_b, acceptor, n=3)
    figs = queries.figures([world.inst_a.pk, world.inst_b.pk])
    for inst in (world.inst_a, world.inst_b):
        want = _direct(inst)
        got = {k: figs[inst.pk][k] for k in want}
        assert got == want
        assert want["open"] and want["overdue"] and want["tasks_missed"] and want["alarms_open"]
    a = figs[world.inst_a.pk]
    assert a["on_time_rate"] == round(100 * a["closed_on_time"] / a["closed"], 1)
    assert a["completion_rate"] == round(100 * a["tasks_done"] / (a["tasks_done"] + a["tasks_missed"]), 1)


def test_demo_city_figures_equal_counts_from_the_records(client, settings, tmp_path):
    """The demo city as ``make run`` builds it: every institution's figures on the bureau
    dashboard, and the big screen's totals, equal the records counted one by one."""
    from django.core.management import call_command

    from shuangfang.orgs.models import Organization, OrgKind, User

    settings.MEDIA_ROOT = tmp_path
    call_command("demo", stdout=io.StringIO())
    city = Organization.objects.get(kind=OrgKind.BUREAU, parent__isnull=True)
    client.force_login(User.objects.get(username="lixiuying"))
    page = client.get(reverse("dashboards:bureau", kwargs={"uuid": city.uuid}))
    assert page.status_code == 200
    rows = page.context["rows"]
    assert len(rows) == Organization.objects.filter(kind=OrgKind.INSTITUTION, is_active=True).count() > 1
    want_total: dict[str, int] = {}
    for row in rows:
        want = _direct(row["inst"])
        assert {k: row[k] for k in want} == want, row["inst"].name
        for k, v in want.items():
            want_total[k] = want_total.get(k, 0) + v
    assert {k: page.context["f"][k] for k in want_total} == want_total
    assert (
        want_total["points"]
        and want_total["open"]
        and want_total["tasks_done"]
        and want_total["tasks_missed"]
    )
    screen = client.get(reverse("api:dashboards_screen", kwargs={"uuid": city.uuid})).json()
    assert {k: screen["totals"][k] for k in want_total} == want_total


def test_trend_and_departments(world):
    fill(world.inst_a, world.users["safety_officer"], n=4, post=world.post_a)
    trend = queries.hazard_trend([world.inst_a.pk])
    assert len(trend) == 12
    assert trend[-1]["month"] == timezone.localdate().strftime("%Y-%m")
    # Reported this month: 3 open per point (rejected ones are left out).
    assert sum(m["reported"] for m in trend) == 4 * 4
    assert sum(m["closed"] for m in trend) == 4
    deps = queries.inspections_by_department(world.inst_a.pk)
    assert deps == [
        {
            "department": "后勤科",
            "department_id": world.dept_a.pk,
            "done": 4,
            "missed": 4,
            "completion_rate": 50.0,
            "missed_rate": 50.0,
        }
    ]


def test_index_sends_each_user_to_their_dashboard(world, login):
    r = login(world.users["institution_head"]).get(reverse("dashboards:index"))
    assert r["Location"] == reverse("dashboards:institution", kwargs={"uuid": world.inst_a.uuid})
    r = login(world.users["department_head"]).get(reverse("dashboards:index"))
    assert r["Location"] == reverse("dashboards:institution", kwargs={"uuid": world.inst_a.uuid})
    r = login(world.users["bureau_supervisor"]).get(reverse("dashboards:index"))
    assert r["Location"] == reverse("dashboards:bureau", kwargs={"uuid": world.bureau.uuid})
    r = login(world.users["outsider"]).get(reverse("dashboards:index"))
    assert r["Location"] == reverse("dashboards:institution", kwargs={"uuid": world.inst_b.uuid})


def test_institution_page_links_every_number(world, login):
    fill(world.inst_a, world.users["safety_officer"], n=3, post=world.post_a)
    r = login(world.users["safety_officer"]).get(
        reverse("dashboards:institution", kwargs={"uuid": world.inst_a.uuid})
    )
    assert r.status_code == 200
    html = r.content.decode()
    pk = world.inst_a.pk
    for href in (
        f"/hazards/?organization={pk}&amp;overdue=true",
        f"/hazards/?organization={pk}&amp;status=open&amp;grade=major",
        f"/risks/?institution={pk}&amp;level=1",
        f"/monitoring/devices/?organization={pk}&amp;status=offline",
        f"/inspections/ledger/?institution={pk}&amp;status=missed",
        f"/risks/reviews/?institution={pk}",
    ):
        assert href in html


def test_linked_lists_show_the_same_numbers(world, login):
    """Following a figure's link gives a list with as many rows as the figure says."""
    fill(world.inst_a, world.users["safety_officer"], n=3)
    fill(world.inst_b, world.users["safety_officer"], n=2)
    client = login(world.users["bureau_supervisor"])
    figs = queries.figures([world.inst_a.pk])[world.inst_a.pk]
    from shuangfang.dashboards.views import links

    link = links(world.inst_a, timezone.localdate())
    keys = ["open", "overdue", "open_major", "supervised", "closed", "due_soon", "reviews_overdue"]
    keys += ["tasks_done", "tasks_missed", "points", "l1", "l2", "l3", "l4"]
    for key in keys:
        assert figs[key] > 0 or key.startswith("l"), key  # the check below must be able to fail
        r = client.get(link[key] + "&export=xlsx")
        assert r.status_code == 200, key
        sheet = load_workbook(io.BytesIO(b"".join(r.streaming_content))).active
        assert sheet is not None
        rows = sum(
            1 for row in sheet.iter_rows(min_row=2, values_only=True) if any(v is not None for v in row)
        )
        assert rows == figs[key], key


def test_bureau_ranking_worst_first_and_scoped(world, login):
    acceptor = world.users["safety_officer"]
    fill(world.inst_b, acceptor, n=4)
    fill(world.inst_a, acceptor, n=1)
    r = login(world.users["bureau_supervisor"]).get(
        reverse("dashboards:bureau", kwargs={"uuid": world.bureau.uuid})
    )
    assert r.status_code == 200
    rows = r.context["rows"]
    assert [row["inst"] for row in rows] == [world.inst_b, world.inst_a]
    # Sorting by a column keeps the worst first in that column; unknown keys fall back to the ranking.
    client = login(world.users["bureau_supervisor"])
    url = reverse("dashboards:bureau", kwargs={"uuid": world.bureau.uuid})
    fill(world.inst_a, acceptor, n=6)
    assert client.get(url + "?sort=devices_offline").context["rows"][0]["inst"] == world.inst_a
    assert client.get(url + "?sort=bogus").context["rows"][0]["inst"] == world.inst_a
    r = login(world.users["bureau_supervisor"]).get(
        reverse("dashboards:bureau", kwargs={"uuid": world.district.uuid})
    )
    assert [row["inst"] for row in r.context["rows"]] == [world.inst_b]
    # An institution is not a bureau; the head of B sees nothing of the city bureau.
    assert (
        login(world.users["bureau_supervisor"])
        .get(reverse("dashboards:bureau", kwargs={"uuid": world.inst_a.uuid}))
        .status_code
        == 404
    )
    assert (
        login(world.users["outsider"])
        .get(reverse("dashboards:institution", kwargs={"uuid": world.inst_a.uuid}))
        .status_code
        == 404
    )


def test_screen_api_payload(world, login):
    fill(world.inst_a, world.users["safety_officer"], n=2)
    client = login(world.users["bureau_supervisor"])
    r = client.get(f"/api/v1/dashboards/bureaus/{world.bureau.uuid}/screen")
    assert r.status_code == 200
    data = json.loads(r.content)
    assert data["totals"]["open"] == queries.figures([world.inst_a.pk])[world.inst_a.pk]["open"]
    assert {i["name"] for i in data["institutions"]} == {world.inst_a.name, world.inst_b.name}
    assert len(data["alarms"]) == 2 and len(data["major_hazards"]) == 2
    page = client.get(reverse("dashboards:screen", kwargs={"uuid": world.bureau.uuid}))
    assert page.status_code == 200 and b"screen-data" in page.content


@pytest.mark.parametrize("n", [2, 12])
def test_query_counts_do_not_grow(world, login, django_assert_max_num_queries, n):
    acceptor = world.users["safety_officer"]
    for i in range(n):
        fill(add_institution(world.bureau, f"机构{i}"), acceptor, n=3)
    fill(world.inst_a, acceptor, n=n, post=world.post_a)
    client = login(world.users["bureau_supervisor"])
    bureau = reverse("dashboards:bureau", kwargs={"uuid": world.bureau.uuid})
    inst = reverse("dashboards:institution", kwargs={"uuid": world.inst_a.uuid})
    api = f"/api/v1/dashboards/bureaus/{world.bureau.uuid}/screen"
    client.get(bureau)  # warm the session
    snapshots.refresh()  # the worker keeps the scores (without it they are computed live: 4 more)
    with django_assert_max_num_queries(BUREAU_QUERIES):
        assert client.get(bureau).status_code == 200
    with django_assert_max_num_queries(INSTITUTION_QUERIES):
        assert client.get(inst).status_code == 200
    with django_assert_max_num_queries(SCREEN_QUERIES):
        assert client.get(api).status_code == 200


def test_the_bureau_page_renders_no_template_per_institution(world, login):
    """The ranking and the section tables are built without a template (or an include) per row or
    cell: hundreds of institutions cost the template engine nothing more than two do."""
    client = login(world.users["bureau_supervisor"])
    url = reverse("dashboards:bureau", kwargs={"uuid": world.bureau.uuid})
    client.get(url)  # warm the session
    snapshots.refresh()  # the scores column shown
    counts = []
    for i in range(2):
        if i:
            for n in range(5):
                add_institution(world.bureau, f"机构{n}")
            snapshots.refresh()
        r = client.get(url)
        assert r.status_code == 200 and r.context["assessment"] and r.context["sections"]
        counts.append(len(r.templates))
    assert counts[0] == counts[1], counts


def test_links_of_many_are_the_links_of_each(world):
    """The links built once for all the rows are those built for each institution alone."""
    from shuangfang.dashboards.views import links, links_of

    today = timezone.localdate()
    orgs = [world.inst_a, world.inst_b, world.bureau, None]
    many = links_of(orgs, today)
    for org in orgs:
        assert many[org.pk if org else None] == links(org, today)
    assert links(None, today)["open"] == "/hazards/?status=open"
    assert links(world.inst_a, today)["open"] == f"/hazards/?organization={world.inst_a.pk}&status=open"
    assert list(links_of([world.inst_a], today, ("overdue", "points"))[world.inst_a.pk]) == [
        "overdue",
        "points",
    ]


def test_many_ids_as_one_array_give_the_same_figures(world, monkeypatch):
    """``core.pgarrays.among`` passes many ids as one array on PostgreSQL (``= ANY(%s)``): the same
    figures, trend and section figures as ``IN (…)``, with one parameter instead of one per id."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from shuangfang.dashboards import sections

    acceptor = world.users["safety_officer"]
    fill(world.inst_a, acceptor, n=3)
    fill(world.inst_b, acceptor, n=2)
    ids = [world.inst_a.pk, world.inst_b.pk]
    today = timezone.localdate()

    def everything():
        return (
            queries.figures(ids, today),
            queries.hazard_trend(ids, today),
            [h.pk for h in queries.open_major_hazards(ids)],
            [a.pk for a in queries.live_alarms(ids)],
            {s.key: s.source(ids, today) for s in sections.registered()},
        )

    as_list = everything()
    monkeypatch.setattr(pgarrays, "ARRAY_FROM", 1)
    with CaptureQueriesContext(connection) as q:
        as_array = everything()
    assert as_array == as_list
    assert as_list[0][world.inst_a.pk]["open"] > 0
    if connection.vendor == "postgresql":
        assert any("= ANY(" in x["sql"] for x in q.captured_queries)
        assert not any(f"IN ({world.inst_a.pk}, {world.inst_b.pk})" in x["sql"] for x in q.captured_queries)


# Measured (SQLite and PostgreSQL, 2 and 12 institutions alike): bureau 27, institution 33, screen
# JSON 15; of which for the assessment score (shuangfang.assessment.dashboard) 4 on the institution
# page (computed live) and 2 on the bureau page and the screen (the worker's snapshots), and 2 on
# the institution page for the four-colour map. Plus the registered figure sections (sections.py),
# a fixed number each (test_sections.py): equipment 2, food 7 (8 with a refrigerator's sensor: its
# alarms), readiness 3.
BUREAU_QUERIES = 27
INSTITUTION_QUERIES = 33
SCREEN_QUERIES = 15


def test_institution_dashboard_shows_the_main_floor_map(world, login, settings, tmp_path):
    """The floor with the most risk points placed is drawn with its markers in the level colours;
    without a plan the tile says so and links to the maps."""
    from PIL import Image

    from shuangfang.risks import services as risks
    from shuangfang.risks.tests.fixtures import risk_world

    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    url = reverse("dashboards:institution", kwargs={"uuid": world.inst_a.uuid})
    client = login(world.users["safety_officer"])
    assert (
        "No floor plan with risk points yet." in client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    )

    rw = risk_world(world)
    officer = world.users["safety_officer"]
    buf = io.BytesIO()
    Image.new("RGB", (400, 300), (240, 240, 240)).save(buf, format="PNG")
    from django.core.files.uploadedfile import SimpleUploadedFile

    risks.set_floor_plan(actor=officer, floor=rw.floor, plan=SimpleUploadedFile("p.png", buf.getvalue()))
    other = risks.create_floor(actor=officer, institution=world.inst_a, building="综合楼", name="2F")
    risks.set_floor_plan(actor=officer, floor=other, plan=SimpleUploadedFile("q.png", buf.getvalue()))
    risks.place_point(actor=officer, point=rw.point, floor=rw.floor, x="0.25", y="0.5")
    html = client.get(url).content.decode()
    assert f"/risks/map/{rw.floor.uuid}/plan" in html and f"/risks/map/{other.uuid}/plan" not in html
    assert 'data-level="2"' in html and "left:25.0%" in html and "#f57c00" in html
