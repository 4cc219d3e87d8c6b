"""Devices imported from the installer's Excel list (issue 23): all rows or none, each mistake by
row and column, gateways before the devices behind them, in a background job."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import Workbook

from shuangfang.core.models import Job
from shuangfang.monitoring.models import Device

pytestmark = pytest.mark.django_db
HEADER = ["设备编号", "名称", "设备类型", "部门", "楼栋", "楼层", "地点", "心跳间隔（秒）", "网关编号"]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _xlsx(rows) -> io.BytesIO:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    out.name = "devices.xlsx"
    return out


def _post(client, world, data, capture) -> Job:
    url = reverse("core:import", kwargs={"name": "monitoring.devices", "uuid": world.inst_a.uuid})
    with capture(execute=True):
        r = client.post(url, {"file": data})
    assert r.status_code == 302
    return Job.objects.order_by("-pk")[0]


def test_devices_import_all_or_nothing(world, login, django_capture_on_commit_callbacks):
    officer = login(world.users["safety_officer"])
    template = officer.get(
        reverse("core:import", kwargs={"name": "monitoring.devices", "uuid": world.inst_a.uuid})
        + "?template=1"
    )
    assert template.status_code == 200
    dept = world.dept_a.name
    bad = _xlsx(
        [
            HEADER,
            ["GW-1", "一楼网关", "网关", dept, "1号楼", "1", "弱电间", 60, ""],
            ["GAS-1", "厨房燃气", "可燃气体探测器", dept, "1号楼", "1", "厨房", 300, "GW-1"],
            ["GAS-1", "重复", "可燃气体探测器", "", "", "", "", "", ""],
            ["X-1", "未知类型", "咖啡机", "", "", "", "", "", ""],
            ["X-2", "坏心跳", "smoke", "", "", "", "", "五分钟", ""],
            ["X-3", "无网关", "smoke", "", "", "", "", "", "GW-9"],
            ["X-4", "无部门", "smoke", "不存在的科", "", "", "", "", ""],
        ]
    )
    job = _post(officer, world, bad, django_capture_on_commit_callbacks)
    assert job.status == Job.FAILED
    assert [(e["row"], e["column"]) for e in job.result["errors"]] == [
        (4, "设备编号"),
        (5, "设备类型"),
        (6, "心跳间隔（秒）"),
        (7, "网关编号"),
        (8, "部门"),
    ]
    assert not Device.objects.exists()

    good = _xlsx(
        [
            HEADER,
            ["GW-1", "一楼网关", "网关", dept, "1号楼", "1", "弱电间", 60, ""],
            ["GAS-1", "厨房燃气", "Combustible-gas detector", dept, "1号楼", "1", "厨房", 300, "GW-1"],
            ["SMK-1", "走廊烟感", "smoke", "", "1号楼", "2", "走廊", "", ""],
        ]
    )
    job = _post(officer, world, good, django_capture_on_commit_callbacks)
    assert job.status == Job.DONE, job.result
    devices = {d.code: d for d in Device.objects.select_related("gateway")}
    assert set(devices) == {"GW-1", "GAS-1", "SMK-1"}
    assert devices["GAS-1"].gateway == devices["GW-1"] and devices["GAS-1"].department == world.dept_a
    assert devices["SMK-1"].heartbeat_seconds == 300 and devices["SMK-1"].kind == "smoke"
    # Importing the same file again: every id is taken, nothing is added.
    job = _post(
        officer, world, _xlsx([HEADER, ["SMK-1", "走廊烟感", "smoke"]]), django_capture_on_commit_callbacks
    )
    assert job.status == Job.FAILED and Device.objects.count() == 3


def test_the_chooser_lists_the_institutions_one_may_import_into(world, login):
    bureau = login(world.users["admin"])
    r = bureau.get(reverse("core:import_choose", kwargs={"name": "monitoring.devices"}))
    assert r.status_code == 200 and world.inst_a.name in r.content.decode()
    one = login(world.users["safety_officer"])
    r = one.get(reverse("core:import_choose", kwargs={"name": "monitoring.devices"}))
    assert r.status_code == 302 and str(world.inst_a.uuid) in r["Location"]
