"""Checkpoints and inspection plans imported from Excel (issue 23): all rows or none, each mistake
by row and column, through the same services as the forms."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import Workbook

from shuangfang.core.models import Job
from shuangfang.inspections.choices import AssigneeKind
from shuangfang.inspections.models import Checkpoint, Plan

pytestmark = pytest.mark.django_db


def _xlsx(rows) -> io.BytesIO:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    out.name = "sheet.xlsx"
    return out


def _post(client, world, name, data, capture) -> Job:
    url = reverse("core:import", kwargs={"name": name, "uuid": world.inst_a.uuid})
    with capture(execute=True):
        r = client.post(url, {"file": data})
    assert r.status_code == 302
    return Job.objects.order_by("-pk")[0]


def test_checkpoints_then_plans(world, setup, login, django_capture_on_commit_callbacks):
    officer = login(world.users["safety_officer"])
    cap = django_capture_on_commit_callbacks
    job = _post(
        officer,
        world,
        "inspections.checkpoints",
        _xlsx(
            [
                ["巡检点", "楼栋", "楼层", "点位编码"],
                ["库房", "1号楼", "1层", "1-102"],
                ["厨房", "1号楼", "1层", ""],
            ]
        ),
        cap,
    )
    assert job.status == Job.FAILED and [(e["row"], e["column"]) for e in job.result["errors"]] == [
        (3, "巡检点")
    ]
    job = _post(
        officer,
        world,
        "inspections.checkpoints",
        _xlsx([["巡检点", "楼栋", "楼层"], ["库房", "1号楼", "1层"], ["配电房", "", ""]]),
        cap,
    )
    assert job.status == Job.DONE
    assert Checkpoint.objects.filter(organization=world.inst_a).count() == 3

    header = ["名称", "检查表", "频次", "时间安排", "执行人", "巡检点", "地点", "开始日期", "结束日期"]
    before = Plan.objects.count()
    bad = _xlsx(
        [
            header,
            ["库房周查", "厨房岗位检查", "每周", "一、三、八", "厨师", "库房", "", "", ""],
            ["夜巡", "没有的表", "每日", "22:00", "厨师", "库房", "", "", ""],
            ["配电", "厨房岗位检查", "每日", "08:00", "谁也不是", "配电房", "", "", ""],
            ["季度", "厨房岗位检查", "节假日前", "", "厨师", "配电房", "", "", ""],
            ["无处", "厨房岗位检查", "每日", "", "厨师", "阁楼", "", "", ""],
        ]
    )
    job = _post(officer, world, "inspections.plans", bad, cap)
    assert job.status == Job.FAILED, job.result
    assert [(e["row"], e["column"]) for e in job.result["errors"]] == [
        (2, "时间安排"),
        (3, "检查表"),
        (4, "执行人"),
        (5, "频次"),
        (6, "巡检点"),
    ]
    assert Plan.objects.count() == before
    good = _xlsx(
        [
            header,
            [
                "库房周查",
                "厨房岗位检查",
                "weekly",
                "周一、周五 09:30",
                world.users["staff"].name,
                "库房",
                "",
                "",
                "",
            ],
            ["配电日查", "厨房岗位检查", "每日", "08:00", "安全管理员", "配电房、库房", "", "2026-01-01", ""],
        ]
    )
    job = _post(officer, world, "inspections.plans", good, cap)
    assert job.status == Job.DONE, job.result
    weekly = Plan.objects.get(name="库房周查")
    assert (
        weekly.rule == {"time": "09:30", "weekdays": [0, 4]} and weekly.assignee_user == world.users["staff"]
    )
    daily = Plan.objects.get(name="配电日查")
    assert daily.assignee_kind == AssigneeKind.ROLE and daily.checkpoints.count() == 2
