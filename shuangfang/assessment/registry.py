"""The registry of assessment indicators (考核指标) and of score adjustments (奖惩).

The assessment app knows how to weigh, not what to count: each app registers what it measures.

* A **source** counts raw figures for a set of institutions (and, optionally, for the departments
  of one institution) over a period, in a fixed number of grouped queries whatever their number.
  Several indicators share one source (the inspection and hazard indicators share three queries).
  A source runs only when an indicator of it has a weight in a scheme in use.
* An **indicator** turns its source's figures into (good, whole) for a rate or an item count for a
  deduction, words the figures, says why there can be nothing to measure (or that zero is a
  measurement), and may link to the records it counted.
* An **adjustment** lists bonus and deduction points (rewards and penalties) of institutions over a
  period; a scheme caps them (docs/assessment.md).

Apps register in their ``AppConfig.ready`` (the inspection, hazard and risk indicators in this
app's own). Keys are lower-case identifiers and become form field names and saved rule keys: never
rename one that a scheme may have saved.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.functional import Promise

from .choices import RuleKind

Counters = dict[str, int]
# (institutions, start, end, today) -> counters by institution id
InstitutionMeasure = Callable[[list[Any], dt.date, dt.date, dt.date], dict[int, Counters]]
# (institution, departments, start, end, today) -> counters by department id
DepartmentMeasure = Callable[[Any, list[Any], dt.date, dt.date, dt.date], dict[int, Counters]]
# counters -> (raw figures, the figures in words, good or item count, whole or None)
Figures = Callable[[Counters], tuple[dict[str, int], str, int, int | None]]
# (organisation, is a department, start, last, today) -> url or ""
Link = Callable[[Any, bool, dt.date, dt.date, dt.date], str]

KEY = re.compile(r"^[a-z][a-z0-9_]{1,39}$")


@dataclass(frozen=True)
class Group:
    key: str
    label: str | Promise
    order: int


@dataclass(frozen=True)
class Source:
    key: str
    institutions: InstitutionMeasure
    departments: DepartmentMeasure | None = None


@dataclass(frozen=True)
class IndicatorDef:
    key: str
    label: str | Promise  # gettext_lazy: the Chinese comes from the app's catalogue
    group: str
    source: str
    kind: str  # RuleKind
    figures: Figures
    counts: str | Promise  # what is counted, in one sentence (shown in the scheme editor)
    no_data: str | Promise | None = None  # why there can be nothing to measure; None: always measured
    link: Link | None = None
    order: int = 0

    @property
    def can_lack_data(self) -> bool:
        return self.no_data is not None


@dataclass(frozen=True)
class Adjustment:
    """One reward (points > 0) or penalty (points < 0) counted in an institution's score."""

    points: Decimal
    text: str
    day: dt.date
    url: str = ""


# (institutions, start, end) -> adjustments by institution id
AdjustmentSource = Callable[[list[Any], dt.date, dt.date], dict[int, list[Adjustment]]]

GROUPS: dict[str, Group] = {}
SOURCES: dict[str, Source] = {}
INDICATORS: dict[str, IndicatorDef] = {}
ADJUSTMENTS: dict[str, AdjustmentSource] = {}


def register_group(key: str, label: str | Promise, order: int) -> None:
    GROUPS[key] = Group(key, label, order)


def register_source(source: Source) -> None:
    SOURCES[source.key] = source


def register_indicator(ind: IndicatorDef) -> None:
    if not KEY.match(ind.key):
        raise ValueError(f"assessment indicator key {ind.key!r}: lower-case letters, digits and _")
    if ind.kind not in RuleKind.values:
        raise ValueError(f"assessment indicator {ind.key!r}: unknown rule kind {ind.kind!r}")
    if ind.source not in SOURCES or ind.group not in GROUPS:
        raise ValueError(f"assessment indicator {ind.key!r}: register its source and group first")
    if ind.key in INDICATORS and INDICATORS[ind.key] != ind:
        raise ValueError(f"assessment indicator {ind.key!r} registered twice")
    INDICATORS[ind.key] = ind
    from shuangfang.core import audit

    audit.register_fields({ind.key: ind.label})


def register_adjustments(key: str, fn: AdjustmentSource) -> None:
    ADJUSTMENTS[key] = fn


def get(key: str) -> IndicatorDef | None:
    return INDICATORS.get(key)


def ordered() -> list[IndicatorDef]:
    """Every indicator, by group then by its order."""
    return sorted(
        INDICATORS.values(),
        key=lambda i: (GROUPS[i.group].order, i.order, i.key),
    )


def order_of(key: str) -> tuple[int, int, str]:
    ind = INDICATORS.get(key)
    if ind is None:
        return (10**6, 0, key)
    return (GROUPS[ind.group].order, ind.order, key)


def grouped() -> list[tuple[Group, list[IndicatorDef]]]:
    out: dict[str, list[IndicatorDef]] = {}
    for ind in ordered():
        out.setdefault(ind.group, []).append(ind)
    return [(GROUPS[g], inds) for g, inds in out.items()]


def labels() -> dict[str, str]:
    return {i.key: str(i.label) for i in ordered()}
