from __future__ import annotations

import datetime as dt

from django.utils import timezone

from shuangfang.core.matrix import ApiCase, Case

VIEWERS = frozenset({"admin", "bureau_supervisor", "institution_head", "safety_officer", "department_head"})
MANAGERS = frozenset({"admin", "institution_head", "safety_officer"})
HANDLERS = frozenset({"admin", "institution_head", "safety_officer", "department_head"})
DEVICES_ONLY: frozenset[str] = frozenset()  # ingestion takes a device token, never a person's


def _device(w):
    from shuangfang.monitoring.devices import register_device
    from shuangfang.monitoring.models import Device
    from shuangfang.monitoring.rules import ensure_default_rules

    ensure_default_rules()
    device = Device.objects.filter(code="EL-MATRIX").first()
    if device is None:
        device, _token = register_device(
            actor=w.root,
            organization=w.inst_a,
            kind="electricity",
            code="EL-MATRIX",
            name="配电箱",
            building="A",
        )
    return device


def _alarm(w):
    from shuangfang.monitoring.ingestion import ingest
    from shuangfang.monitoring.models import Alarm
    from shuangfang.monitoring.schemas import Payload

    device = _device(w)
    alarm = Alarm.objects.filter(device=device).first()
    if alarm is None:
        now = timezone.now()
        ingest(
            [
                (
                    device,
                    Payload.model_validate(
                        {
                            "device_id": device.code,
                            "ts": (now - dt.timedelta(seconds=i)).isoformat(),
                            "channels": {"residual_current_ma": 400},
                        }
                    ),
                )
                for i in range(3)
            ],
            transport="test",
        )
        alarm = Alarm.objects.get(device=device)
    return alarm


def device(w):
    return {"uuid": _device(w).uuid}


def alarm(w):
    return {"uuid": _alarm(w).uuid}


def _rule_post(w):
    from shuangfang.monitoring.models import AlarmRule
    from shuangfang.monitoring.rules import ensure_default_rules

    ensure_default_rules()
    rule = AlarmRule.objects.defaults().get(
        device_kind="electricity", channel="residual_current_ma", op="above"
    )
    return {"rule": rule.pk, "organization": str(w.inst_a.uuid), "threshold": 250, "samples": 2}


CASES = [
    Case("monitoring:monitor", VIEWERS),
    Case("monitoring:live", VIEWERS),
    Case("monitoring:devices", VIEWERS),
    Case("monitoring:device_new", MANAGERS),
    # Excel import of devices (core.importing): the chooser, then one institution's import page.
    Case(
        "core:import_choose",
        MANAGERS,
        kwargs=lambda w: {"name": "monitoring.devices"},
        object_scoped=False,
        denied=404,
    ),
    Case("core:import", MANAGERS, kwargs=lambda w: {"name": "monitoring.devices", "uuid": w.inst_a.uuid}),
    Case(
        "monitoring:device_new",
        MANAGERS,
        method="post",
        data=lambda w: {
            "organization": w.inst_a.pk,
            "kind": "smoke",
            "code": "SM-M1",
            "name": "烟感",
            "heartbeat_seconds": 300,
        },
    ),
    Case("monitoring:device", VIEWERS, kwargs=device),
    Case("monitoring:device_readings", VIEWERS, kwargs=device),
    Case("monitoring:device_rotate", MANAGERS, kwargs=device, method="post"),
    Case("monitoring:alarms", VIEWERS),
    Case("monitoring:alarm", VIEWERS, kwargs=alarm),
    Case(
        "monitoring:alarm_acknowledge", HANDLERS, kwargs=alarm, method="post", data=lambda w: {"note": "到场"}
    ),
    Case(
        "monitoring:alarm_clear",
        HANDLERS,
        kwargs=alarm,
        method="post",
        data=lambda w: {"reason": "false_alarm", "note": "测试"},
    ),
    Case("monitoring:rules", VIEWERS),
    Case("monitoring:rule_tighten", MANAGERS, method="post", data=_rule_post),
    Case("monitoring:rule_criterion", MANAGERS, method="post", data=lambda w: {**_rule_post(w), "code": ""}),
]


def _reading(w):
    return {
        "device_id": "EL-MATRIX",
        "ts": timezone.now().isoformat(),
        "channels": {"residual_current_ma": 1},
    }


API_CASES = [
    ApiCase("post", "/api/v1/monitoring/ingest", DEVICES_ONLY, body=_reading, denied=401),
    ApiCase(
        "post",
        "/api/v1/monitoring/ingest/batch",
        DEVICES_ONLY,
        body=lambda w: {"messages": [_reading(w)]},
        denied=401,
    ),
    ApiCase("get", "/api/v1/monitoring/devices", VIEWERS),
    ApiCase("get", "/api/v1/monitoring/devices/{uuid}", VIEWERS, params=device, object_scoped=True),
    ApiCase("get", "/api/v1/monitoring/devices/{uuid}/readings", VIEWERS, params=device, object_scoped=True),
    ApiCase("get", "/api/v1/monitoring/alarms", VIEWERS),
    ApiCase(
        "post",
        "/api/v1/monitoring/alarms/{uuid}/acknowledge",
        HANDLERS,
        params=alarm,
        body=lambda w: {"note": ""},
        object_scoped=True,
    ),
    ApiCase(
        "post",
        "/api/v1/monitoring/alarms/{uuid}/clear",
        HANDLERS,
        params=alarm,
        body=lambda w: {"reason": "false_alarm", "note": "测试"},
        object_scoped=True,
    ),
]
