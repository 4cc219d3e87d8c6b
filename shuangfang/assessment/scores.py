"""Assessment scores (考核得分), read-only.

A score is out of 100: each indicator of the scheme in force gives points up to its weight, by its
rule, from the records of the period (``start`` inclusive, ``end`` exclusive, Asia/Shanghai days).
Every function runs a fixed number of grouped queries (one for the scheme, one each for tasks,
hazards and risk points), whatever the number of institutions or departments.

What each indicator counts (``last`` is the period's last day, or today while it runs):

* inspection completion rate: tasks whose window started in the period, done / (done + missed);
  tasks still open are left out;
* missed inspection tasks: the missed ones among those;
* hazards rectified on time: hazards closed in the period, closed on time / closed;
* overdue hazards: hazards overdue on at least one day of the period up to ``last``;
* open major hazards: major hazards still open at the end of ``last``;
* risk reviews up to date: active risk points whose next review is not before ``last``, over all
  active risk points (read from each point's current review dates).

Institutions count the records of their whole subtree (``organization__institution``); a
department counts tasks assigned to its posts, hazards and risk points filed under it.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, Q, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from shuangfang.core.vocabulary import HazardGrade
from shuangfang.hazards.choices import OPEN_STATUSES
from shuangfang.hazards.choices import Status as HazardStatus
from shuangfang.hazards.models import Hazard
from shuangfang.hazards.stats import open_on_q, overdue_during_q
from shuangfang.orgs.models import Organization, OrgKind
from shuangfang.risks.models import RiskPoint

from . import registry
from .choices import DEFAULT_RULES, TOTAL_WEIGHT, Indicator, NoData, RuleKind, RuleSpec
from .models import ScoringRule

TENTH = Decimal("0.1")
COUNTERS = ("done", "missed", "closed", "on_time", "overdue", "open_major", "points", "reviews_overdue")


def _tenth(value: Decimal) -> Decimal:
    return value.quantize(TENTH, rounding=ROUND_HALF_UP)


def _num(value: Decimal | int) -> str:
    """2, 2.5 - no trailing ``.0``."""
    d = Decimal(value)
    return str(d.quantize(Decimal(1))) if d == d.to_integral_value() else str(_tenth(d))


# --- Schemes ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SchemeRef:
    """The scheme a score was computed with: a bureau's saved version, or the built-in default."""

    rules: tuple[RuleSpec, ...]
    id: int | None = None
    uuid: str = ""
    bureau_id: int | None = None
    bureau: str = ""
    version: int = 0
    saved_at: dt.datetime | None = None
    bonus_cap: Decimal = Decimal(0)
    penalty_cap: Decimal = Decimal(0)

    @property
    def counts_adjustments(self) -> bool:
        """Whether rewards and penalties adjust the scores of this scheme."""
        return self.bonus_cap > 0 or self.penalty_cap > 0

    @property
    def is_default(self) -> bool:
        return self.id is None

    def __str__(self) -> str:
        if self.is_default:
            return _("Built-in default scheme")
        return _("Scheme of %(bureau)s, version %(version)s") % {
            "bureau": self.bureau,
            "version": self.version,
        }

    def rule(self, indicator: str) -> RuleSpec | None:
        return next((r for r in self.rules if r.indicator == indicator), None)


DEFAULT_SCHEME = SchemeRef(rules=DEFAULT_RULES)


def ordered_rules(rules: Iterable[RuleSpec]) -> tuple[RuleSpec, ...]:
    """The rules in the registry's order (groups, then each group's order)."""
    return tuple(sorted(rules, key=lambda r: registry.order_of(r.indicator)))


def schemes_for(orgs: Iterable[Organization]) -> dict[int, SchemeRef]:
    """The scheme in force for each organisation: the current scheme of its nearest ancestor (or
    itself) that has one, else the built-in default. One query."""
    orgs = list(orgs)
    ids = {i for o in orgs for i in o.ancestor_ids}
    found: dict[int, dict[str, Any]] = {}
    if ids:
        rows = ScoringRule.objects.filter(
            scheme__is_current=True, scheme__organization_id__in=ids
        ).select_related("scheme", "scheme__organization")
        for r in rows:
            s = r.scheme
            entry = found.setdefault(s.organization_id, {"scheme": s, "rules": []})
            entry["rules"].append(r.spec())
    refs = {
        org_id: SchemeRef(
            rules=ordered_rules(e["rules"]),
            id=e["scheme"].pk,
            uuid=str(e["scheme"].uuid),
            bureau_id=org_id,
            bureau=e["scheme"].organization.name,
            version=e["scheme"].version,
            saved_at=e["scheme"].created_at,
            bonus_cap=e["scheme"].bonus_cap,
            penalty_cap=e["scheme"].penalty_cap,
        )
        for org_id, e in found.items()
    }
    out = {}
    for o in orgs:
        out[o.pk] = next((refs[i] for i in reversed(o.ancestor_ids) if i in refs), DEFAULT_SCHEME)
    return out


# --- Scores -------------------------------------------------------------------------------------


@dataclass
class Part:
    """One indicator of a score, with everything needed to redo the sum by hand."""

    code: str
    label: str
    raw: dict[str, int]
    figures: str  # the raw figures in words ("done 40 of 50 due")
    rate: float | None  # percent, for rate indicators
    weight: int
    rule: str  # the rule in words
    calculation: str  # the rule applied to the figures
    points: float | None  # None: left out (no data, weights scaled up)
    no_data: bool = False
    excluded: bool = False
    url: str = ""


@dataclass
class Score:
    organization_id: int
    total: float | None  # 0-100, one decimal; None when every indicator was left out
    scheme: SchemeRef
    parts: list[Part] = field(default_factory=list)
    start: dt.date | None = None
    end: dt.date | None = None  # exclusive
    base: float | None = None  # the indicators' score before rewards and penalties
    adjustments: list[registry.Adjustment] = field(default_factory=list)
    bonus: float = 0.0  # counted, after the scheme's cap
    penalty: float = 0.0

    @property
    def adjusted(self) -> bool:
        return bool(self.adjustments)

    @property
    def counted_weight(self) -> int:
        return sum(p.weight for p in self.parts if not p.excluded)

    @property
    def scaled(self) -> bool:
        """Whether some weight was left out and the rest scaled up to 100."""
        return self.counted_weight != TOTAL_WEIGHT and self.total is not None


def _start_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


def _empty() -> dict[str, int]:
    return dict.fromkeys(COUNTERS, 0)


def _grouped(qs, key: str, **counts) -> Iterable[dict]:
    return qs.values(key).annotate(**counts).order_by()


def measure(
    *,
    task_days: QuerySet,
    hazard_key: str,
    point_key: str,
    hazards: Q,
    points: Q,
    keys: Iterable[int],
    start: dt.date,
    end: dt.date,
    today: dt.date,
) -> dict[int, dict[str, int]]:
    """The raw counters of each key (institution or department id) over the period. Three
    queries; none when the period has not begun. ``task_days``: the daily task counts
    (``inspections.TaskDay``) of the keys, annotated with ``key``; they are kept in the transaction
    that closes each task, so a year of tasks is not counted row by row."""
    out = {k: _empty() for k in keys}
    last = min(end - dt.timedelta(days=1), today)
    if not out or last < start:
        return out
    lo, hi, last_end = _start_of(start), _start_of(end), _start_of(last + dt.timedelta(days=1))
    results = [
        (
            "key",
            task_days.filter(day__gte=start, day__lt=end)
            .values("key")
            .annotate(done=Sum("done"), missed=Sum("missed"))
            .order_by(),
        ),
        (
            hazard_key,
            _grouped(
                # Every hazard the counts below can match was open at some time since the period
                # began: still open, or closed since then (a few per cent of all history).
                Hazard.objects.filter(hazards).filter(
                    Q(status__in=OPEN_STATUSES) | Q(status=HazardStatus.CLOSED, closed_at__gte=lo)
                ),
                hazard_key,
                closed=Count("id", filter=Q(status=HazardStatus.CLOSED, closed_at__gte=lo, closed_at__lt=hi)),
                # Not "closed_on_time": the name would shadow the field in the filters below.
                on_time=Count(
                    "id",
                    filter=Q(
                        status=HazardStatus.CLOSED, closed_at__gte=lo, closed_at__lt=hi, closed_on_time=True
                    ),
                ),
                overdue=Count("id", filter=overdue_during_q(start, last)),
                open_major=Count("id", filter=open_on_q(last) & Q(grade=HazardGrade.MAJOR)),
            ),
        ),
        (
            point_key,
            _grouped(
                RiskPoint.objects.filter(points, is_active=True, created_at__lt=last_end),
                point_key,
                points=Count("id"),
                reviews_overdue=Count("id", filter=Q(next_review_on__lt=last)),
            ),
        ),
    ]
    for key, rows in results:
        for row in rows:
            k = row.pop(key)
            if k in out:
                out[k].update(row)
    return out


@functools.lru_cache(maxsize=16)
def _path(name: str) -> str:
    return reverse(name)


def _url(name: str, **params) -> str:
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return _path(name) + (f"?{query}" if query else "")


def links(
    *, institution: Organization | None = None, department: Organization | None = None, start, last, today
) -> dict[str, str]:
    """The filtered list of records behind each indicator (the lists' own filters)."""
    scope: dict[str, Any] = (
        {"department": department.pk} if department is not None else {"organization": institution.pk}  # type: ignore[union-attr]
    )
    # The inspection ledger names the institution ``institution`` (records of its departments too).
    ledger = scope if department is not None else {"institution": institution.pk}  # type: ignore[union-attr]
    s, e = start.isoformat(), last.isoformat()
    out: dict[str, str] = {
        Indicator.COMPLETION: _url("inspections:ledger", since=s, until=e, **ledger),
        Indicator.MISSED: _url("inspections:ledger", status="missed", since=s, until=e, **ledger),
        Indicator.ON_TIME: _url("hazards:list", status="closed", closed_from=s, closed_to=e, **scope),
        Indicator.OVERDUE: _url("hazards:list", overdue_during_after=s, overdue_during_before=e, **scope),
        Indicator.OPEN_MAJOR: _url("hazards:list", grade=HazardGrade.MAJOR, open_on=e, **scope),
        Indicator.REVIEWS: "",
    }
    # The overdue-review list shows today's overdue reviews of an institution: it matches the
    # indicator only while the period runs.
    if department is None and last == today and institution is not None:
        out[Indicator.REVIEWS] = _url("risks:reviews", institution=institution.pk)
    return out


def _pct(part: int, whole: int) -> Decimal:
    return _tenth(Decimal(100) * part / whole)


def rule_text(spec: RuleSpec) -> str:
    return _rule_text(spec, get_language() or "")


@functools.lru_cache(maxsize=256)
def _rule_text(spec: RuleSpec, language: str) -> str:
    """The same for every institution of a scheme: worded once per language."""
    w = spec.weight
    if spec.kind == RuleKind.RATE:
        text = _("rate × %(weight)s points") % {"weight": w}
    else:
        cap = spec.cap if spec.cap is not None else Decimal(w)
        text = _("%(weight)s points − %(per)s per item, at most %(cap)s deducted, never below 0") % {
            "weight": w,
            "per": _num(spec.per_item),
            "cap": _num(min(cap, Decimal(w))),
        }
    ind = registry.get(spec.indicator)
    if ind is not None and ind.can_lack_data:
        text = _("%(rule)s; nothing to measure: %(no_data)s") % {
            "rule": text,
            "no_data": NoData(spec.no_data).label,
        }
    return text


def _figures(code: str, m: dict[str, int]) -> tuple[dict[str, int], str, int, int | None]:
    """Raw figures, in words, and (good, whole) for rates or the item count for deductions."""
    ind = registry.get(code)
    assert ind is not None
    return ind.figures(m)


def _not_measured(spec: RuleSpec, ind: registry.IndicatorDef, url: str) -> Part:
    """An indicator a department cannot be measured by (counted for the whole institution only)."""
    return Part(
        code=spec.indicator,
        label=str(ind.label),
        raw={},
        figures="",
        rate=None,
        weight=spec.weight,
        rule=rule_text(spec),
        calculation=_("counted for the whole institution only: left out"),
        points=None,
        no_data=True,
        excluded=True,
        url=url,
    )


def _part(spec: RuleSpec, m: dict[str, int], url: str) -> Part:
    code = spec.indicator
    ind = registry.get(code)
    assert ind is not None
    raw, figures, good, whole = ind.figures(m)
    weight = Decimal(spec.weight)
    no_data = ind.can_lack_data and not whole
    rate: Decimal | None = None
    excluded = False
    if no_data:
        reason = str(ind.no_data)
        if spec.no_data == NoData.EXCLUDE:
            points: Decimal | None = None
            excluded = True
            calc = _("%(reason)s: left out") % {"reason": reason}
        elif spec.no_data == NoData.FULL:
            points = weight
            calc = _("%(reason)s: full points") % {"reason": reason}
        else:
            points = Decimal(0)
            calc = _("%(reason)s: no points") % {"reason": reason}
    elif spec.kind == RuleKind.RATE:
        assert whole
        rate = _pct(good, whole)
        points = _tenth(weight * good / whole)
        calc = f"{rate}% × {spec.weight} = {points}"
    else:
        n = good
        cap = min(spec.cap if spec.cap is not None else weight, weight)
        deduction = min(spec.per_item * n, cap)
        points = _tenth(max(weight - deduction, Decimal(0)))
        calc = f"{spec.weight} − {n} × {_num(spec.per_item)} = {points}"
        if spec.per_item * n > cap:
            calc = f"{spec.weight} − min({n} × {_num(spec.per_item)}, {_num(cap)}) = {points}"
    return Part(
        code=str(code),
        label=str(ind.label),
        raw=raw,
        figures=figures,
        rate=float(rate) if rate is not None else None,
        weight=spec.weight,
        rule=rule_text(spec),
        calculation=calc,
        points=float(points) if points is not None else None,
        no_data=no_data,
        excluded=excluded,
        url=url,
    )


def _adjust(base: Decimal | None, scheme: SchemeRef, adjustments: list[registry.Adjustment]):
    """(total, bonus, penalty): rewards add at most the scheme's bonus cap, penalties take at most
    its penalty cap; never below 0. No base score, no total (nothing to adjust)."""
    bonus = min(sum((a.points for a in adjustments if a.points > 0), Decimal(0)), scheme.bonus_cap)
    penalty = min(-sum((a.points for a in adjustments if a.points < 0), Decimal(0)), scheme.penalty_cap)
    if base is None:
        return None, bonus, penalty
    return max(base + bonus - penalty, Decimal(0)), bonus, penalty


def build(
    org_id: int,
    m: dict[str, int],
    scheme: SchemeRef,
    urls: dict[str, str],
    start,
    end,
    *,
    adjustments: list[registry.Adjustment] | None = None,
    measured: frozenset[str] | None = None,
) -> Score:
    """The score of one organisation from its counters ``m``. ``measured``: the sources that could
    count it (a department is not measured by every source); the others are left out."""
    parts = []
    for spec in scheme.rules:
        ind = registry.get(spec.indicator)
        if ind is None:
            continue  # an indicator whose app is gone: its weight is left out of every score
        url = urls.get(spec.indicator, "")
        if measured is not None and ind.source not in measured:
            parts.append(_not_measured(spec, ind, url))
        else:
            parts.append(_part(spec, m, url))
    counted = sum(p.weight for p in parts if not p.excluded)
    got = sum((Decimal(str(p.points)) for p in parts if p.points is not None), Decimal(0))
    if counted == 0:
        base = None
    elif counted == TOTAL_WEIGHT:
        base = got
    else:
        base = _tenth(got * TOTAL_WEIGHT / counted)
    adj = list(adjustments or [])
    total, bonus, penalty = _adjust(base, scheme, adj)
    return Score(
        organization_id=org_id,
        total=float(total) if total is not None else None,
        scheme=scheme,
        parts=parts,
        start=start,
        end=end,
        base=float(base) if base is not None else None,
        adjustments=adj,
        bonus=float(bonus),
        penalty=float(penalty),
    )


def sources_of(schemes: Iterable[SchemeRef]) -> list[str]:
    """The sources the weighted indicators of ``schemes`` need, in registration order."""
    wanted = set()
    for sch in schemes:
        for r in sch.rules:
            ind = registry.get(r.indicator)
            if ind is not None and r.weight > 0:
                wanted.add(ind.source)
    return [k for k in registry.SOURCES if k in wanted]


def _merge(results: list[dict[int, dict[str, int]]], keys: Iterable[int]) -> dict[int, dict[str, int]]:
    out: dict[int, dict[str, int]] = {k: {} for k in keys}
    for res in results:
        for k, counters in res.items():
            if k in out:
                out[k].update(counters)
    return out


def _links(
    org: Organization, schemes: Iterable[SchemeRef], *, department: bool, start, last, today
) -> dict[str, str]:
    out = {}
    for sch in schemes:
        for r in sch.rules:
            ind = registry.get(r.indicator)
            if ind is not None and ind.link is not None and r.indicator not in out:
                out[r.indicator] = ind.link(org, department, start, last, today)
    return out


def adjustments_for(
    institutions: list[Organization], schemes: dict[int, SchemeRef], start: dt.date, end: dt.date
) -> dict[int, list[registry.Adjustment]]:
    """Rewards and penalties of the institutions whose scheme counts them (a cap above 0); one
    query per registered adjustment source, none when no scheme counts them."""
    wanted = [i for i in institutions if schemes[i.pk].counts_adjustments]
    out: dict[int, list[registry.Adjustment]] = {i.pk: [] for i in institutions}
    if not wanted:
        return out
    for fn in registry.ADJUSTMENTS.values():
        for k, items in fn(wanted, start, end).items():
            if k in out:
                out[k].extend(items)
    for items in out.values():
        items.sort(key=lambda a: a.day)
    return out


def institution_scores(
    institutions: list[Organization],
    start: dt.date,
    end: dt.date,
    *,
    scheme: SchemeRef | None = None,
    today: dt.date | None = None,
) -> dict[int, Score]:
    """The score of each institution over [start, end). One query for the schemes, then each
    source the weighted indicators need (three for the inspection, hazard and risk indicators),
    whatever the number of institutions. ``scheme`` replaces the schemes in force (the editor's
    preview)."""
    today = today or timezone.localdate()
    ids = [i.pk for i in institutions]
    schemes = dict.fromkeys(ids, scheme) if scheme is not None else schemes_for(institutions)
    figs = _merge(
        [
            registry.SOURCES[k].institutions(institutions, start, end, today)
            for k in sources_of(set(schemes.values()))
        ]
        if ids
        else [],
        ids,
    )
    adjustments = adjustments_for(institutions, schemes, start, end) if ids else {}
    last = min(end - dt.timedelta(days=1), today)
    return {
        inst.pk: build(
            inst.pk,
            figs[inst.pk],
            schemes[inst.pk],
            _links(inst, [schemes[inst.pk]], department=False, start=start, last=last, today=today),
            start,
            end,
            adjustments=adjustments[inst.pk],
        )
        for inst in institutions
    }


def departments_of(institution: Organization) -> list[Organization]:
    return list(
        Organization.objects.filter(
            institution_id=institution.pk, kind=OrgKind.DEPARTMENT, is_active=True
        ).order_by("path")
    )


def department_scores(
    institution: Organization,
    start: dt.date,
    end: dt.date,
    *,
    departments: list[Organization] | None = None,
    today: dt.date | None = None,
) -> dict[int, Score]:
    """The score of each active department of ``institution`` over [start, end), with the
    institution's scheme: tasks assigned to the department's posts, hazards and risk points filed
    under it. Five queries (departments, scheme, tasks, hazards, risk points) with the built-in
    indicators; an indicator counted only for whole institutions is left out."""
    today = today or timezone.localdate()
    depts = departments if departments is not None else departments_of(institution)
    ids = [d.pk for d in depts]
    scheme = schemes_for([institution])[institution.pk]
    measured = frozenset(k for k, src in registry.SOURCES.items() if src.departments is not None)
    results = []
    if ids:
        for k in sources_of([scheme]):
            dept_measure = registry.SOURCES[k].departments
            if dept_measure is not None:
                results.append(dept_measure(institution, depts, start, end, today))
    figs = _merge(results, ids)
    last = min(end - dt.timedelta(days=1), today)
    return {
        d.pk: build(
            d.pk,
            figs[d.pk],
            scheme,
            _links(d, [scheme], department=True, start=start, last=last, today=today),
            start,
            end,
            measured=measured,
        )
        for d in depts
    }


def ranked(institutions: list[Organization], scores: dict[int, Score]) -> list[tuple[Organization, Score]]:
    """Best first; institutions without a score last; ties by place in the tree."""
    rows = [(i, scores[i.pk]) for i in institutions]
    rows.sort(key=lambda r: (r[1].total is None, -(r[1].total or 0), r[0].path))
    return rows


def columns(rows: Iterable[tuple[Organization, Score]]) -> list[tuple[str, str]]:
    """The indicators weighted in any of the rows' schemes (institutions under different bureaus
    may use different schemes), in the registry's order: (key, label)."""
    keys = {p.code for _i, s in rows for p in s.parts}
    return [(k, label) for k, label in registry.labels().items() if k in keys]


def cells(score: Score, cols: list[tuple[str, str]]) -> list[Part | None]:
    """The score's parts under ``cols``; None where its scheme does not weigh that indicator."""
    by_code = {p.code: p for p in score.parts}
    return [by_code.get(k) for k, _label in cols]
