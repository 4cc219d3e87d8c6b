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


REGISTER = [
    # name, category, community
    ("登记甲", "dementia", "东城区虚构街道虚构社区"),
    ("登记乙", "intellectual", "东城区虚构镇虚构村"),
    ("登记丙", "repeat", "东城区虚构镇虚构村"),
]


@register(62, "at-risk register")
def build_register(city) -> None:
    """The district's at-risk register, added last year: the sweep makes this period's revisits."""
    from . import register as reg
    from .register_models import AtRiskPerson

    district, officer = city.district, city.people["zhaozhiqiang"]
    if AtRiskPerson.objects.filter(organization=district).exists():
        return
    for name, category, community in REGISTER:
        person = reg.add_person(
            actor=officer,
            organization=district,
            fields={"name": name, "category": category, "community": community, "guardian": "监护人"},
            assignee=officer,
        )
        AtRiskPerson.objects.filter(pk=person.pk).update(added_at=timezone.now() - dt.timedelta(days=400))
    reg.sweep()


@register(63, "seasonal campaign")
def build_campaign(city) -> None:
    """A campaign running now in the demo city (winter or summer, whichever season it is)."""
    from . import campaigns
    from .campaign_models import Campaign

    if Campaign.objects.filter(organization=city.city).exists():
        return
    today = timezone.localdate()
    kind, name = ("summer", "夏季送清凉") if 4 <= today.month <= 9 else ("winter", "寒冬送温暖")
    dates = campaigns.default_dates(kind, today)
    assert dates is not None
    start = min(dates[0], today - dt.timedelta(days=7))
    campaigns.save_campaign(
        actor=city.people["lixiuying"],
        organization=city.city,
        data={
            "name": f"{today.year}年{name}专项行动",
            "kind": kind,
            "starts_on": start,
            "ends_on": max(dates[1], today + dt.timedelta(days=30)),
            "key_areas": "火车站北广场\n人民路地下通道\n汴河大桥桥洞\n城乡结合部",
            "patrols_per_week": 7,
        },
    )


@register(63, "patrol plans")
def build_plans(city) -> None:
    """The daily patrol (09:00, 4 hours) and, in winter or summer, a cold or heat wave declared for
    tonight and the next two nights."""
    from .patrol_plans import create_daily_plan, declare_extreme_weather
    from .plan_models import PatrolPlan

    station = city.institutions[STATION]
    if PatrolPlan.objects.filter(organization=station).exists():
        return
    head = city.people["zhangwei"]
    create_daily_plan(actor=head, station=station, time="09:00", hours=4)
    today = timezone.localdate()
    weather = "heat" if today.month in (6, 7, 8, 9) else "cold"
    declare_extreme_weather(
        actor=head,
        station=station,
        weather=weather,
        first_night=today,
        last_night=today + dt.timedelta(days=2),
    )
