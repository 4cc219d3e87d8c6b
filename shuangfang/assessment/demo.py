"""A scoring scheme for the demo city bureau, so the score pages have weights of the bureau's own
(demo weights, made up for the demo). Idempotent: saved once."""

from __future__ import annotations

from decimal import Decimal

from shuangfang.core.demo import register

from . import services
from .choices import Indicator, NoData, RuleSpec
from .models import ScoringScheme

RULES = [
    RuleSpec(Indicator.COMPLETION, 20),
    RuleSpec(Indicator.MISSED, 10, per_item=Decimal(2), no_data=NoData.EXCLUDE),
    RuleSpec(Indicator.ON_TIME, 15),
    RuleSpec(Indicator.OVERDUE, 15, per_item=Decimal(5)),
    RuleSpec(Indicator.OPEN_MAJOR, 10, per_item=Decimal("7.5")),
    RuleSpec(Indicator.REVIEWS, 5, no_data=NoData.ZERO),
    # Other apps' indicators (registered by food and readiness).
    RuleSpec("ready_training", 5),
    RuleSpec("ready_drills", 5),
    RuleSpec("ready_letters", 5),
    RuleSpec("food_samples", 5),
    RuleSpec("food_health", 5),
]
# Rewards add at most 5 points, penalties take at most 10.
BONUS_CAP, PENALTY_CAP = Decimal(5), Decimal(10)


@register(90, "assessment scheme")
def build(city) -> None:
    if ScoringScheme.objects.filter(organization=city.city).exists():
        return
    services.save_scheme(
        actor=city.people["lixiuying"],
        bureau=city.city,
        rules=RULES,
        bonus_cap=BONUS_CAP,
        penalty_cap=PENALTY_CAP,
        note="演示方案：权重为演示而设",
    )
