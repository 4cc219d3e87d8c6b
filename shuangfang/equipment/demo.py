"""Demo equipment: extinguishers (one past its service life) and a distribution box at the relief
station, a lift whose statutory inspection is due in ten days at the first elderly-care home, and two
cameras on a simulated recorder at the relief station, one of them short of three months'
retention (the check is run once against the in-process simulator; ``manage.py
equipment_recorder_simulator`` serves the same recordings on port 8554 for the daily check).
Idempotent."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from shuangfang.core.demo import register

from . import services, video
from .models import Equipment, Recorder
from .simulator import SimulatedRecorder, demo_tracks

RELIEF = "汴州市救助管理站"
ELDERLY = "汴州市第一养老院"
SIMULATOR_URL = "http://127.0.0.1:8554"


def _point(inst, name: str):
    from shuangfang.risks.models import RiskPoint

    points = RiskPoint.objects.filter(organization=inst, is_active=True)
    return points.filter(name__contains=name).first() or points.order_by("number").first()


# long: the demo story, read top to bottom: extinguishers, a lift, a recorder with two cameras.
@register(60, "equipment")
@transaction.atomic
def build(city) -> None:
    today = timezone.localdate()
    relief, elderly = city.institutions[RELIEF], city.institutions[ELDERLY]
    if not Equipment.objects.filter(organization=relief).exists():
        officer = city.people["liuyang"]
        for name, kind, place, made in (
            ("厨房灭火器 1", "extinguisher_powder", "厨房", today.replace(year=today.year - 3)),
            ("厨房灭火器 2", "extinguisher_co2", "厨房", today.replace(year=today.year - 5)),
            ("宿舍走廊灭火器", "extinguisher_water", "宿舍", today.replace(year=today.year - 6)),
        ):
            services.register_equipment(
                actor=officer,
                organization=relief,
                kind=kind,
                name=name,
                risk_point=_point(relief, place),
                model="MFZ/ABC4" if kind == "extinguisher_powder" else "",
                supplier="汴州消防器材有限公司",
                manufactured_on=made - dt.timedelta(days=2),  # the water-based one: two days past
            )
        services.register_equipment(
            actor=officer,
            organization=relief,
            kind="distribution_box",
            name="综合楼配电箱",
            risk_point=_point(relief, "配电"),
            installed_on=today.replace(year=today.year - 4),
        )
        for kind, name in (("security_gate", "大门安检门"), ("handheld_detector", "手持金属探测器 1")):
            services.register_equipment(
                actor=officer, organization=relief, kind=kind, name=name, risk_point=_point(relief, "门")
            )
    if not Equipment.objects.filter(organization=elderly, kind="lift").exists():
        services.register_equipment(
            actor=city.people["machao"],
            organization=elderly,
            kind="lift",
            name="颐养楼 1号电梯",
            registration_number="梯11豫B00123(20)",
            model="GeN2-MRL 1000kg",
            supplier="汴州电梯工程有限公司",
            installed_on=today.replace(year=today.year - 6),
            next_inspection_on=today + dt.timedelta(days=10),
        )
    if not Recorder.objects.filter(organization=relief).exists():
        _cameras(city, relief)


def _cameras(city, relief) -> None:
    officer = city.people["liuyang"]
    rec = video.create_recorder(
        actor=officer,
        organization=relief,
        name="监控室 NVR",
        adapter="isapi",
        base_url=SIMULATOR_URL,
        username="admin",
        secret_env="DEMO_NVR_PASSWORD",
        live_url="https://www.hik-connect.com/",
    )
    video.create_camera(actor=officer, recorder=rec, channel=1, name="大门", risk_point=_point(relief, "门"))
    video.create_camera(
        actor=officer, recorder=rec, channel=2, name="接待大厅", risk_point=_point(relief, "接待")
    )
    with SimulatedRecorder(demo_tracks(timezone.now())) as sim:
        Recorder.objects.filter(pk=rec.pk).update(base_url=sim.url)
        video.check_retention(organizations=[relief])
        Recorder.objects.filter(pk=rec.pk).update(base_url=SIMULATOR_URL)
