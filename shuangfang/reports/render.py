"""The two files of a report, made from its stored figures: the PDF (WeasyPrint, ``core.pdf``) and
the workbook (openpyxl, ``core.exports``), both in the report's language."""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from shuangfang.core.exports import write_workbook
from shuangfang.core.pdf import render_pdf

from . import content


def pdf(figures: dict) -> bytes:
    with translation.override(figures["language"]):
        ctx = content.context(figures)
        ctx["title"] = content.title(figures)
        return render_pdf("reports/pdf.html", ctx)


def xlsx(figures: dict) -> bytes:
    """Sheets: summary, hazards by dimension, inspections by department, alarms, institutions (bureau
    reports), major events, open major hazards at the period end, assessment scores."""
    with translation.override(figures["language"]):
        ctx = content.context(figures)
        sheets = [
            _summary_sheet(figures, ctx),
            _hazards_sheet(figures),
            _inspections_sheet(figures, ctx),
            _alarms_sheet(ctx),
        ]
        if figures["organization"]["is_bureau"]:
            sheets.append(_institutions_sheet(figures))
        sheets += [_events_sheet(ctx), _open_major_sheet(figures), _scores_sheet(figures.get("scores"))]
        with write_workbook(sheets) as handle:
            return handle.read()


def _summary_sheet(figures: dict, ctx: dict) -> tuple:
    hz = figures["hazards"]
    rows: list[list] = [
        [pgettext("report", "Organisation"), figures["organization"]["name"], ""],
        [pgettext("report", "Period"), figures["period"]["label"], figures["previous"]["label"]],
        [pgettext("report", "Generated at"), figures["generated_at"], ""],
    ]
    rows += [[row["label"], row["this"], row["previous"]] for row in ctx["summary"]]
    rows += [
        [pgettext("report", "Average days to close"), hz["avg_days"], ""],
        [pgettext("report", "Risk points (at generation)"), figures["levels"]["points"], ""],
    ]
    rows += [
        [f"{lv['label']}（{lv['name']}）" if lv["name"] else str(lv["label"]), lv["value"], ""]
        for lv in ctx["levels"]
    ]
    palette = figures["levels"].get("palette") or {"is_national": True}
    if not palette["is_national"]:
        rows.append(
            [
                pgettext("report", "Level colours"),
                pgettext(
                    "report", "%(owner)s uses its own colours, not the national red / orange / yellow / blue"
                )
                % {"owner": palette["owner"]},
                "",
            ]
        )
    return (
        pgettext("report", "Summary"),
        [
            pgettext("report", "Figure"),
            pgettext("report", "This period"),
            pgettext("report", "Previous period"),
        ],
        rows,
    )


def _hazards_sheet(figures: dict) -> tuple:
    hz = figures["hazards"]
    dimensions = (
        ("by_grade", pgettext("report", "Grade")),
        ("by_category", pgettext("report", "Category")),
        ("by_source", pgettext("report", "Source")),
        ("by_department", pgettext("report", "Department")),
    )
    return (
        pgettext("report", "Hazards"),
        [pgettext("report", "Dimension"), pgettext("report", "Value"), pgettext("report", "Hazards")],
        [[dim_label, label, n] for key, dim_label in dimensions for label, n in hz[key]],
    )


def _inspections_sheet(figures: dict, ctx: dict) -> tuple:
    inspections = figures["inspections"]
    return (
        pgettext("report", "Inspections"),
        [
            pgettext("report", "Department"),
            pgettext("report", "Done"),
            pgettext("report", "Missed"),
            pgettext("report", "Completion (%)"),
        ],
        [
            [d["department"] or str(ctx["no_department"]), d["done"], d["missed"], d["completion_rate"]]
            for d in inspections["by_department"]
        ]
        + [
            [
                pgettext("report", "Total"),
                inspections["done"],
                inspections["missed"],
                inspections["completion_rate"],
            ]
        ],
    )


def _alarms_sheet(ctx: dict) -> tuple:
    return (
        pgettext("report", "Alarms"),
        [pgettext("report", "Alarm type"), pgettext("report", "Severity"), pgettext("report", "Alarms")],
        [[a["label"], a["severity_label"], a["n"]] for a in ctx["alarm_rows"]],
    )


def _institutions_sheet(figures: dict) -> tuple:
    return (
        pgettext("report", "Institutions"),
        [
            pgettext("report", "Institution"),
            pgettext("report", "District"),
            *[str(label) for _key, label in content.INSTITUTION_COLUMNS],
        ],
        [
            [i["name"], i["district"], *[i[key] for key, _label in content.INSTITUTION_COLUMNS]]
            for i in figures["institutions"]
        ],
    )


def _events_sheet(ctx: dict) -> tuple:
    return (
        pgettext("report", "Major events"),
        [
            pgettext("report", "Date"),
            pgettext("report", "Event"),
            pgettext("report", "Institution"),
            pgettext("report", "Number"),
            pgettext("report", "What"),
            pgettext("report", "Supervision deadline"),
        ],
        [[e["at"], e["label"], e["institution"], e["number"], e["text"], e["note"]] for e in ctx["events"]],
    )


def _open_major_sheet(figures: dict) -> tuple:
    return (
        pgettext("report", "Open major hazards"),
        [
            pgettext("report", "Institution"),
            pgettext("report", "Number"),
            pgettext("report", "Hazard"),
            pgettext("report", "Reported"),
            pgettext("report", "Deadline"),
            pgettext("report", "Overdue"),
            pgettext("report", "Under supervision"),
        ],
        [
            [
                h["institution"],
                h["number"],
                h["title"],
                h["reported"],
                h["deadline"],
                _("yes") if h["overdue"] else "",
                _("yes") if h["supervised"] else "",
            ]
            for h in figures["open_major"]
        ],
    )


def _scores_sheet(scores: dict | None) -> tuple:
    """The assessment scores as a sheet: institutions with their points (bureau), or the
    indicators of the one score and its departments (institution)."""
    title = pgettext("report", "Assessment scores")
    score, points = pgettext("report", "Score"), pgettext("report", "Points")
    if not scores:
        return (title, [score], [])
    if "rows" in scores:
        return (
            title,
            [pgettext("report", "Institution"), score, *scores["columns"], pgettext("report", "Scheme")],
            [[r["name"], r["total"], *r["points"], r["scheme"]] for r in scores["rows"]],
        )
    rows = [[p["label"], p["figures"], p["weight"], p["calculation"], p["points"]] for p in scores["parts"]]
    rows.append([score, scores["scheme"], 100, "", scores["total"]])
    rows += [[d["name"], "", "", "", d["total"]] for d in scores["departments"]]
    headers = [
        pgettext("report", "Indicator"),
        pgettext("report", "Records"),
        pgettext("report", "Weight"),
        pgettext("report", "Calculation"),
        points,
    ]
    return (title, headers, rows)
