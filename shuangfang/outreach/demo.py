"""Demo street outreach at the demo relief station: last night's patrol with two encounters (one
persuaded to come in), and a patrol under way now."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from shuangfang.core.demo import register

from . import patrols
from .models import Patrol

STATION = "汴州市救助管理站"


@register(61, "street outreach")
def build(city) -> None:
    station = city.institutions[STATION]
    if Patrol.objects.filter(organization=station).exists():
        return
    staff = city.people["wumin"]
    night = patrols.start_patrol(actor=staff, organization=station, team="夜间巡查一组", vehicle="救助车01")
    start = timezone.now() - dt.timedelta(hours=20)
    Patrol.objects.filter(pk=night.pk).update(started_at=start)
    night.refresh_from_db()
    patrols.log_encounter(
        actor=staff,
        patrol=night,
        data={
            "action": "supplies",
            "need": "warmth",
            "place": "人民路地下通道",
            "description": "男，约50岁，不愿进站",
            "supplies": "棉被1床，方便面2盒",
            "at": start + dt.timedelta(minutes=30),
        },
    )
    patrols.log_encounter(
        actor=staff,
        patrol=night,
        data={
            "action": "persuaded",
            "need": "shelter",
            "place": "火车站北广场",
            "description": "女，约30岁",
            "at": start + dt.timedelta(minutes=75),
        },
    )
    patrols.end_patrol(actor=staff, patrol=night)
    Patrol.objects.filter(pk=night.pk).update(ended_at=start + dt.timedelta(hours=2))
    patrols.start_patrol(actor=staff, organization=station, team="白天巡查二组", vehicle="救助车02")
