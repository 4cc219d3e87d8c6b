"""Demo public reports: posters for the relief station (its entrance and every risk point) and three
visitors' reports, one waiting for the officer, one confirmed into a hazard, one rejected. Idempotent."""

from __future__ import annotations

from django.db import transaction

from shuangfang.core.demo import register

from . import services
from .choices import RejectReason
from .models import Poster, PublicReport

RELIEF = "汴州市救助管理站"


@register(70, "public reports")
@transaction.atomic
def build(city) -> None:
    relief = city.institutions[RELIEF]
    officer = city.people["liuyang"]
    services.make_posters(actor=officer, institution=relief)
    if PublicReport.objects.filter(organization=relief).exists():
        return
    entrance = Poster.objects.get(organization=relief, risk_point__isnull=True)
    point_poster = Poster.objects.filter(organization=relief, risk_point__isnull=False).first() or entrance
    sent = [
        services.submit_report(
            poster=poster, text=text, phone=phone, address=f"192.0.2.{n}", device=f"demo-phone-{n}"
        )
        for n, (poster, text, phone) in enumerate(
            [
                (entrance, "大门口的消防通道停了两辆电动车，堵住了一半。", "13800000000"),
                (point_poster, "这里的插线板冒烟，有焦糊味。", ""),
                (entrance, "测试一下", ""),
            ],
            start=1,
        )
    ]
    services.confirm(actor=officer, report=sent[1], description="插线板冒烟、有焦糊味（来访人员报告）")
    services.reject(actor=officer, report=sent[2], reason=RejectReason.NOT_GENUINE, note="访客测试扫码")
