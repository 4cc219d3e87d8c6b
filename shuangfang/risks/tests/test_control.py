"""The inventory's control columns (issue 14): control status 受控/预警/失控 from open hazards, missed
checks and alarms at the point, the monitoring method, and "re-assessment due" when hazards or
alarms keep coming back (a rule as data). Query counts do not grow with rows."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine

from shuangfang.hazards import services as hazards
from shuangfang.hazards.models import Hazard
from shuangfang.monitoring.devices import register_device
from shuangfang.monitoring.ingestion import ingest
from shuangfang.monitoring.rules import ensure_default_rules, invalidate_rules
from shuangfang.monitoring.schemas import Payload
from shuangfang.risks import control, services

from .fixtures import risk_world

pytestmark = pytest.mark.django_db

SH = zoneinfo.ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 3, 2, 10, 0, tzinfo=SH)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _hazard(world, point, when=NOW, text="燃气软管老化"):
    with time_machine.travel(when, tick=False):
        return hazards.report_hazard(
            actor=world.users["staff"],
            organization=world.inst_a,
            description=text,
            source="snap",
            risk_point=point,
        )


def _status(point, now=NOW) -> control.Signals:
    return control.signals_for([point.pk], now)[point.pk]


def _alarm(world, point, code="EL-CTL-1", at=NOW):
    invalidate_rules()
    ensure_default_rules()
    device, _token = register_device(
        actor=world.users["safety_officer"],
        organization=world.inst_a,
        kind="electricity",
        code=code,
        name="厨房配电箱",
        risk_point=point,
    )
    items = [
        (
            device,
            Payload.model_validate(
                {
                    "device_id": code,
                    "ts": (at + dt.timedelta(seconds=10 * i)).isoformat(),
                    "type": "telemetry",
                    "channels": {"residual_current_ma": 350},
                }
            ),
        )
        for i in range(3)
    ]
    with time_machine.travel(at + dt.timedelta(minutes=1), tick=False):
        ingest(items, transport="test", now=at + dt.timedelta(minutes=1))
    return device


def test_status_follows_the_loop(world):
    point = risk_world(world).point
    assert _status(point).status == control.UNDER_CONTROL
    h = _hazard(world, point)
    assert _status(point).status == control.WARNING  # an open hazard
    Hazard.objects.filter(pk=h.pk).update(deadline=dt.date(2026, 3, 1))  # set-up: overdue
    assert _status(point).status == control.OUT_OF_CONTROL
    Hazard.objects.filter(pk=h.pk).update(deadline=None)
    assert _status(point).status == control.WARNING


def test_an_active_alarm_is_out_of_control_and_the_device_is_the_monitoring_method(world):
    point = risk_world(world).point
    assert _status(point).methods_text == "未设置" or _status(point).methods_text == "None set"
    _alarm(world, point)
    s = _status(point)
    assert s.active_alarms == 1 and s.status == control.OUT_OF_CONTROL
    assert "用电" in s.methods_text or "lectric" in s.methods_text


def test_hazards_that_keep_coming_back_ask_for_re_assessment(world):
    point = risk_world(world).point
    n, days = control.RECURRENCE_RULE["count"], control.RECURRENCE_RULE["days"]
    assert control.RECURRENCE_RULE["source"] and control.RECURRENCE_RULE["confidence"]
    _hazard(world, point, NOW - dt.timedelta(days=days + 1))  # too long ago
    for i in range(n - 1):
        _hazard(world, point, NOW - dt.timedelta(days=i + 1))
    assert not _status(point).reassessment_due
    _hazard(world, point, NOW - dt.timedelta(hours=1))
    s = _status(point)
    assert s.reassessment_due and str(n) in s.reassessment_text


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_the_inventory_shows_the_columns(world, login, lang):
    point = risk_world(world).point
    _hazard(world, point)
    with time_machine.travel(NOW, tick=False):
        page = login(world.users["safety_officer"]).get("/risks/inventory/", HTTP_ACCEPT_LANGUAGE=lang)
    body = page.content.decode()
    if lang == "zh-hans":
        assert "管控状态" in body and "监测监控方式" in body and "预警" in body
    else:
        assert "Control status" in body and "Monitoring method" in body and "Warning" in body


def test_inventory_queries_do_not_grow_with_rows(world, login, django_assert_max_num_queries):
    officer = world.users["safety_officer"]
    rw = risk_world(world)
    _hazard(world, rw.point)
    _alarm(world, rw.point)
    c = login(officer)
    with time_machine.travel(NOW, tick=False), django_assert_max_num_queries(40) as small:
        c.get("/risks/inventory/")
    for i in range(12):
        p = services.create_risk_point(actor=officer, institution=world.inst_a, name=f"点{i}")
        services.add_factor(actor=officer, point=p, description="因素", factor_class="things")
        _hazard(world, p, text=f"隐患{i}")
        _alarm(world, p, code=f"EL-CTL-{i + 2}")
    with time_machine.travel(NOW, tick=False), django_assert_max_num_queries(len(small.captured_queries)):
        body = c.get("/risks/inventory/").content.decode()
    assert body.count("失控") >= 13 or body.count("Out of control") >= 13


def test_the_pdf_has_the_columns_too(world, login, tmp_path):
    import subprocess

    point = risk_world(world).point
    _hazard(world, point)
    with time_machine.travel(NOW, tick=False):
        r = login(world.users["safety_officer"]).get("/risks/inventory/?export=pdf")
    assert r.status_code == 200
    pdf = tmp_path / "inventory.pdf"
    pdf.write_bytes(b"".join(r.streaming_content) if r.streaming else r.content)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    flat = text.replace("\n", "")
    assert "管控状态" in flat and "监测监控方式" in flat and "预警" in flat
