"""What the closed loop says about each risk point, for the inventory's control columns
(domain-reference §2.9: 监测监控方式、管控状态 受控/预警/失控), and when a point is due for re-assessment
because its hazards or alarms keep coming back, so the register learns from the loop.

Risks is below the apps that know the facts (hazards, monitoring, inspections import risks, never the
other way), so they register a **signal source** at start (:func:`register_signals`): given the ids
of a batch of risk points and the time, one aggregate query returning, per point, counts and words
(:class:`Signals` fields). A page of the inventory costs one query per source, whatever its rows.

The rules are data (:data:`CONTROL_RULE`, :data:`RECURRENCE_RULE`) with their source and confidence:
the three states are the vendors' field, the conditions and thresholds are this software's defaults,
not values of a standard.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .choices import palette_for
from .models import HazardFactor

UNDER_CONTROL, WARNING, OUT_OF_CONTROL = "under_control", "warning", "out_of_control"
STATUS_LABELS = {
    UNDER_CONTROL: gettext_lazy("Under control"),
    WARNING: gettext_lazy("Warning"),
    OUT_OF_CONTROL: gettext_lazy("Out of control"),
}

# 管控状态: out of control when a hazard at the point is overdue or major and still open, or an alarm
# is active there; warning when a hazard is open or a check of the point was missed lately; else
# under control.
CONTROL_RULE: dict[str, Any] = {
    "missed_check_days": 30,
    "source": "The three states 受控/预警/失控 are the vendors' inventory field (domain-reference §2.9). "
    "Which facts lead to which state, and the 30 days, are this software's defaults.",
    "confidence": "unverified",
}
# Re-assessment due: the point's hazards, or its alarms, came back this often in this many days.
RECURRENCE_RULE: dict[str, Any] = {
    "count": 3,
    "days": 90,
    "source": "The example of issue 14 (3 in 90 days). Not a standard value; re-assess also yearly "
    "and on change (domain-reference, review at least annually [M]).",
    "confidence": "unverified",
}


@dataclass
class Signals:
    open_hazards: int = 0
    late_hazards: int = 0  # open and overdue, or open and major
    active_alarms: int = 0
    missed_checks: int = 0
    recent_hazards: int = 0  # reported within RECURRENCE_RULE["days"]
    recent_alarms: int = 0  # opened within RECURRENCE_RULE["days"]
    methods: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        if self.late_hazards or self.active_alarms:
            return OUT_OF_CONTROL
        if self.open_hazards or self.missed_checks:
            return WARNING
        return UNDER_CONTROL

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])

    @property
    def reassessment_due(self) -> bool:
        n = RECURRENCE_RULE["count"]
        return self.recent_hazards >= n or self.recent_alarms >= n

    @property
    def reassessment_text(self) -> str:
        if not self.reassessment_due:
            return ""
        days = RECURRENCE_RULE["days"]
        if self.recent_hazards >= RECURRENCE_RULE["count"]:
            return _("Due: %(n)s hazards in %(days)s days") % {
                "n": self.recent_hazards,
                "days": days,
            }
        return _("Due: %(n)s alarms in %(days)s days") % {"n": self.recent_alarms, "days": days}

    @property
    def methods_text(self) -> str:
        return "、".join(self.methods) if self.methods else _("None set")


SignalSource = Callable[[list[int], dt.datetime], dict[int, dict[str, Any]]]
_sources: list[SignalSource] = []


def register_signals(source: SignalSource) -> None:
    if source not in _sources:
        _sources.append(source)


def signals_for(point_ids: Iterable[int], now: dt.datetime | None = None) -> dict[int, Signals]:
    """The signals of each point (one query per registered source)."""
    ids = sorted(set(point_ids))
    out = {pk: Signals() for pk in ids}
    if not ids:
        return out
    now = now or timezone.now()
    for source in _sources:
        for pk, values in source(ids, now).items():
            sig = out.get(pk)
            if sig is None:
                continue
            for name, value in values.items():
                if name == "methods":
                    sig.methods.extend(str(v) for v in value)
                else:
                    setattr(sig, name, getattr(sig, name) + int(value or 0))
    return out


def since_recurrence(now: dt.datetime) -> dt.datetime:
    return now - dt.timedelta(days=RECURRENCE_RULE["days"])


def since_missed(now: dt.datetime) -> dt.datetime:
    return now - dt.timedelta(days=CONTROL_RULE["missed_check_days"])


# --- The inventory's Excel with the control columns --------------------------------------------

EXTRA_HEADERS = [
    gettext_lazy("Monitoring method"),
    gettext_lazy("Control status"),
    gettext_lazy("Re-assessment"),
]
CHUNK = 500


def export_rows(qs: QuerySet[HazardFactor]) -> Iterator[list[Any]]:
    """The inventory's rows (``inventory.row_values``) with the three control columns, computed
    a chunk of rows at a time (one query per signal source per chunk)."""
    from .inventory import _label_maps, factor_queryset, row_values

    palettes: dict[int, Any] = {}
    labels = _label_maps()
    chunk: list[HazardFactor] = []

    def flush() -> Iterator[list[Any]]:
        signals = signals_for(f.risk_point_id for f in chunk)
        for f in chunk:
            if f.organization_id not in palettes:
                palettes[f.organization_id] = palette_for(f.organization)
            s = signals[f.risk_point_id]
            yield [
                *row_values(f, palettes[f.organization_id], labels),
                s.methods_text,
                s.status_label,
                s.reassessment_text,
            ]

    for factor in factor_queryset(qs).iterator(chunk_size=2000):
        chunk.append(factor)
        if len(chunk) >= CHUNK:
            yield from flush()
            chunk = []
    yield from flush()
