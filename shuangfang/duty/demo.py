"""Demo roster: day and night shifts at the demo relief station."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from shuangfang.core.demo import register
from shuangfang.orgs.models import Post

from . import services
from .models import Shift

STATION = "汴州市救助管理站"
SHIFTS = [
    # name, start, hours, post, rotation (usernames)
    ("白班", dt.time(8, 0), 12, "值班员", ["xuliang", "wumin"]),
    ("夜班", dt.time(20, 0), 12, "门卫", ["huanglei", "zhouyong", "xuliang"]),
]


@register(20, "duty roster")
def build(city) -> None:
    station = city.institutions[STATION]
    start = timezone.localdate() - dt.timedelta(days=7)
    for name, start_time, hours, post_name, usernames in SHIFTS:
        if Shift.objects.filter(organization=station, name=name).exists():
            continue
        services.save_shift(
            actor=city.system,
            organization=station,
            members=[city.people[u] for u in usernames],
            name=name,
            start_time=start_time,
            duration_minutes=hours * 60,
            rotation_start=start,
            post=Post.objects.filter(organization=station, name=post_name).first(),
        )
