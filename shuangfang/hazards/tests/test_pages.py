"""Pages, exports and API: query counts flat in rows, ledger Excel/PDF, statistics, photos scoped."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from shuangfang.core import periods
from shuangfang.core.vocabulary import CheckCategory, HazardGrade
from shuangfang.hazards import services
from shuangfang.hazards.choices import Status
from shuangfang.hazards.models import Hazard
from shuangfang.orgs.models import User

from .conftest import jpeg, soon

pytestmark = pytest.mark.django_db


def make_many(world, n: int, report) -> list[Hazard]:
    officer, staff = world.users["safety_officer"], world.users["staff"]
    out = []
    for i in range(n):
        h = report(description=f"隐患 {i}", photos=[jpeg()] if i % 2 else [])
        if i % 3 == 0:
            services.assign(
                actor=officer,
                hazard=h,
                grade=HazardGrade.GENERAL,
                category=CheckCategory.FIRE,
                responsible=staff,
                measures="换",
                deadline=soon(),
            )
        out.append(h)
    return out


@pytest.mark.parametrize("url_name", ["hazards:list", "hazards:mine", "hazards:statistics"])
def test_query_count_does_not_grow_with_rows(world, login, report, django_assert_max_num_queries, url_name):
    client = login(world.users["safety_officer"])
    make_many(world, 3, report)
    url = reverse(url_name)
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    make_many(world, 12, report)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


def test_ledger_excel_is_what_is_filtered(world, login, report):
    hs = make_many(world, 6, report)
    client = login(world.users["safety_officer"])
    response = client.get(reverse("hazards:list") + "?status=rectifying&export=xlsx")
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(wb.worksheets[0].iter_rows(values_only=True))
    assert "整改措施" in rows[0] and "验收人" in rows[0]
    numbers = {r[0] for r in rows[1:]}
    assert numbers == {h.number for h in hs if h.status == Status.RECTIFYING}


def test_staff_sees_the_list_but_not_the_ledger_export(world, login, report):
    report()
    client = login(world.users["staff"])
    assert client.get(reverse("hazards:list")).status_code == 200
    assert client.get(reverse("hazards:list") + "?export=xlsx").status_code == 403


def test_ledger_pdf_and_special_file(world, login, report):
    h = report(photos=[jpeg()])
    client = login(world.users["safety_officer"])
    response = client.get(reverse("hazards:ledger_pdf"))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    response = client.get(reverse("hazards:file_pdf", args=[h.uuid]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert len(response.content) > 3000  # the photo is embedded


def test_statistics_count_by_grade_and_on_time(world, login, report):
    officer, staff, head = (
        world.users["safety_officer"],
        world.users["staff"],
        world.users["institution_head"],
    )
    h = report()
    services.assign(
        actor=officer,
        hazard=h,
        grade=HazardGrade.GENERAL,
        category=CheckCategory.FIRE,
        responsible=staff,
        measures="换",
        deadline=soon(),
    )
    services.submit_for_acceptance(actor=staff, hazard=h, fix_note="好", photos=[jpeg()])
    services.accept(actor=head, hazard=h, cause="未检查", preventive_measures="纳入月检")
    report(description="另一个")
    client = login(officer)
    response = client.get(reverse("hazards:statistics"))
    s = response.context["s"]
    assert s["totals"]["total"] == 2 and s["closing"]["closed"] == 1 and s["closing"]["on_time_rate"] == 100.0
    assert dict(s["by_category"])["消防安全"] == 1


def test_statistics_of_a_named_quarter(world, login):
    client = login(world.users["safety_officer"])
    response = client.get(reverse("hazards:statistics"), {"year": "2026", "quarter": "3"})
    assert response.status_code == 200
    assert response.context["s"]["period"] == periods.quarter(2026, 3)
    assert (response.context["year"], response.context["quarter"]) == (2026, 3)
    response = client.get(reverse("hazards:statistics"), {"year": "2025"})
    assert response.context["s"]["period"] == periods.year(2025) and response.context["quarter"] is None


@pytest.mark.parametrize(
    ("params", "shown"),
    [
        ({"year": "bogus"}, "bogus"),
        ({"year": "1999"}, "1999"),
        ({"year": "26"}, "26"),
        ({"year": "2026", "quarter": "5"}, "2026-Q5"),
        ({"year": "2026", "quarter": "x"}, "2026-Qx"),
    ],
)
def test_statistics_of_a_malformed_period_is_400_with_a_reason(world, login, params, shown):
    """Not the current year in silence: the page says what it could not read, in Chinese."""
    response = login(world.users["safety_officer"]).get(reverse("hazards:statistics"), params)
    assert response.status_code == 400
    page = response.content.decode()
    assert shown in page and "期间" in page and "2026-Q4" in page


def test_photo_is_served_only_within_scope(world, login, report):
    h = report(photos=[jpeg()])
    p = h.photos.get()
    url = reverse("hazards:photo", args=[p.uuid]) + "?size=thumb"
    assert login(world.users["staff"]).get(url).status_code == 200
    assert login(world.users["outsider"]).get(url).status_code == 404


def test_snap_report_page_posts_photo_and_place(world, login):
    client = login(world.users["staff"])
    response = client.post(
        reverse("hazards:report"),
        {
            "description": "消防通道堆放杂物",
            "location": "二楼走廊",
            "photos": jpeg(),
            "source": "snap",
            "organization": world.inst_a.pk,
        },
    )
    assert response.status_code == 302
    h = Hazard.objects.get()
    assert h.department == world.dept_a and h.photos.count() == 1 and h.location == "二楼走廊"


def test_bad_move_on_page_shows_reason_and_changes_nothing(world, login, report):
    h = report()
    client = login(world.users["safety_officer"])
    url = reverse("hazards:act", args=[h.uuid])
    response = client.post(url, {"do": "accept"})
    assert response.status_code == 200
    assert "现在不能“验收销号”" in response.content.decode()
    h.refresh_from_db()
    assert h.status == Status.REPORTED


def _token(user) -> dict:
    from shuangfang.orgs import services as org_services

    _t, raw = org_services.issue_api_token(actor=user, name="t", scope="read_write")
    return {"Authorization": f"Bearer {raw}"}


def test_api_snap_report_multipart_and_moves(world, client):
    staff, officer, head = (
        world.users["staff"],
        world.users["safety_officer"],
        world.users["institution_head"],
    )
    response = client.post(
        "/api/v1/hazards/hazards",
        {"institution": str(world.inst_a.uuid), "description": "配电箱门未关", "photos": [jpeg(), jpeg()]},
        headers=_token(staff),
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "reported"
    h = Hazard.objects.get(uuid=body["uuid"])
    assert h.photos.count() == 2
    path = f"/api/v1/hazards/hazards/{h.uuid}/actions/assign"
    bad = client.post(
        path,
        {
            "grade": "general",
            "category": "utilities",
            "responsible": str(staff.uuid),
            "measures": "关门上锁",
            "deadline": "2000-01-01",
        },
        content_type="application/json",
        headers=_token(officer),
    )
    assert bad.status_code == 400 and "期限不能早于今天" in bad.json()["detail"]
    ok = client.post(
        path,
        {
            "grade": "general",
            "category": "utilities",
            "responsible": str(staff.uuid),
            "measures": "关门上锁",
            "deadline": soon().isoformat(),
        },
        content_type="application/json",
        headers=_token(officer),
    )
    assert ok.status_code == 200 and ok.json()["status"] == "rectifying"
    sub = client.post(
        f"/api/v1/hazards/hazards/{h.uuid}/actions/submit",
        {"fix_note": "已上锁", "photos": jpeg()},
        headers=_token(staff),
    )
    assert sub.status_code == 200, sub.content
    own = client.post(
        f"/api/v1/hazards/hazards/{h.uuid}/actions/accept",
        {},
        content_type="application/json",
        headers=_token(staff),
    )
    assert own.status_code == 403
    acc = client.post(
        f"/api/v1/hazards/hazards/{h.uuid}/actions/accept",
        {"note": "好", "cause": "钥匙无人保管", "preventive_measures": "钥匙交值班室登记"},
        content_type="application/json",
        headers=_token(head),
    )
    assert acc.json()["status"] == "closed"
    tl = client.get(f"/api/v1/hazards/hazards/{h.uuid}/timeline", headers=_token(staff)).json()
    assert [e["action"] for e in tl] == ["report", "assign", "submit", "accept"]
    mem = client.get("/api/v1/hazards/mem", headers=_token(officer)).json()["items"]
    rec = next(r for r in mem if r["id"] == str(h.uuid))
    assert rec["dangerState"] == 9 and rec["dangerLevel"] == 0 and rec["hazardDangerType"] == 3
    assert rec["dangerSrc"] == 1 and rec["checkAcceptPerson"] == head.name and rec["dangerAcceptImg"]


def test_openapi_lists_the_hazard_operations(client):
    from shuangfang.config.api import api

    paths = api.get_openapi_schema(path_prefix="/api/v1")["paths"]
    op = paths["/api/v1/hazards/hazards"]["post"]
    assert "multipart/form-data" in op["requestBody"]["content"]
    assert "/api/v1/hazards/hazards/{uuid}/actions/{action}" in paths


def test_bureau_supervises_and_sees_major_queue(world, login, report):
    h = report()
    services.confirm_major(
        actor=world.users["safety_officer"],
        hazard=h,
        category=CheckCategory.FIRE,
        cause="老化",
        interim_measures="停用",
    )
    sup = world.users["bureau_supervisor"]
    response = login(sup).get(reverse("hazards:mine"))
    assert h in response.context["queues"]["major"]
    services.supervise(actor=sup, hazard=h, deadline=soon(5), requirements="限期整改")
    h.refresh_from_db()
    assert h.supervised and h.supervised_by == sup
    assert not User.objects.filter(pk=sup.pk, memberships__organization=world.inst_a).exists()
