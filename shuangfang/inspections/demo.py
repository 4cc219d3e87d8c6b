"""Demo inspections for the relief station and the first elderly-care home: checkpoints, checklists
from the item library, plans from the built-in templates, three days of tasks with most done (one
kitchen problem with a photo) and some missed, and one bureau inspection. Idempotent."""

from __future__ import annotations

import datetime as dt
import io
import random
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from shuangfang.core.demo import register
from shuangfang.orgs.models import Post

from . import seed
from .checklists import create_checklist, create_checkpoint
from .choices import AssigneeKind, Result, TaskStatus
from .models import Checklist, PlanTemplate, Task
from .patrol import set_route
from .plans import create_plan, generate_tasks
from .records import Answer, bureau_inspect
from .taskflow import submit_record, sweep_missed

RELIEF = "汴州市救助管理站"
ELDERLY = "汴州市第一养老院"

SITES: dict[str, dict[str, Any]] = {
    RELIEF: {
        "officer": "liuyang",
        "checkpoints": [
            ("厨房", "综合楼", "1层", "CF-01"),
            ("配电房", "综合楼", "负1层", "PD-01"),
            ("男宿舍走廊", "宿舍楼", "2层", "SS-02"),
            ("女宿舍走廊", "宿舍楼", "3层", "SS-03"),
            ("大门门卫室", "", "", "MW-01"),
        ],
        "kitchen_post": "厨师",
        "night_post": "值班员",
        "gate_post": "门卫",
        "night_points": ["男宿舍走廊", "女宿舍走廊"],
    },
    ELDERLY: {
        "officer": "machao",
        "checkpoints": [
            ("厨房", "综合楼", "1层", "CF-01"),
            ("配电房", "综合楼", "1层", "PD-01"),
            ("护理区走廊", "颐养楼", "2层", "HL-02"),
            ("护理区走廊", "颐养楼", "3层", "HL-03"),
            ("大门门卫室", "", "", "MW-01"),
        ],
        "kitchen_post": "厨师",
        "night_post": "护理员",
        "gate_post": "门卫",
        "night_points": ["颐养楼 2层 护理区走廊", "颐养楼 3层 护理区走廊"],
    },
}

CHECKLISTS = [
    ("厨房岗位检查", "post", "food", ["C03", "C04", "C05", "C06", "A11", "B06", "A04"]),
    ("夜间防火巡查", "post", "fire", ["A01", "A02", "A03", "A04", "A08", "B02", "B05"]),
    (
        "每月防火检查",
        "specialist",
        "fire",
        ["A01", "A02", "A03", "A04", "A05", "A06", "A09", "A10", "B01", "B03"],
    ),
    ("门卫岗位检查", "post", "security", ["E01", "E02", "E03", "E04"]),
]


def _photo() -> SimpleUploadedFile:
    img = Image.new("RGB", (640, 480), (236, 239, 241))
    draw = ImageDraw.Draw(img)
    draw.rectangle((120, 80, 520, 400), outline=(198, 40, 40), width=8)
    draw.text((150, 220), "fridge 12 C", fill=(198, 40, 40))
    buf = io.BytesIO()
    img.save(buf, format="JPEG")
    return SimpleUploadedFile("demo.jpg", buf.getvalue(), content_type="image/jpeg")


def _answers(task: Task, *, problem: bool) -> list[Answer]:
    out = []
    assert task.plan is not None
    for i, item in enumerate(task.plan.checklist.items.filter(is_active=True)):
        if problem and i == 1:
            out.append(Answer(str(item.uuid), Result.PROBLEM, "冷藏柜温度 12℃，超过 8℃", [_photo()]))
        else:
            out.append(Answer(str(item.uuid), Result.OK, "", [_photo()] if item.requires_photo else []))
    return out


def _plan_from(code: str, **kw):
    tpl = PlanTemplate.objects.get(code=code)
    rule = dict(tpl.rule)
    return tpl, rule.pop("frequency"), rule


# long: the demo story, read top to bottom: checkpoints, checklists, plans, three days of tasks, a visit.
@register(50, "inspections")
@transaction.atomic
def build(city) -> None:
    seed.load(only_if_missing=True)  # reference data (item library, templates, holidays): idempotent
    rng = random.Random(7)
    now = timezone.now()
    start = now - dt.timedelta(days=3)
    bureau_sup = city.people["lixiuying"]
    for inst_name, site in SITES.items():
        inst = city.institutions[inst_name]
        if Checklist.objects.filter(organization=inst, name="厨房岗位检查").exists():
            continue
        officer = city.people[site["officer"]]
        cps = {}
        for name, building, floor, code in site["checkpoints"]:
            cp = create_checkpoint(
                actor=officer, organization=inst, name=name, building=building, floor=floor, place_code=code
            )
            cps[str(cp)] = cp
        lists = {
            name: create_checklist(
                actor=officer, organization=inst, name=name, kind=kind, category=cat, library_codes=codes
            )
            for name, kind, cat, codes in CHECKLISTS
        }

        def post(name: str, inst=inst) -> Post:
            return Post.objects.get(organization=inst, name=name)

        kitchen = next(cp for label, cp in cps.items() if label.endswith("厨房"))
        gate = next(cp for label, cp in cps.items() if label.endswith("门卫室"))
        night_points = [
            cp for label, cp in cps.items() if any(label.endswith(p) for p in site["night_points"])
        ]
        tpl, freq, rule = _plan_from("kitchen_daily")
        plans = [
            create_plan(
                actor=officer,
                organization=inst,
                name="厨房每日食品安全检查",
                checklist=lists["厨房岗位检查"],
                frequency=freq,
                rule={**rule, "time": "06:00", "window_minutes": 14 * 60},
                assignee_kind=AssigneeKind.POST,
                assignee_post=post(site["kitchen_post"]),
                checkpoints=[kitchen],
                template=tpl,
            )
        ]
        tpl, freq, rule = _plan_from("night_fire_patrol")
        plans.append(
            create_plan(
                actor=officer,
                organization=inst,
                name=tpl.name,
                checklist=lists["夜间防火巡查"],
                frequency=freq,
                rule=rule,
                assignee_kind=AssigneeKind.ON_SHIFT,
                assignee_post=post(site["night_post"]),
                checkpoints=night_points,
                template=tpl,
            )
        )
        # The night patrol is walked as a route (巡更): its points in this order.
        set_route(actor=officer, plan=plans[-1], checkpoints=night_points)
        tpl, freq, rule = _plan_from("day_fire_patrol")
        plans.append(
            create_plan(
                actor=officer,
                organization=inst,
                name="门卫日间巡查",
                checklist=lists["门卫岗位检查"],
                frequency=freq,
                rule={**rule, "time": "07:00", "window_minutes": 14 * 60},
                assignee_kind=AssigneeKind.POST,
                assignee_post=post(site["gate_post"]),
                checkpoints=[gate],
                template=tpl,
            )
        )
        tpl, freq, rule = _plan_from("monthly_fire_inspection")
        create_plan(
            actor=officer,
            organization=inst,
            name=tpl.name,
            checklist=lists["每月防火检查"],
            frequency=freq,
            rule=rule,
            assignee_kind=AssigneeKind.ROLE,
            assignee_role="safety_officer",
            location="全院",
            template=tpl,
        )
        # Three days of history: generate from then, do most tasks in their window, miss the rest.
        generate_tasks(now=start, horizon=dt.timedelta(days=3), organizations=[inst])
        generate_tasks(now=now, organizations=[inst])
        past = Task.objects.filter(
            plan__in=plans, status=TaskStatus.OPEN, window_end__lte=now
        ).select_related("plan", "plan__checklist", "assignee_post")
        problem_done = False
        for task in past.order_by("window_start"):
            if rng.random() < 0.2:
                continue  # left undone: becomes missed below
            from .assignment import assignees

            at = task.window_start + (task.window_end - task.window_start) / 3
            people = assignees(task, at=at)  # "on shift" means on shift then, by the roster
            if not people:
                continue
            is_kitchen = task.checkpoint_id == kitchen.pk
            submit_record(
                actor=people[0],
                task=task,
                answers=_answers(task, problem=is_kitchen and not problem_done),
                now=at,
            )
            problem_done = problem_done or is_kitchen
        sweep_missed(now=now)
    # The city bureau's own checklist and one inspection of the relief station.
    if not Checklist.objects.filter(organization=city.city, name="民政局安全检查表").exists():
        checklist = create_checklist(
            actor=city.system,
            organization=city.city,
            name="民政局安全检查表",
            kind="bureau",
            category="rules",
            library_codes=["F01", "F02", "F03", "A05", "A06", "E03"],
        )
        items = list(checklist.items.all())
        bureau_inspect(
            actor=bureau_sup,
            institution=city.institutions[RELIEF],
            checklist=checklist,
            answers=[
                Answer(
                    str(i.uuid), Result.PROBLEM if n == 2 else Result.OK, "培训记录缺 10 月" if n == 2 else ""
                )
                for n, i in enumerate(items)
            ],
            location="汴州市救助管理站",
            now=now - dt.timedelta(days=1),
        )
