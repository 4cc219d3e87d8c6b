"""HTTP ingestion with per-device tokens, and the reading API."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone

from shuangfang.monitoring.models import Alarm, Reading, Rejection
from shuangfang.orgs import services as org_services

pytestmark = pytest.mark.django_db
URL = "/api/v1/monitoring/ingest"


def post(token, body, path=URL):
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return Client().post(
        path, data, content_type="application/json", headers={"Authorization": f"Bearer {token}"}
    )


def msg(code, value=42, **extra):
    return {
        "device_id": code,
        "ts": timezone.now().isoformat(),
        "channels": {"residual_current_ma": value},
        **extra,
    }


def test_a_device_posts_a_reading(kit):
    r = post(kit.meter_token, msg("EL-0001"))
    assert r.status_code == 200, r.content
    assert r.json()["accepted"] == 1
    assert Reading.objects.filter(device=kit.meter, channel="residual_current_ma").count() == 1


def test_batch_with_partial_refusals_keeps_the_good_ones(kit):
    now = timezone.now()
    body = {
        "messages": [
            {**msg("EL-0001", 350), "ts": (now - dt.timedelta(seconds=3)).isoformat()},
            {**msg("EL-0001", 350), "ts": (now - dt.timedelta(seconds=2)).isoformat()},
            {"device_id": "EL-0001", "ts": "yesterday"},
            {**msg("EL-0001", 350), "ts": (now - dt.timedelta(seconds=1)).isoformat()},
            msg("EL-B001"),
        ]
    }
    r = post(kit.meter_token, body, URL + "/batch")
    assert r.status_code == 200
    data = r.json()
    assert data["accepted"] == 3 and data["alarms_opened"] == 1
    assert [(x["index"], x["reason"]) for x in data["rejected"]] == [(2, "invalid"), (4, "wrong_device")]
    assert Alarm.objects.get().device == kit.meter


@pytest.mark.parametrize(
    ("token", "body", "status", "reason"),
    [
        ("sfd_wrong", None, 401, "bad_token"),
        ("sf_persontoken", None, 401, "bad_token"),
        (None, "{not json", 400, "malformed"),
        (
            None,
            {"device_id": "EL-0001", "ts": "2026-01-01T00:00:00+08:00", "channels": {"temp_c": 2000}},
            400,
            "invalid",
        ),
        (None, "x" * 70_000, 413, "oversized"),
    ],
)
def test_bad_input_is_refused_with_a_reason_and_counted(kit, token, body, status, reason):
    r = post(token or kit.meter_token, body if body is not None else msg("EL-0001"))
    assert r.status_code == status
    assert r.json()["detail"]
    assert Rejection.objects.filter(reason=reason).count() == 1
    assert not Reading.objects.exists()


def test_future_timestamp_and_other_device(kit):
    r = post(kit.meter_token, {**msg("EL-0001"), "ts": (timezone.now() + dt.timedelta(days=1)).isoformat()})
    assert r.status_code == 400 and "future" in r.json()["detail"]
    r = post(kit.meter_token, msg("EL-B001"))
    assert r.status_code == 400 and "wrong_device" in r.json()["detail"]
    kit.meter.refresh_from_db()
    assert kit.meter.rejected_count == 2


def test_flood_is_rate_limited_and_others_unaffected(kit, settings):
    settings.MONITORING_DEVICE_MSGS_PER_MINUTE = 3
    now = timezone.now()
    codes = [
        post(
            kit.meter_token, {**msg("EL-0001"), "ts": (now - dt.timedelta(seconds=i)).isoformat()}
        ).status_code
        for i in range(5)
    ]
    assert codes == [200, 200, 200, 429, 429]
    assert post(kit.other_token, msg("EL-B001")).status_code == 200


def test_people_read_devices_and_alarms_in_their_scope(kit, world):
    post(kit.meter_token, {"messages": [msg("EL-0001", 350)]}, URL + "/batch")
    _t, raw = org_services.issue_api_token(actor=world.users["safety_officer"], name="t")
    c = Client(headers={"Authorization": f"Bearer {raw}"})
    codes = [d["code"] for d in c.get("/api/v1/monitoring/devices").json()["items"]]
    assert "EL-0001" in codes and "EL-B001" not in codes
    r = c.get(f"/api/v1/monitoring/devices/{kit.meter.uuid}/readings")
    assert r.status_code == 200 and r.json()[0]["value"] == 350
    assert c.get(f"/api/v1/monitoring/devices/{kit.other.uuid}").status_code == 404
