import datetime as dt
import socket

import pytest
import time_machine

from shuangfang.equipment import video
from shuangfang.equipment.choices import RetentionResult
from shuangfang.equipment.models import RetentionCheck
from shuangfang.equipment.simulator import SimulatedRecorder, daily_spans
from shuangfang.hazards.models import Hazard
from shuangfang.inspections.models import Task

from .conftest import local

pytestmark = pytest.mark.django_db(transaction=True)  # the HTTP calls run in threads

NOW = local(2026, 6, 15, 2, 30)  # the rule: recordings back to 2026-03-15 00:00


def _free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def _recorder(world, name, url, channels):
    officer = world.users["safety_officer"]
    rec = video.create_recorder(
        actor=officer, organization=world.inst_a, name=name, adapter="isapi", base_url=url
    )
    cams = [video.create_camera(actor=officer, recorder=rec, channel=c, name=f"{name}-{c}") for c in channels]
    return rec, cams


def _result(cam):
    return RetentionCheck.objects.get(camera=cam).result


def test_retention_against_simulated_recorders(world, monkeypatch):
    monkeypatch.setattr(video, "TIMEOUT", 1)
    full = daily_spans(local(2026, 3, 10), NOW)
    short = daily_spans(local(2026, 4, 1), NOW)
    gappy = daily_spans(local(2026, 3, 1), NOW, skip={dt.date(2026, 5, 1), dt.date(2026, 5, 2)})
    good = SimulatedRecorder({101: full, 201: short, 301: gappy})
    garbage = SimulatedRecorder({101: full}, mode="garbage")
    slow = SimulatedRecorder({101: full}, mode="hang")
    with good, garbage, slow:
        _, (ok_cam, short_cam, gap_cam) = _recorder(world, "NVR-1", good.url, [1, 2, 3])
        _, (garbage_cam,) = _recorder(world, "NVR-2", garbage.url, [1])
        _, (slow_cam,) = _recorder(world, "NVR-3", slow.url, [1])
        _, (off_cam, off_cam2) = _recorder(world, "NVR-4", f"http://127.0.0.1:{_free_port()}", [1, 2])
        with time_machine.travel(NOW, tick=True):
            counts = video.check_retention()
            again = video.check_retention()  # the same day: nothing more
    assert _result(ok_cam) == RetentionResult.OK
    assert _result(short_cam) == RetentionResult.SHORT
    assert "2026-03-15" in RetentionCheck.objects.get(camera=short_cam).detail
    assert _result(gap_cam) == RetentionResult.GAP
    assert _result(garbage_cam) == RetentionResult.ERROR
    assert _result(slow_cam) == RetentionResult.OFFLINE
    assert _result(off_cam) == _result(off_cam2) == RetentionResult.OFFLINE
    assert counts == {"ok": 1, "short": 1, "gap": 1, "error": 1, "offline": 3}
    assert again == {}
    # the request is an ISAPI content search of the channel's main stream, read page by page
    first = good.requests[0].decode()
    assert "<CMSearchDescription" in first and "<trackID>101</trackID>" in first
    assert "<searchResultPostion>0</searchResultPostion>" in first
    assert any("<searchResultPostion>7</searchResultPostion>" in r.decode() for r in good.requests)
    # one hazard per problem: short, gap, and one per recorder that did not answer
    hazards = Hazard.objects.all()
    assert hazards.count() == 5
    assert all(h.category == "security" for h in hazards)
    # the next day: new checks, no second hazard for the same open problem
    with SimulatedRecorder({101: full, 201: short, 301: gappy}) as again_good:
        from shuangfang.equipment.models import Recorder

        Recorder.objects.filter(name="NVR-1").update(base_url=again_good.url)
        with time_machine.travel(NOW + dt.timedelta(days=1), tick=True):
            video.check_retention()
    assert RetentionCheck.objects.filter(camera=short_cam).count() == 2
    assert Hazard.objects.count() == 5


def test_three_calendar_months_not_ninety_days():
    today = dt.date(2026, 7, 31)  # three months back: 2026-04-30; 90 days back: 2026-05-02
    ninety = video.Holding([(local(2026, 5, 2), local(2026, 7, 31))])
    assert video.judge(ninety, today=today, months=3).result == RetentionResult.SHORT
    three = video.Holding([(local(2026, 4, 30), local(2026, 7, 31))])
    assert video.judge(three, today=today, months=3).result == RetentionResult.OK
    assert video.add_months(dt.date(2026, 5, 31), -3) == dt.date(2026, 2, 28)


@pytest.mark.parametrize(
    "body",
    [
        b"not xml",
        b"<CMSearchResult><responseStatusStrg>WHAT</responseStatusStrg></CMSearchResult>",
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><CMSearchResult/>',
        b"<CMSearchResult><responseStatusStrg>OK</responseStatusStrg><matchList><searchMatchItem><timeSpan>"
        b"<startTime>yesterday</startTime><endTime>2026-01-01T00:00:00Z</endTime></timeSpan>"
        b"</searchMatchItem></matchList></CMSearchResult>",
    ],
)
def test_garbage_answers_are_refused(body):
    with pytest.raises(video.RecorderGarbage):
        video.parse_search_result(body)


def test_a_recorder_nobody_can_ask_is_a_monthly_check_task(world):
    with time_machine.travel(local(2026, 6, 10, 9), tick=False):
        rec = video.create_recorder(
            actor=world.users["safety_officer"], organization=world.inst_a, name="老录像机", adapter="manual"
        )
        task = Task.objects.get(checkpoint=rec.checkpoint)
        assert task.window_start == local(2026, 6, 1, 8)
        assert task.plan is not None and task.plan.checklist.items.count() == 2
        assert video.check_retention() == {}  # never asked over the network
