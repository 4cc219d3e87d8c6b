"""What a report says: :func:`build` reads the records once and returns the report's figures as
plain JSON (stored on the :class:`~.models.Report`, never recomputed); :func:`context` turns stored
figures into what the templates show (labels, charts).

Sections, in order (``SECTIONS``): summary with the previous period, risk points by level, hazard
statistics (16号令 Art. 14), 12-month trend, inspections, alarms, major events, open major hazards
at the period end, institutions (bureau reports), assessment scores, the sections other apps
register (``extra``: food, equipment, relief, see :mod:`.sections`), signature (quarterly).

``scores`` holds the assessment scores (考核) of the period from ``shuangfang.assessment.scores``,
frozen with the scheme they were computed by.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shuangfang.assessment import scores as assessment
from shuangfang.core.periods import Period
from shuangfang.core.vocabulary import Severity
from shuangfang.dashboards import queries as dashboard
from shuangfang.hazards import stats
from shuangfang.monitoring.alarms import alarm_label
from shuangfang.orgs.models import BUREAU_KINDS, Organization, institutions_under
from shuangfang.risks.choices import RiskLevel, palette_for

from . import charts, queries, sections
from .choices import Kind
from .periods import report_kind

FORMAT_VERSION = 1

SECTIONS = (
    "summary",
    "levels",
    "hazards",
    "trend",
    "inspections",
    "alarms",
    "events",
    "open_major",
    "institutions",
    "scores",
    "signature",
)

# Summary rows: key of the period figures, label, whether a rise is bad (for the arrow colour).
SUMMARY: tuple[tuple[str, object, bool], ...] = (
    ("reported", pgettext_lazy("report", "Hazards reported"), False),
    ("major", pgettext_lazy("report", "Major hazards reported"), True),
    ("closed", pgettext_lazy("report", "Hazards closed"), False),
    ("on_time_rate", pgettext_lazy("report", "Closed on time (%)"), False),
    ("open", pgettext_lazy("report", "Open at period end"), True),
    ("overdue", pgettext_lazy("report", "Overdue at period end"), True),
    ("open_major", pgettext_lazy("report", "Open major hazards at period end"), True),
    ("supervision_orders", pgettext_lazy("report", "Supervision orders"), True),
    ("tasks_done", pgettext_lazy("report", "Inspection tasks done"), False),
    ("tasks_missed", pgettext_lazy("report", "Inspection tasks missed"), True),
    ("completion_rate", pgettext_lazy("report", "Inspection completion (%)"), False),
    ("alarms", pgettext_lazy("report", "Alarms raised"), True),
    ("alarms_critical", pgettext_lazy("report", "Critical alarms"), True),
    ("reviews_done", pgettext_lazy("report", "Risk reviews done"), False),
)
RATES = {"on_time_rate", "completion_rate"}
SUMMARY_LABELS = {key: label for key, label, _bad in SUMMARY}

# Columns of the institutions table of a bureau report, in the ranking's order (worst first by
# overdue, missed tasks, open major, supervised: ``dashboards.queries.WORST_FIRST``).
INSTITUTION_COLUMNS = (
    ("overdue", pgettext_lazy("report", "Overdue at end")),
    ("tasks_missed", pgettext_lazy("report", "Tasks missed")),
    ("open_major", pgettext_lazy("report", "Open major at end")),
    ("supervised", pgettext_lazy("report", "Supervised at end")),
    ("reported", pgettext_lazy("report", "Reported")),
    ("closed", pgettext_lazy("report", "Closed")),
    ("on_time_rate", pgettext_lazy("report", "On time (%)")),
    ("open", pgettext_lazy("report", "Open at end")),
    ("completion_rate", pgettext_lazy("report", "Inspection completion (%)")),
    ("alarms", pgettext_lazy("report", "Alarms")),
    ("reviews_done", pgettext_lazy("report", "Risk reviews")),
)

EVENT_LABELS = {
    "major_reported": pgettext_lazy("report", "Major hazard reported"),
    "major_closed": pgettext_lazy("report", "Major hazard closed"),
    "supervision": pgettext_lazy("report", "Supervision order"),
    "critical_alarm": pgettext_lazy("report", "Critical alarm"),
    "overdue_major": pgettext_lazy("report", "Major hazard overdue at period end"),
}

REPORTED_COLOUR, CLOSED_COLOUR = "#90a4ae", "#43a047"
SEVERITY_COLOUR = {Severity.CRITICAL: "#d32f2f", Severity.WARNING: "#f57c00", Severity.INFO: "#1e88e5"}


def _local(value: dt.datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return timezone.localtime(value).strftime(fmt) if value else ""


def _day(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


def _pairs(rows) -> list[list]:
    return [[str(label), n] for label, n in rows]


def build(org: Organization, period: Period, *, now: dt.datetime | None = None) -> dict:
    """The figures of ``org``'s report for ``period``, read from the records: plain JSON. A fixed
    number of queries whatever the number of institutions. Labels are written in the site's
    language (the report is a document, in Chinese by default)."""
    with translation.override(settings.LANGUAGE_CODE):
        return _build(org, period, now or timezone.now())


# long: the stored report format, section by section, in one literal (readable as its schema).
def _build(org: Organization, period: Period, now: dt.datetime) -> dict:
    is_bureau = org.kind in BUREAU_KINDS
    insts = institutions_under(org)
    ids = [i.pk for i in insts]
    figs = queries.figures(ids, period)
    this = queries.total(figs.values())
    before = queries.total(queries.figures(ids, period.previous()).values())

    as_of = timezone.localdate(now)
    current = dashboard.total(dashboard.figures(ids, as_of).values())
    palette = palette_for(org)

    hazard_stats = stats.compute(queries.hazards_in(ids), period)
    trend = dashboard.hazard_trend(ids, period.last_day)

    events, more, open_major, open_more = _events(ids, period)
    institutions = _institutions(org, insts, figs) if is_bureau else []

    return {
        "version": FORMAT_VERSION,
        "language": settings.LANGUAGE_CODE,
        "organization": {
            "name": org.name,
            "kind": org.kind,
            "is_bureau": is_bureau,
            "institutions": len(ids),
        },
        "kind": report_kind(period),
        "period": {
            "code": period.key,
            "label": period.label,
            "start": _day(period.start),
            "last_day": _day(period.last_day),
        },
        "previous": {"code": period.previous().key, "label": period.previous().label},
        "generated_at": _local(now),
        "summary": {"this": this, "previous": before},
        "levels": {
            "as_of": _day(as_of),
            "points": current["points"],
            "unassessed": current["unassessed"],
            "reviews_overdue": current["reviews_overdue"],
            # The palette in force when the report was made: a bureau's own colours get a notice.
            "palette": {"is_national": palette.is_national, "owner": palette.owner},
            "rows": [
                {
                    "level": lv.value,
                    "name": palette.name(lv.value),
                    "colour": palette.colour(lv.value),
                    "value": current[f"l{lv.value}"],
                }
                for lv in RiskLevel
            ],
        },
        "hazards": {
            "reported": hazard_stats["totals"]["total"],
            "major": hazard_stats["totals"]["major"],
            "closed": hazard_stats["closing"]["closed"],
            "on_time": hazard_stats["closing"]["on_time"],
            "on_time_rate": hazard_stats["closing"]["on_time_rate"],
            "avg_days": hazard_stats["closing"]["avg_days"],
            "open": this["open"],
            "overdue": this["overdue"],
            "by_grade": _pairs(hazard_stats["by_grade"]),
            "by_category": _pairs(hazard_stats["by_category"]),
            "by_source": _pairs(hazard_stats["by_source"]),
            "by_department": _pairs(hazard_stats["by_department"]),
        },
        "trend": [{"month": m["month"], "reported": m["reported"], "closed": m["closed"]} for m in trend],
        "inspections": {
            "done": this["tasks_done"],
            "missed": this["tasks_missed"],
            "completion_rate": this["completion_rate"],
            "by_department": [] if is_bureau else queries.inspections_by_department(ids, period),
        },
        "alarms": {
            "total": this["alarms"],
            "critical": this["alarms_critical"],
            "by_type": [
                {
                    "type": r["alarm_type"],
                    "label": alarm_label(r["alarm_type"]),
                    "severity": r["severity"],
                    "n": r["n"],
                }
                for r in queries.alarms_by_type(ids, period)
            ],
        },
        "events": events,
        "events_more": more,
        "open_major": [
            {
                "institution": h.organization.name,
                "number": h.number,
                "title": h.title,
                "reported": _local(h.reported_at, "%Y-%m-%d"),
                "deadline": _day(h.deadline),
                "overdue": bool(h.deadline and h.deadline < period.end),
                "supervised": bool(h.was_supervised),
            }
            for h in open_major
        ],
        "open_major_more": open_more,
        "institutions": institutions,
        "scores": _scores(org, insts, period),
        "extra": sections.build(ids, period),
        "signature": report_kind(period) == Kind.QUARTERLY,
    }


def _events(ids: list[int], period: Period) -> tuple[list[dict], int, list, int]:
    """The period's major events, by date (major hazards reported and closed, supervision orders,
    critical alarms, major hazards past their deadline at the period end), how many more were left
    out, and the major hazards open at the period end with how many more."""
    events: list[dict] = []
    more = 0
    rows, extra = queries.major_reported(ids, period)
    more += extra
    events += [_hazard_event("major_reported", h, h.reported_at) for h in rows]
    rows, extra = queries.major_closed(ids, period)
    more += extra
    events += [_hazard_event("major_closed", h, h.closed_at) for h in rows]
    orders, extra = queries.supervision_orders(ids, period)
    more += extra
    events += [
        {
            **_hazard_event("supervision", e.hazard, e.created_at),
            "note": _day(e.hazard.supervision_deadline),
        }
        for e in orders
    ]
    alarms, extra = queries.critical_alarms(ids, period)
    more += extra
    events += [
        {
            "kind": "critical_alarm",
            "at": _local(a.opened_at),
            "institution": a.organization.name,
            "number": a.device.code,
            "text": f"{a.device.name} {alarm_label(a.alarm_type)}",
            "note": "",
        }
        for a in alarms
    ]
    open_major, open_more = queries.open_major_at_end(ids, period)
    events += [
        {
            "kind": "overdue_major",
            "at": _day(h.deadline),
            "institution": h.organization.name,
            "number": h.number,
            "text": h.title,
            "note": "",
        }
        for h in open_major
        if h.deadline and h.deadline < period.end
    ]
    events.sort(key=lambda e: (e["at"], e["kind"], e["number"]))
    return events, more, open_major, open_more


def _institutions(org: Organization, insts: list[Organization], figs: dict) -> list[dict]:
    """A bureau's institutions, ranked, with their figures."""
    institutions = []
    for row in dashboard.ranking(insts, figs):
        inst = row.pop("inst")
        institutions.append(
            {
                "name": inst.name,
                "district": inst.parent.name if inst.parent and inst.parent_id != org.pk else "",
                **{k: row[k] for k in (*queries.FIELDS, "on_time_rate", "completion_rate")},
            }
        )
    return institutions


def _scores(org: Organization, insts: list[Organization], period: Period) -> dict:
    """Assessment scores (考核) of the period, with the scheme each was computed by: for a bureau
    the institutions best first with each indicator's points; for an institution every indicator
    as on the breakdown page, and its departments. Nine queries at most."""
    by_inst = assessment.institution_scores(insts, period.start, period.end)
    if org.kind in BUREAU_KINDS:
        ranked = assessment.ranked(insts, by_inst)
        # The indicators of every scheme in use (the registry's order); blank where a scheme
        # does not weigh one.
        cols = assessment.columns(ranked)
        return {
            "columns": [label for _k, label in cols],
            "rows": [
                {
                    "name": inst.name,
                    "total": score.total,
                    "points": [p.points if p is not None else None for p in assessment.cells(score, cols)],
                    "scheme": str(score.scheme),
                }
                for inst, score in ranked
            ],
        }
    score = by_inst[org.pk]
    departments = assessment.department_scores(org, period.start, period.end)
    names = {d.pk: d.name for d in assessment.departments_of(org)}
    return {
        "total": score.total,
        "scheme": str(score.scheme),
        "parts": [
            {
                "label": str(p.label),
                "figures": p.figures,
                "weight": p.weight,
                "calculation": p.calculation,
                "points": p.points,
            }
            for p in score.parts
        ]
        + [
            # Rewards and penalties (奖惩) counted, after the scheme's caps.
            {
                "label": a.text,
                "figures": a.day.isoformat(),
                "weight": "",
                "calculation": "",
                "points": float(a.points),
            }
            for a in score.adjustments
        ],
        "departments": [
            {"name": names.get(pk, ""), "total": d.total}
            for pk, d in sorted(departments.items(), key=lambda kv: names.get(kv[0], ""))
        ],
    }


def _hazard_event(kind: str, h, at: dt.datetime | None) -> dict:
    return {
        "kind": kind,
        "at": _local(at),
        "institution": h.organization.name,
        "number": h.number,
        "text": h.title,
        "note": "",
    }


def _change(key: str, now, before) -> dict:
    if now is None or before is None:
        return {"delta": None, "text": "—"}
    delta = round(now - before, 1) if key in RATES else now - before
    text = "0" if not delta else f"{delta:+g}"
    return {"delta": delta, "text": text}


def _summary(this: dict, before: dict) -> list[dict]:
    """The summary rows: each figure this period and the previous one, the change, and whether it
    went the bad way."""
    summary = []
    for key, label, rise_is_bad in SUMMARY:
        change = _change(key, this.get(key), before.get(key))
        delta = change["delta"]
        bad = bool(delta) and ((delta > 0) == rise_is_bad)
        summary.append(
            {
                "key": key,
                "label": label,
                "this": this.get(key),
                "previous": before.get(key),
                "bad": bad,
                **change,
            }
        )
    return summary


def _charts(levels: list[dict], trend: list[dict], hz: dict) -> dict:
    """The report's charts (SVG): risk points by level, hazards per month, by category, by source."""
    return {
        "levels": charts.donut(
            [
                {
                    "label": f"{lv['label']}（{lv['name']}）" if lv["name"] else lv["label"],
                    "value": lv["value"],
                    "colour": lv["colour"],
                }
                for lv in levels
            ],
            title=str(pgettext_lazy("report", "Risk points by level")),
        ),
        "trend": charts.bars(
            [m["month"][2:] for m in trend],
            [
                {
                    "name": pgettext_lazy("report", "Reported"),
                    "colour": REPORTED_COLOUR,
                    "values": [m["reported"] for m in trend],
                },
                {
                    "name": pgettext_lazy("report", "Closed"),
                    "colour": CLOSED_COLOUR,
                    "values": [m["closed"] for m in trend],
                },
            ],
            title=str(pgettext_lazy("report", "Hazards per month")),
        ),
        "category": charts.hbars(
            [(label, n) for label, n in hz["by_category"]],
            title=str(pgettext_lazy("report", "Hazards by category")),
        ),
        "source": charts.hbars(
            [(label, n) for label, n in hz["by_source"]],
            title=str(pgettext_lazy("report", "Hazards by source")),
        ),
    }


def context(figures: dict) -> dict:
    """What the report templates need from stored figures: the figures themselves (``r``), the
    summary rows with labels and change, and the charts (SVG). Call under the report's language."""
    summary = _summary(figures["summary"]["this"], figures["summary"]["previous"])
    levels = [{**row, "label": RiskLevel(row["level"]).label} for row in figures["levels"]["rows"]]
    hz = figures["hazards"]
    trend = figures["trend"]
    events = [{**e, "label": EVENT_LABELS.get(e["kind"], e["kind"])} for e in figures["events"]]
    by_severity: dict[str, int] = {}
    for row in figures["alarms"]["by_type"]:
        by_severity[row["severity"]] = by_severity.get(row["severity"], 0) + row["n"]
    severities = [
        {"label": s.label, "n": by_severity.get(s.value, 0), "colour": SEVERITY_COLOUR[s]} for s in Severity
    ]
    alarm_rows = [
        {**row, "severity_label": Severity(row["severity"]).label} for row in figures["alarms"]["by_type"]
    ]
    return {
        "r": figures,
        "summary": summary,
        "levels": levels,
        "events": events,
        "severities": severities,
        "alarm_rows": alarm_rows,
        "kind_label": Kind(figures["kind"]).label,
        "charts": _charts(levels, trend, hz),
        "institution_columns": INSTITUTION_COLUMNS,
        "institution_rows": [
            {
                "name": i["name"],
                "district": i["district"],
                "cells": [i[key] for key, _label in INSTITUTION_COLUMNS],
            }
            for i in figures["institutions"]
        ],
        "no_department": pgettext_lazy("report", "No department"),
    }


def title(figures: dict) -> str:
    """``汴州市救助管理站 2026-10 安全月报`` (in the active language)."""
    return str(
        _("%(org)s · %(period)s · %(kind)s")
        % {
            "org": figures["organization"]["name"],
            "period": figures["period"]["label"],
            "kind": Kind(figures["kind"]).label,
        }
    )
