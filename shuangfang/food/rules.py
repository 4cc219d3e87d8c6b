"""The kitchen's thresholds as data rows with their source (domain-reference §4.5), like the
monitoring app's alarm rules: the defaults have no organisation; an institution (or a province's
bureau, for all its institutions) may only make a rule stricter."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from shuangfang.core import audit
from shuangfang.core.tenancy import require

from .choices import Confidence, RuleKey, RuleSource
from .models import FoodRule

RULE_2018 = "《餐饮服务食品安全操作规范》（市场监管总局 2018）"


@dataclass(frozen=True)
class Default:
    value: Decimal
    source: str
    reference: str
    confidence: str
    stricter: str  # "higher" or "lower": which way a site setting may move it


DEFAULTS: dict[str, Default] = {
    RuleKey.SAMPLE_MIN_WEIGHT: Default(
        Decimal(125),
        RuleSource.STANDARD,
        f"{RULE_2018}：每餐次每个品种留样不少于125克（旧规和部分地方为100克或200克）；domain-reference §4.5",
        Confidence.VERIFIED,
        "higher",
    ),
    RuleKey.SAMPLE_KEEP_HOURS: Default(
        Decimal(48),
        RuleSource.STANDARD,
        f"{RULE_2018}：留样于专用冷藏设备中保存48小时以上；domain-reference §4.5",
        Confidence.VERIFIED,
        "higher",
    ),
    RuleKey.REMIND_DAYS: Default(
        Decimal(30),
        RuleSource.PRODUCT,
        "产品默认（issue 17）：健康证、供应商证照到期前30天提醒；非法规值",
        Confidence.VERIFIED,
        "higher",
    ),
    RuleKey.NEAR_USE_BY_DAYS: Default(
        Decimal(2),
        RuleSource.PRODUCT,
        "产品默认（issue 17）：保质期到期前2天提示“先到期先用”；非法规值",
        Confidence.VERIFIED,
        "higher",
    ),
    RuleKey.FRIDGE_MIN: Default(
        Decimal(0),
        RuleSource.STANDARD,
        f"{RULE_2018}：冷藏温度0～8℃（未在本项目资料中复核；有模板要求留样冰箱0～6℃）",
        Confidence.UNCERTAIN,
        "higher",
    ),
    RuleKey.FRIDGE_MAX: Default(
        Decimal(8),
        RuleSource.STANDARD,
        f"{RULE_2018}：冷藏温度0～8℃（未在本项目资料中复核；有模板要求留样冰箱0～6℃）",
        Confidence.UNCERTAIN,
        "lower",
    ),
    RuleKey.FREEZER_MAX: Default(
        Decimal(-12),
        RuleSource.STANDARD,
        f"{RULE_2018}：冷冻温度低于-12℃（未在本项目资料中复核）",
        Confidence.UNCERTAIN,
        "lower",
    ),
    RuleKey.CORE_TEMP_MIN: Default(
        Decimal(70),
        RuleSource.STANDARD,
        f"{RULE_2018}：烧熟煮透，食品中心温度不低于70℃（未在本项目资料中复核）",
        Confidence.UNCERTAIN,
        "higher",
    ),
}


def seed_rules(model=FoodRule) -> None:
    """The default rows (the data migration calls this with the historical model)."""
    for key, d in DEFAULTS.items():
        model.objects.get_or_create(
            organization=None,
            key=str(key),
            defaults={
                "value": d.value,
                "source": str(d.source),
                "reference": d.reference,
                "confidence": str(d.confidence),
            },
        )


def rules_for(institution) -> dict[str, FoodRule]:
    """Each rule as it applies at ``institution``: its own row, else the nearest bureau's above it,
    else the default. One query."""
    paths = []
    if institution is not None:
        p = institution.path
        # every ancestor's path ("/1/4/") is a prefix of the institution's ("/1/4/9/")
        paths = [p[: i + 1] for i, c in enumerate(p) if c == "/" and i > 0]
    rows = list(
        FoodRule.objects.filter(
            Q(organization__isnull=True) | Q(organization__path__in=paths)
        ).select_related("organization")
    )
    if not any(r.organization_id is None for r in rows):
        seed_rules()
        return rules_for(institution)
    best: dict[str, FoodRule] = {}
    for r in rows:
        current = best.get(r.key)
        if current is None or _depth(r) > _depth(current):
            best[r.key] = r
    return best


def _depth(rule: FoodRule) -> int:
    """How deep in the tree the rule's organisation is (a default: -1, below everything)."""
    return rule.organization.depth if rule.organization is not None else -1


def value(institution, key: str) -> Decimal:
    return rules_for(institution)[key].value


def set_site_rule(*, actor, organization, key: str, new_value: Decimal) -> FoodRule:
    """An institution or a bureau makes a rule stricter for itself (and, for a bureau, everything
    below it). Looser than the rule above it is refused."""
    require(actor, "food.rules", organization)
    if key not in DEFAULTS:
        raise ValidationError(_("Unknown rule."))
    parent = organization.parent if organization.parent_id else None
    base = rules_for(parent)[key] if parent is not None else rules_for(None)[key]
    looser = new_value < base.value if DEFAULTS[key].stricter == "higher" else new_value > base.value
    if looser:
        raise ValidationError(
            _("A site setting may only be stricter than the rule above it (%(v)s).") % {"v": base.value}
        )
    with transaction.atomic():
        rule, _created = FoodRule.objects.update_or_create(
            organization=organization,
            key=key,
            defaults={
                "value": new_value,
                "source": RuleSource.SITE,
                "reference": (_("stricter than: %(ref)s") % {"ref": base.reference})[:300],
                "confidence": base.confidence,
            },
        )
        audit.record(
            actor=actor,
            action="food.rule_set",
            obj=rule,
            organization=organization,
            after={"key": key, "value": str(new_value), "was": str(base.value)},
        )
    return rule
