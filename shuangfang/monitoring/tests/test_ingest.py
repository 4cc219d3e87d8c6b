"""ingest(): readings stored once and in time order, rules with debounce and recovery, one active
alarm per device and type, events with the right payload, refusals with reasons."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from pydantic import ValidationError as PydanticError

from shuangfang.monitoring.alarms import acknowledge_alarm, clear_alarm
from shuangfang.monitoring.choices import AlarmStatus, ClearReason
from shuangfang.monitoring.devices import sweep_offline
from shuangfang.monitoring.ingestion import ingest
from shuangfang.monitoring.models import Alarm, AlarmRule, Reading, Rejection
from shuangfang.monitoring.rules import invalidate_rules, set_site_rule
from shuangfang.monitoring.schemas import Payload

from .conftest import T0, event, telemetry

pytestmark = pytest.mark.django_db
NOW = T0 + dt.timedelta(minutes=10)


def feed(kit, values, start=T0, step=10, channel="residual_current_ma"):
    items = []
    for i, v in enumerate(values):
        items.append(
            (kit.meter, telemetry("EL-0001", start + dt.timedelta(seconds=step * i), **{channel: v}))
        )
    return ingest(items, transport="test", now=NOW)


def test_readings_stored_once_and_in_time_order(kit):
    late = telemetry("EL-0001", T0 + dt.timedelta(seconds=5), residual_current_ma=40)
    first = ingest(
        [
            (kit.meter, telemetry("EL-0001", T0 + dt.timedelta(seconds=10), temp_c={"L1": 36.5, "L2": 35.0})),
            (kit.meter, telemetry("EL-0001", T0, residual_current_ma=42)),
        ],
        transport="test",
        now=NOW,
    )
    assert first.accepted == 2 and first.duplicates == 0
    again = ingest(
        [(kit.meter, telemetry("EL-0001", T0, residual_current_ma=42)), (kit.meter, late)],
        transport="test",
        now=NOW,
    )
    assert again.duplicates == 1
    rows = list(
        Reading.objects.filter(device=kit.meter).order_by("ts", "channel").values_list("channel", "value")
    )
    assert rows == [
        ("residual_current_ma", 42.0),
        ("residual_current_ma", 40.0),
        ("temp_c.L1", 36.5),
        ("temp_c.L2", 35.0),
    ]
    kit.meter.refresh_from_db()
    assert kit.meter.online and kit.meter.last_values["temp_c.L1"] == 36.5


def test_debounce_then_one_alarm_updated_by_repeats(kit, published, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        feed(kit, [350, 350])  # two samples: the rule needs three
        assert not Alarm.objects.exists()
        feed(kit, [350, 360, 370, 380, 390], start=T0 + dt.timedelta(seconds=20))
    alarm = Alarm.objects.get()
    assert alarm.alarm_type == "residual_current" and alarm.status == AlarmStatus.OPEN
    assert alarm.count == 5 and alarm.last_value == 390 and alarm.first_value == 350
    assert alarm.threshold == 300
    opened = [p for k, p in published if k == "alarm.opened"]
    assert len(opened) == 1
    p = opened[0]
    assert p["organization_id"] == kit.meter.organization_id
    assert p["object_uuid"] == str(alarm.uuid) and p["device_uuid"] == str(kit.meter.uuid)
    assert p["alarm_type"] == "residual_current" and p["severity"] == "critical"
    assert p["open_hazard"] is True and "厨房配电箱" in p["hazard_description"]
    assert p["url"] == f"/monitoring/alarms/{alarm.uuid}/"
    assert "厨房配电箱" in p["title"] and "剩余电流超限" in p["title"]
    assert set(p["roles"]) >= {"safety_officer"}


def test_a_normal_sample_resets_the_count(kit):
    feed(kit, [350, 350, 100, 350, 350])
    assert not Alarm.objects.exists()


def test_recovery_clears_with_hysteresis_and_publishes(kit, published, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        feed(kit, [350, 350, 350])
        feed(kit, [280, 280, 280], start=T0 + dt.timedelta(seconds=30))  # below 300 but above 250
        assert Alarm.objects.get().status == AlarmStatus.OPEN
        feed(kit, [100, 100, 100], start=T0 + dt.timedelta(seconds=60))
    alarm = Alarm.objects.get()
    assert alarm.status == AlarmStatus.CLEARED and alarm.clear_reason == ClearReason.RECOVERED
    assert [k for k, _p in published] == ["alarm.opened", "alarm.cleared"]


def test_flapping_is_suppressed_and_reported(kit, published, django_capture_on_commit_callbacks):
    start = T0
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(4):
            feed(kit, [400, 400, 400, 10, 10, 10], start=start)
            start += dt.timedelta(minutes=1)
    alarms = list(Alarm.objects.order_by("opened_at"))
    assert len(alarms) == 3  # the third stays open instead of clearing and opening again
    assert alarms[-1].flapping and alarms[-1].status == AlarmStatus.OPEN
    assert [k for k, _p in published].count("alarm.opened") == 3


def test_the_database_allows_one_active_alarm_per_device_and_type(kit):
    feed(kit, [350, 350, 350])
    alarm = Alarm.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Alarm.objects.create(
            organization=alarm.organization,
            device=kit.meter,
            alarm_type="residual_current",
            category="alarm",
            severity="critical",
            opened_at=T0,
            last_seen_at=T0,
        )
    alarm.status = AlarmStatus.CLEARED
    alarm.save()
    Alarm.objects.create(
        organization=alarm.organization,
        device=kit.meter,
        alarm_type="residual_current",
        category="alarm",
        severity="critical",
        opened_at=T0,
        last_seen_at=T0,
    )


def test_multi_phase_recovery_waits_for_every_phase(kit):
    items = []
    for i in range(3):
        ts = T0 + dt.timedelta(seconds=10 * i)
        items.append((kit.meter, telemetry("EL-0001", ts, temp_c={"L1": 85, "L2": 86})))
    for i in range(3, 6):
        ts = T0 + dt.timedelta(seconds=10 * i)
        items.append((kit.meter, telemetry("EL-0001", ts, temp_c={"L1": 40, "L2": 86})))
    ingest(items, transport="test", now=NOW)
    assert Alarm.objects.get(alarm_type="cable_temp").status == AlarmStatus.OPEN


def test_device_reported_smoke_via_gateway_dedup_on_msg_id(
    kit, published, django_capture_on_commit_callbacks
):
    msg = event("SM-0001", T0, "alarm", "smoke", msg_id="m-1")
    with django_capture_on_commit_callbacks(execute=True):
        ingest([(kit.gateway, msg)], transport="test", now=NOW)
        out = ingest([(kit.gateway, msg)], transport="test", now=NOW)
    assert out.duplicates == 1
    alarm = Alarm.objects.get()
    assert alarm.device == kit.smoke and alarm.count == 1 and alarm.severity == "critical"
    assert published[0][1]["open_hazard"] is True
    with django_capture_on_commit_callbacks(execute=True):
        ingest(
            [(kit.gateway, event("SM-0001", T0 + dt.timedelta(seconds=9), "recovery", "smoke"))],
            transport="test",
            now=NOW,
        )
    assert Alarm.objects.get().status == AlarmStatus.CLEARED


def test_repeated_faults_open_a_hazard(kit, published, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for i, code in enumerate(["tamper", "device_fault", "low_battery"]):
            ingest(
                [(kit.smoke, event("SM-0001", T0 + dt.timedelta(seconds=i), "fault", code))],
                transport="test",
                now=NOW,
            )
    flags = [p["open_hazard"] for _k, p in published]
    assert flags == [False, False, True]
    assert "30" in published[-1][1]["hazard_description"]


def test_refusals_are_counted_and_others_go_through(kit):
    out = ingest(
        [
            (kit.meter, telemetry("EL-B001", T0, residual_current_ma=1)),  # for another device
            (kit.smoke, telemetry("EL-0001", T0, residual_current_ma=1)),  # not a gateway
            (kit.meter, telemetry("EL-0001", NOW + dt.timedelta(hours=2), residual_current_ma=1)),
            (kit.meter, telemetry("EL-0001", NOW - dt.timedelta(days=60), residual_current_ma=1)),
            (kit.other, telemetry("EL-B001", T0, residual_current_ma=5)),
        ],
        transport="test",
        now=NOW,
    )
    assert [r["reason"] for r in out.rejected] == [
        "wrong_device",
        "wrong_device",
        "future_timestamp",
        "too_old",
    ]
    assert out.accepted == 1 and Reading.objects.filter(device=kit.other).count() == 1
    kit.meter.refresh_from_db()
    assert kit.meter.rejected_count == 3 and "too_old" in kit.meter.last_rejection
    assert Rejection.objects.count() == 4


def test_a_flood_is_rate_limited_per_device(kit, settings):
    settings.MONITORING_DEVICE_MSGS_PER_MINUTE = 5
    flood = [
        (kit.meter, telemetry("EL-0001", T0 + dt.timedelta(seconds=i), residual_current_ma=1))
        for i in range(8)
    ]
    out = ingest(
        flood + [(kit.other, telemetry("EL-B001", T0, residual_current_ma=5))], transport="test", now=NOW
    )
    assert out.accepted == 6 and [r["reason"] for r in out.rejected] == ["rate_limited"] * 3


@pytest.mark.parametrize(
    "bad",
    [
        {"device_id": "X", "ts": "2026-01-18T08:00:00"},  # naive time
        {"device_id": "X", "ts": "2026-01-18T08:00:00+08:00", "channels": {"temp_c": 9000}},
        {"device_id": "X", "ts": "2026-01-18T08:00:00+08:00", "channels": {"voltage_v": {"L1": "x"}}},
        {"device_id": "X", "ts": "2026-01-18T08:00:00+08:00", "type": "alarm"},
        {"device_id": "", "ts": "2026-01-18T08:00:00+08:00"},
        {"device_id": "X", "ts": "2026-01-18T08:00:00+08:00", "type": "nonsense"},
    ],
)
def test_schema_refuses_bad_payloads(bad):
    with pytest.raises(PydanticError):
        Payload.model_validate(bad)


def test_offline_sweep_with_a_controlled_clock(kit, published, django_capture_on_commit_callbacks):
    ingest([(kit.meter, telemetry("EL-0001", T0, residual_current_ma=1))], transport="test", now=T0)
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep_offline(now=T0 + dt.timedelta(seconds=3 * 300 - 1)) == []
        gone = sweep_offline(now=T0 + dt.timedelta(seconds=3 * 300))
        assert gone == [kit.meter]
        assert sweep_offline(now=T0 + dt.timedelta(hours=1)) == []  # once
    kit.meter.refresh_from_db()
    assert not kit.meter.online
    alarm = Alarm.objects.get(alarm_type="device_offline")
    assert alarm.category == "offline"
    assert [k for k, _p in published] == ["device.offline"]
    p = published[0][1]
    assert p["device_uuid"] == str(kit.meter.uuid) and p["open_hazard"] is True and p["hazard_description"]
    later = T0 + dt.timedelta(hours=2)
    with django_capture_on_commit_callbacks(execute=True):
        ingest([(kit.meter, telemetry("EL-0001", later, residual_current_ma=1))], transport="test", now=later)
    alarm.refresh_from_db()
    assert alarm.status == AlarmStatus.CLEARED and published[-1][0] == "alarm.cleared"


def test_people_acknowledge_and_clear(kit, world, published, django_capture_on_commit_callbacks):
    feed(kit, [350, 350, 350])
    alarm = Alarm.objects.get()
    officer = world.users["safety_officer"]
    with django_capture_on_commit_callbacks(execute=True):
        acknowledge_alarm(actor=officer, alarm=alarm, note="电工已到场")
    assert published[-1][0] == "alarm.acknowledged" and published[-1][1]["acknowledged_by_id"] == officer.pk
    with pytest.raises(ValidationError):
        acknowledge_alarm(actor=officer, alarm=alarm)
    with pytest.raises(ValidationError, match="仍在上报"):
        clear_alarm(actor=officer, alarm=alarm, reason=ClearReason.FIXED)
    with pytest.raises(ValidationError):
        clear_alarm(actor=officer, alarm=alarm, reason=ClearReason.FALSE_ALARM, note="")
    with django_capture_on_commit_callbacks(execute=True):
        clear_alarm(actor=officer, alarm=alarm, reason=ClearReason.FALSE_ALARM, note="测试按钮")
    alarm.refresh_from_db()
    assert alarm.status == AlarmStatus.CLEARED and alarm.cleared_by == officer
    assert published[-1][0] == "alarm.cleared"
    with pytest.raises(PermissionDenied):
        acknowledge_alarm(actor=world.users["outsider"], alarm=alarm)


def test_incident_acknowledged_marks_the_alarm(kit, world):
    from shuangfang.events import IncidentAcknowledged
    from shuangfang.monitoring.consumers import acknowledge_alarm_from_incident

    feed(kit, [350, 350, 350])
    alarm = Alarm.objects.get()
    common = {"organization_id": world.inst_a.pk, "object_uuid": "i-1", "title": "报警"}
    payload = IncidentAcknowledged(
        **common,
        source_kind="alarm",
        source_uuid=str(alarm.uuid),
        acknowledged_by_id=world.users["safety_officer"].pk,
    )
    acknowledge_alarm_from_incident("incident.acknowledged", payload)
    acknowledge_alarm_from_incident("incident.acknowledged", payload)  # idempotent
    other = IncidentAcknowledged(**common, source_kind="hazard", source_uuid=str(alarm.uuid))
    acknowledge_alarm_from_incident("incident.acknowledged", other)
    alarm.refresh_from_db()
    assert alarm.status == AlarmStatus.ACKNOWLEDGED and alarm.acknowledged_by == world.users["safety_officer"]


def test_an_institution_may_only_tighten_a_rule(kit, world):
    base = AlarmRule.objects.defaults().get(
        device_kind="electricity", channel="residual_current_ma", op="above"
    )
    officer = world.users["safety_officer"]
    with pytest.raises(ValidationError):
        set_site_rule(actor=officer, organization=world.inst_a, base=base, threshold=500, samples=3)
    rule = set_site_rule(actor=officer, organization=world.inst_a, base=base, threshold=200, samples=2)
    assert rule.source == "site_setting" and rule.recovery_threshold == 150
    invalidate_rules()
    feed(kit, [250, 250])
    assert Alarm.objects.get().threshold == 200
    ingest(
        [
            (kit.other, telemetry("EL-B001", T0 + dt.timedelta(seconds=i), residual_current_ma=250))
            for i in range(3)
        ],
        transport="test",
        now=NOW,
    )
    assert not Alarm.objects.filter(device=kit.other).exists()  # institution B keeps the default


def test_seeded_rules_carry_provenance(db):
    rules = AlarmRule.objects.defaults()
    assert rules.count() > 20
    assert all(r.source and r.confidence and r.reference for r in rules)
    rc = rules.get(device_kind="electricity", channel="residual_current_ma", op="above")
    assert rc.threshold == 300 and rc.source == "standard" and "GB 50116" in rc.reference
