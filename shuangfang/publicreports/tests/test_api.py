"""The triage API: the queue and one report for the institutions where the caller triages, confirm
into a hazard and reject with a reason through the same services as the pages; flat query count."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shuangfang.hazards.models import Hazard
from shuangfang.orgs import services as org_services
from shuangfang.publicreports.choices import Status
from shuangfang.publicreports.models import PublicReport

from .factories import poster_at
from .test_services import send

pytestmark = pytest.mark.django_db
BASE = "/api/v1/publicreports/reports"


def auth(user) -> dict:
    _t, raw = org_services.issue_api_token(actor=user, name="t", scope="read_write")
    return {"Authorization": f"Bearer {raw}"}


_device = iter(range(1, 1_000_000))


def reports(world, n: int, point=None) -> list[PublicReport]:
    from shuangfang.publicreports.tests.factories import jpeg

    return [
        send(
            poster_at(world.inst_a, point),
            text=f"第 {i} 处漏水",
            photos=[jpeg()],
            address=f"203.0.113.{i % 200}",
            device=f"d{next(_device)}",
        )
        for i in range(n)
    ]


def test_the_queue_lists_own_reports_newest_first_with_place_and_photos(world, client, officer, point):
    first, second = reports(world, 2, point)
    send(poster_at(world.inst_b), address="198.51.100.1", device="other")
    body = client.get(BASE, headers=auth(officer)).json()
    assert body["count"] == 2
    assert [r["uuid"] for r in body["items"]] == [str(second.uuid), str(first.uuid)]
    item = body["items"][0]
    assert item["place"] == "厨房" and item["risk_point"] == str(point.uuid)
    assert item["institution"] == str(world.inst_a.uuid) and item["status"] == "received"
    assert len(item["photos"]) == 1 and item["photos"][0].startswith("/publicreports/photos/")
    assert client.get(f"{BASE}?status=rejected", headers=auth(officer)).json()["count"] == 0
    other = client.get(BASE, headers=auth(world.users["outsider"])).json()
    assert other["count"] == 1 and other["items"][0]["institution"] == str(world.inst_b.uuid)


def test_the_queue_costs_the_same_queries_for_3_and_12_reports(world, client, officer):
    headers = auth(officer)
    reports(world, 3)
    client.get(BASE, headers=headers)  # warm the session and the token
    with CaptureQueriesContext(connection) as few:
        assert client.get(BASE, headers=headers).status_code == 200
    reports(world, 9)
    with CaptureQueriesContext(connection) as many:
        assert client.get(BASE, headers=headers).json()["count"] == 12
    assert len(many) == len(few)


def test_one_report_and_another_institutions_is_not_found(world, client, officer):
    (report,) = reports(world, 1)
    assert client.get(f"{BASE}/{report.uuid}", headers=auth(officer)).json()["text"] == "第 0 处漏水"
    assert client.get(f"{BASE}/{report.uuid}", headers=auth(world.users["outsider"])).status_code == 404
    assert client.get(f"{BASE}/{report.uuid}", headers=auth(world.users["staff"])).status_code == 403


def test_confirm_files_one_hazard_and_a_second_confirm_is_refused(world, client, officer):
    (report,) = reports(world, 1)
    url = f"{BASE}/{report.uuid}/confirm"
    response = client.post(url, {"category": "fire"}, content_type="application/json", headers=auth(officer))
    assert response.status_code == 200, response.content
    body = response.json()
    hazard = Hazard.objects.get()
    assert (
        body["status"] == "confirmed"
        and body["hazard"] == str(hazard.uuid)
        and body["hazard_number"] == hazard.number
    )
    assert hazard.description == "第 0 处漏水" and hazard.category == "fire" and hazard.photos.count() == 1
    again = client.post(url, {}, content_type="application/json", headers=auth(officer))
    assert again.status_code == 400 and again.json()["detail"]
    assert Hazard.objects.count() == 1


def test_reject_needs_a_known_reason(world, client, officer):
    (report,) = reports(world, 1)
    url = f"{BASE}/{report.uuid}/reject"
    bad = client.post(url, {"reason": "boring"}, content_type="application/json", headers=auth(officer))
    assert bad.status_code == 422
    report.refresh_from_db()
    assert report.status == Status.RECEIVED
    ok = client.post(
        url,
        {"reason": "already_fixed", "note": "已修好"},
        content_type="application/json",
        headers=auth(officer),
    )
    assert ok.status_code == 200 and ok.json()["reject_reason"] == "already_fixed"
    report.refresh_from_db()
    assert report.status == Status.REJECTED and report.decided_by == officer


def test_a_too_long_description_is_refused_with_the_reason(world, client, officer):
    (report,) = reports(world, 1)
    response = client.post(
        f"{BASE}/{report.uuid}/confirm",
        {"description": "长" * 1001},
        content_type="application/json",
        headers=auth(officer),
    )
    assert response.status_code == 422
    assert not Hazard.objects.exists()
