"""Issue 13: a device message with text no database keeps is refused (HTTP and MQTT share the
payload schema), nothing is stored."""

from __future__ import annotations

import json

import pytest
from django.utils import translation

from shuangfang.monitoring.models import Reading
from shuangfang.monitoring.mqtt import Held, Listener, storable, topic_for
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


@pytest.mark.parametrize(
    "raw",
    [
        b'{"device_id": "EL-0001", "ts": "TS", "msg_id": "m\\u0000", "channels": {"voltage_v": 4}}',
        b'{"device_id": "EL-0001", "ts": "TS", "msg_id": "\\ud800", "channels": {"voltage_v": 4}}',
        # A UTF-8-encoded surrogate: json.loads lets it through ("surrogatepass"), the schema may not.
        b'{"device_id": "EL-0001", "ts": "TS", "msg_id": "\xed\xa0\x80", "channels": {"voltage_v": 4}}',
    ],
)
def test_the_listeners_quick_path_still_refuses_what_no_database_keeps(kit, raw):
    """The listener skips the walk for NULs and surrogates only when the raw bytes cannot hold one."""
    lst = Listener(root="sf", host="127.0.0.1", port=1)  # never connected
    raw = raw.replace(b"TS", msg("EL-0001")["ts"].encode())
    device, payload, problem = lst.parse(Held(0, 0, topic_for(kit.meter), raw))
    assert device == kit.meter and payload is None
    assert problem is not None and problem[0] == "invalid"
    assert storable(raw) is None


def test_an_ordinary_message_takes_the_quick_path(kit):
    raw = json.dumps(msg("EL-0001")).encode()
    assert storable(raw) == {"storable": True}
    lst = Listener(root="sf", host="127.0.0.1", port=1)
    _device, payload, problem = lst.parse(Held(0, 0, topic_for(kit.meter), raw))
    assert problem is None and payload is not None
