"""The built-in indicators of the assessment score (考核), their kind of rule and the built-in
default scheme. Other apps add indicators through :mod:`.registry`. The default is our own
starting point, not a regulation: a bureau replaces it with its own weights on the scheme page."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _


class Indicator(models.TextChoices):
    COMPLETION = "completion", _("Inspection completion rate")
    MISSED = "missed", _("Missed inspection tasks")
    ON_TIME = "on_time", _("Hazards rectified on time")
    OVERDUE = "overdue", _("Overdue hazards")
    OPEN_MAJOR = "open_major", _("Open major hazards")
    REVIEWS = "reviews", _("Risk reviews up to date")


class RuleKind(models.TextChoices):
    RATE = "rate", _("Rate × weight")
    DEDUCTION = "deduction", _("Weight − deduction per item")


class NoData(models.TextChoices):
    """What an indicator scores when the period has nothing to measure (no task due, no hazard
    closed, no risk point)."""

    EXCLUDE = "exclude", _("Left out, the rest scaled to 100")
    FULL = "full", _("Full points")
    ZERO = "zero", _("No points")


# Which rule each indicator uses, and whether it can lack data: a rate needs a denominator; the
# missed-task count means little when no task was due. Overdue and open major hazards are counts
# of what is wrong, so zero is a measurement, never "no data".
RULE_KIND: dict[str, str] = {
    Indicator.COMPLETION: RuleKind.RATE,
    Indicator.MISSED: RuleKind.DEDUCTION,
    Indicator.ON_TIME: RuleKind.RATE,
    Indicator.OVERDUE: RuleKind.DEDUCTION,
    Indicator.OPEN_MAJOR: RuleKind.DEDUCTION,
    Indicator.REVIEWS: RuleKind.RATE,
}
CAN_LACK_DATA: frozenset[str] = frozenset(
    {Indicator.COMPLETION, Indicator.MISSED, Indicator.ON_TIME, Indicator.REVIEWS}
)


@dataclass(frozen=True)
class RuleSpec:
    """One indicator's weight and parameters, saved (a ``ScoringRule``) or built in."""

    indicator: str
    weight: int
    per_item: Decimal = Decimal(0)
    cap: Decimal | None = None
    no_data: str = NoData.EXCLUDE

    @property
    def kind(self) -> str:
        """The rule of the indicator (rate or deduction): from the registry, so other apps'
        indicators have one too."""
        from .registry import INDICATORS

        ind = INDICATORS.get(self.indicator)
        return ind.kind if ind is not None else RULE_KIND.get(self.indicator, RuleKind.RATE)


# The built-in default scheme (our choice, see docs/assessment.md): 100 points in all.
DEFAULT_RULES: tuple[RuleSpec, ...] = (
    RuleSpec(Indicator.COMPLETION, 25),
    RuleSpec(Indicator.MISSED, 15, per_item=Decimal(1)),
    RuleSpec(Indicator.ON_TIME, 20),
    RuleSpec(Indicator.OVERDUE, 20, per_item=Decimal(5)),
    RuleSpec(Indicator.OPEN_MAJOR, 10, per_item=Decimal(10)),
    RuleSpec(Indicator.REVIEWS, 10),
)
TOTAL_WEIGHT = 100
