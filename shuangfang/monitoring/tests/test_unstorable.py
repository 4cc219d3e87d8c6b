"""Issue 13: a device message with text no database keeps is refused (HTTP and MQTT share the
payload schema), nothing is stored."""

from __future__ import annotations

import pytest
from django.utils import translation

from shuangfang.monitoring.models import Reading
from shuangfang.monitoring.schemas import Payload

from .test_http import msg, post

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("field", ["msg_id", "device_id"])
def test_a_nul_in_a_device_message_is_a_400(kit, field):
    body = msg("EL-0001", **({field: "EL-0001\x00"} if field == "device_id" else {field: "m\x00"}))
    with translation.override("en"):
        r = post(kit.meter_token, body)
    assert r.status_code == 400, r.content
    assert "NUL" in r.json()["detail"]
    assert not Reading.objects.exists()


def test_a_lone_surrogate_in_a_device_message_is_a_400(kit):
    raw = '{"device_id": "EL-0001", "ts": "%s", "msg_id": "\\ud800", "channels": {"residual_current_ma": 4}}'
    r = post(kit.meter_token, raw % msg("EL-0001")["ts"])
    assert r.status_code == 400, r.content
    assert not Reading.objects.exists()


def test_the_mqtt_listener_validates_with_the_same_schema():
    with translation.override("en"), pytest.raises(ValueError, match="surrogate"):
        Payload.model_validate({"device_id": "d", "ts": "2026-01-01T00:00:00+00:00", "code": "\udc00"})
