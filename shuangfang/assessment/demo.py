"""A scoring scheme for the demo city bureau, so the score pages have weights of the bureau's own
(demo weights, made up for the demo). Idempotent: saved once."""

from __future__ import annotations

from decimal import Decimal

from shuangfang.core.demo import register

from . import services
from .choices import Indicator, NoData, RuleSpec
from .models import ScoringScheme

RULES = [
    RuleSpec(Indicator.COMPLETION, 30),
    RuleSpec(Indicator.MISSED, 10, per_item=Decimal(2), no_data=NoData.EXCLUDE),
    RuleSpec(Indicator.ON_TIME, 20),
    RuleSpec(Indicator.OVERDUE, 15, per_item=Decimal(5)),
    RuleSpec(Indicator.OPEN_MAJOR, 15, per_item=Decimal("7.5")),
    RuleSpec(Indicator.REVIEWS, 10, no_data=NoData.ZERO),
]


@register(90, "assessment scheme")
def build(city) -> None:
    if ScoringScheme.objects.filter(organization=city.city).exists():
        return
    services.save_scheme(
        actor=city.people["lixiuying"],
        bureau=city.city,
        rules=RULES,
        note="演示方案：权重为演示而设",
    )
