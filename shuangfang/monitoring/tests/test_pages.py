"""Pages: query counts that do not grow with rows; downsampling keeps aggregates."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from shuangfang.monitoring.devices import register_device
from shuangfang.monitoring.ingestion import MemoryLimiter, ingest
from shuangfang.monitoring.models import Alarm, Reading, Rollup
from shuangfang.monitoring.rollups import downsample

from .conftest import telemetry

pytestmark = pytest.mark.django_db


def _fleet(world, n: int, start: int = 0) -> None:
    now = timezone.now()
    for i in range(start, start + n):
        device, _t = register_device(
            actor=world.root,
            organization=world.inst_a,
            kind="electricity",
            code=f"Q-{i}",
            name=f"配电箱{i}",
            building=f"{i % 3 + 1}号楼",
            floor=f"{i % 4 + 1}F",
        )
        items = [
            (device, telemetry(device.code, now - dt.timedelta(seconds=30 - s), residual_current_ma=400))
            for s in range(3)
        ]
        ingest(items, transport="test")


@pytest.mark.parametrize(
    "url", ["/monitoring/", "/monitoring/live/", "/monitoring/devices/", "/monitoring/alarms/"]
)
def test_page_queries_do_not_grow_with_devices_and_alarms(world, login, django_assert_max_num_queries, url):
    client = login(world.users["safety_officer"])
    _fleet(world, 3)
    with django_assert_max_num_queries(14) as few:
        assert client.get(url).status_code == 200
    _fleet(world, 30, start=3)
    assert Alarm.objects.count() == 33
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200


def test_bureau_sees_alarms_of_all_its_institutions_outsider_none(world, login, kit):
    ingest(
        [
            (
                kit.other,
                telemetry("EL-B001", timezone.now() - dt.timedelta(seconds=s), residual_current_ma=400),
            )
            for s in range(3)
        ],
        transport="test",
    )
    ingest(
        [
            (
                kit.meter,
                telemetry("EL-0001", timezone.now() - dt.timedelta(seconds=s), residual_current_ma=400),
            )
            for s in range(3)
        ],
        transport="test",
    )
    bureau = login(world.users["bureau_supervisor"]).get("/monitoring/").content.decode()
    assert "厨房配电箱" in bureau and "B 配电箱" in bureau
    outsider = login(world.users["outsider"]).get("/monitoring/").content.decode()
    assert "B 配电箱" in outsider and "厨房配电箱" not in outsider


def test_device_readings_json(world, login, kit):
    now = timezone.now()
    ingest(
        [(kit.meter, telemetry("EL-0001", now - dt.timedelta(minutes=5), temp_c={"L1": 40.5}))],
        transport="test",
    )
    data = (
        login(world.users["department_head"])
        .get(f"/monitoring/devices/{kit.meter.uuid}/readings.json")
        .json()
    )
    points = [[(now - dt.timedelta(minutes=5)).isoformat(), 40.5]]
    # The legend names the channel in words, never by its key.
    assert data["series"] == [{"name": "线缆温度 L1", "key": "temp_c.L1", "data": points}]


def test_downsampling_rolls_up_then_deletes_and_is_idempotent(kit):
    base = timezone.now().replace(minute=0, second=0, microsecond=0) - dt.timedelta(days=20)
    items = [
        (kit.meter, telemetry("EL-0001", base + dt.timedelta(seconds=20 * i), residual_current_ma=float(i)))
        for i in range(6)  # two minutes: 0,1,2 and 3,4,5
    ]
    ingest(items, transport="test", now=base + dt.timedelta(minutes=5), limiter=MemoryLimiter())
    recent = telemetry("EL-0001", timezone.now() - dt.timedelta(minutes=1), residual_current_ma=7)
    ingest([(kit.meter, recent)], transport="test")
    done = downsample(keep_days=14)
    assert done["readings"] == 6
    assert list(Reading.objects.values_list("value", flat=True)) == [7.0]
    minutes = list(Rollup.objects.filter(seconds=60).order_by("ts").values_list("n", "vmin", "vmax", "vsum"))
    assert minutes == [(3, 0.0, 2.0, 3.0), (3, 3.0, 5.0, 12.0)]
    hour = Rollup.objects.get(seconds=3600)
    assert (hour.n, hour.vmin, hour.vmax, hour.avg) == (6, 0.0, 5.0, 2.5)
    assert downsample(keep_days=14)["readings"] == 0
    assert Rollup.objects.count() == 3
