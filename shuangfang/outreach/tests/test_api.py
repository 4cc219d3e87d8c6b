"""The outreach API: list and create patrols and encounters, refusals with the reason."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from shuangfang.core.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(world, login):
    client = login(world.users["staff"])

    def call(method, path, body=None):
        fn = getattr(client, method)
        if body is None:
            return fn(f"/api/v1/outreach{path}")
        return fn(f"/api/v1/outreach{path}", body, content_type="application/json")

    return call


def test_start_a_patrol_log_and_list_encounters(world, api):
    r = api("post", "/patrols", {"station": str(world.inst_a.uuid), "team": "夜巡一组", "vehicle": "豫A1"})
    assert r.status_code == 201
    patrol = r.json()["uuid"]
    r = api(
        "post", f"/patrols/{patrol}/encounters", {"action": "supplies", "supplies": "棉被1", "place": "广场"}
    )
    assert r.status_code == 201 and r.json()["supplies"] == "棉被1"
    listed = api("get", "/patrols").json()
    assert [(p["team"], p["encounters"]) for p in listed] == [("夜巡一组", 1)]
    met = api("get", f"/patrols/{patrol}/encounters").json()
    assert [e["place"] for e in met] == ["广场"]
    assert AuditEntry.objects.filter(action="outreach.encounter_viewed").exists()


def test_refusals_carry_the_reason(world, api):
    patrol = api("post", "/patrols", {"station": str(world.inst_a.uuid), "team": "一组"}).json()["uuid"]
    future = (timezone.now() + dt.timedelta(hours=2)).isoformat()
    r = api("post", f"/patrols/{patrol}/encounters", {"action": "refused", "at": future})
    assert r.status_code == 400 and "future" in r.json()["detail"]
    r = api("post", f"/patrols/{patrol}/encounters", {"action": "dance"})
    assert r.status_code == 400 and "Choose what the patrol did" in r.json()["detail"]
    r = api("post", "/patrols", {"station": str(world.inst_b.uuid), "team": "x"})  # the elderly home
    assert r.status_code == 404
    r = api("post", "/patrols", {"station": str(world.inst_a.uuid), "team": "  "})
    assert r.status_code == 400
