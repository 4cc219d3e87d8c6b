"""Every spreadsheet cell the product writes is safe (issue 13, "Hardening").

A hostile text (a formula, a DDE call, a control character, a lone surrogate) planted in every text
field of every row, then every page asked for its Excel export and every file opened with openpyxl:
no formula cell, no unguarded formula-like text, no illegal character, nothing answering 500. The
exports found are checked against the list of known exports, so a page whose export is lost (or a
new one) shows up here. A source scan keeps openpyxl's writers inside ``core.exports``.
"""

from __future__ import annotations

import ast
import datetime as dt
import io
import zipfile
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps
from django.db import connection, models
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE

from shuangfang.core.exports import (
    FORMULA_TRIGGERS,
    MAX_CELL_TEXT,
    XLSX,
    safe_cell,
    sheet_title,
    write_workbook,
    write_xlsx,
)
from shuangfang.core.matrix import Case

HOSTILE = [
    '=HYPERLINK("http://x","y")',
    "=cmd|' /C calc'!A0",
    "+1+1",
    "-1+1",
    "@SUM(A1)",
    "\t=1",
    "\r=1",
    "a\u0007b",
    "\x00",
    "#N/A",
]
LONE_SURROGATE = "x\ud800y"  # not storable in a text column; SQLite's JSON keeps it (escaped)

# Text columns the product writes itself and reads back as keys (codes, hashes, file paths, event
# kinds): planting there would break the lookups, not test the exports. Everything else a person, a
# device or an import can write is planted, so a new text field is planted by default.
MACHINE_FIELDS = {
    "core.AuditEntry": {"action", "object_id"},
    "core.OutboxEvent": {"kind", "consumer", "origin_key", "last_error"},
    "core.ScheduledRun": {"name"},
    "orgs.Organization": {"path"},
    "orgs.User": {"password"},
    "orgs.ApiToken": {"prefix", "key_hash"},
    "hazards.HazardPhoto": {"original", "display", "thumb"},
    "hazards.HazardEvent": {"action", "published"},
    "inspections.RecordPhoto": {"original", "display", "thumb"},
    "inspections.Task": {"place_key", "assignee_role"},
    "inspections.Plan": {"assignee_role"},
    "inspections.ChecklistItem": {"source_kind"},
    "monitoring.Device": {"token_hash", "token_prefix"},
    "monitoring.Channel": {"key"},
    "monitoring.Reading": {"channel"},
    "monitoring.Rollup": {"channel"},
    "monitoring.RuleState": {"channel"},
    "monitoring.AlarmRule": {"channel", "alarm_type"},
    "monitoring.Alarm": {"channel", "alarm_type"},
    "monitoring.DeviceEvent": {"msg_id", "type", "code", "channel"},
    "notifications.Contact": {"code_hash"},
    "notifications.Provider": {"secret_sealed", "secret_env"},
    "notifications.EscalationPolicy": {"event_kind"},
    "notifications.Incident": {"kind", "url", "source_kind", "source_uuid"},
    "notifications.Notification": {"kind", "url", "origin"},
    "notifications.MessageTemplate": {"kind"},
    "risks.AssessmentMethod": {"code", "formula", "boundary_rule"},
    "risks.Floor": {"plan"},
    "risks.LibraryEntry": {"institution_type"},
}
# JSON fields holding lists of texts a person typed.
TEXT_LISTS = {"risks.HazardFactor": {"accident_types"}}

# Every export the product offers, by URL name (with the query that asks for it). The test fails
# when one of them is not found, or when a page offers an export that is not listed here.
EXPORTS = {
    "assessment:bureau",
    "duty:roster",
    "equipment:cameras",
    "equipment:list",
    "food:ledger_disinfection",
    "food:ledger_morning_checks",
    "food:ledger_purchases",
    "food:ledger_samples",
    "food:ledger_suppliers",
    "hazards:list",
    "hazards:statistics",
    "inspections:checklists",
    "inspections:checkpoints",
    "inspections:ledger",
    "inspections:plans",
    "monitoring:alarms",
    "monitoring:devices",
    "notifications:log",
    "notifications:incidents",
    "orgs:audit",
    "orgs:people",
    "publicreports:queue",
    "outreach:campaign_report",
    "outreach:register_export",
    "readiness:accountability",
    "readiness:bureau",
    "readiness:drills",
    "readiness:letters",
    "readiness:meetings",
    "readiness:notices",
    "readiness:plans",
    "readiness:sessions",
    "readiness:status",
    "readiness:supplies",
    "reports:organization",
    "relief:stats",
    "reports:xlsx",
    "risks:inventory",
    "risks:index",
    "risks:reviews",
}


# --- The safe cell ------------------------------------------------------------------------------


def _written(rows, headers=("h",)):
    handle = write_xlsx(list(headers), rows)
    data = handle.read()
    return data, load_workbook(io.BytesIO(data)).active


def test_hostile_texts_are_written_as_text_unchanged():
    data, ws = _written([[h] for h in [*HOSTILE, LONE_SURROGATE]])
    cells = [row[0] for row in ws.iter_rows(min_row=2)]
    assert "<f>" not in zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
    by_value = {c.value: c for c in cells}
    for text in ['=HYPERLINK("http://x","y")', "=cmd|' /C calc'!A0", "+1+1", "-1+1", "@SUM(A1)"]:
        cell = by_value[text]  # kept as it was: no apostrophe added to the data
        assert cell.data_type == "s" and cell.quotePrefix, text
    # A carriage return reaches the file; XML readers normalise it to a line feed, guarded as well.
    assert by_value["\t=1"].quotePrefix and by_value["\n=1"].quotePrefix
    assert by_value["#N/A"].data_type == "s" and by_value["#N/A"].quotePrefix
    assert "ab" in by_value  # the bell character is dropped
    assert "x\ufffdy" in by_value  # the lone surrogate replaced
    assert all(_safe(c) for c in cells)


def test_typed_values_stay_typed():
    aware = dt.datetime(2026, 3, 1, 1, 30, tzinfo=dt.UTC)
    _data, ws = _written([[-1, -2.5, Decimal("-3.25"), True, dt.date(2026, 3, 1), aware, "plain", None]])
    row = list(next(ws.iter_rows(min_row=2)))
    assert [c.value for c in row[:5]] == [-1, -2.5, -3.25, True, dt.datetime(2026, 3, 1)]
    assert [c.data_type for c in row[:5]] == ["n", "n", "n", "b", "d"]
    assert row[5].value == dt.datetime(2026, 3, 1, 9, 30)  # local time (Asia/Shanghai), naive
    assert row[6].value == "plain" and not row[6].quotePrefix
    assert not any(c.quotePrefix for c in row[:6])


def test_headers_titles_and_long_texts_are_safe():
    handle = write_workbook([("=x[1]:'y'" + "z" * 40, ["=SUM(1)", "a\x01"], [["w" * (MAX_CELL_TEXT + 5)]])])
    ws = load_workbook(handle).worksheets[0]
    assert ws.title == sheet_title("=x[1]:'y'" + "z" * 40) and len(ws.title) <= 31
    assert ws["A1"].value == "=SUM(1)" and ws["A1"].quotePrefix and ws["A1"].font.b
    assert ws["B1"].value == "a"
    assert len(ws["A2"].value) == MAX_CELL_TEXT and ws["A2"].value.endswith("…")


def test_safe_cell_returns_plain_values_for_the_common_case():
    # Streaming stays cheap: no cell object for a value that is safe as it is.
    assert safe_cell(None, "厨房") == "厨房"
    assert safe_cell(None, 3) == 3
    assert safe_cell(None, None) is None


def test_text_subclasses_and_lazy_labels_are_guarded_too():
    from django.utils.functional import lazy
    from django.utils.safestring import mark_safe

    lazy_text = lazy(lambda: "=1+1", str)()
    _data, ws = _written([[mark_safe("=1+1"), lazy_text]])
    assert all(c.value == "=1+1" and c.data_type == "s" and c.quotePrefix for c in ws[2])


# --- Every export, with hostile data ------------------------------------------------------------


def _safe(cell) -> bool:
    if cell.data_type == "f":
        return False
    value = cell.value
    if not isinstance(value, str):
        return True
    if ILLEGAL_CHARACTERS_RE.search(value):
        return False
    guarded = value[:1] in FORMULA_TRIGGERS or value in ERROR_CODES
    return not guarded or (cell.data_type == "s" and bool(cell.quotePrefix))


def _unique_sets(model) -> set[str]:
    names = {f.name for f in model._meta.concrete_fields if f.unique}
    for together in model._meta.unique_together:
        names |= set(together)
    for constraint in model._meta.constraints:
        names |= set(getattr(constraint, "fields", ()) or ())
    return names


def _text_fields(model) -> list[models.Field]:
    skip = MACHINE_FIELDS.get(model._meta.label, set())
    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, models.CharField | models.TextField)
        and not f.primary_key
        and not f.choices
        and f.name not in skip
    ]


def _plant(hostile: list[str]) -> int:
    """Every text field of every row of the product's models gets a hostile text (rows and fields
    take turns, so each text lands in each kind of field). Returns the number of values planted."""
    planted = 0
    for model in apps.get_models():
        if not model.__module__.startswith("shuangfang."):
            continue
        fields, unique = _text_fields(model), _unique_sets(model)
        lists = TEXT_LISTS.get(model._meta.label, set())
        if not fields and not lists:
            continue
        for i, pk in enumerate(model._default_manager.order_by("pk").values_list("pk", flat=True)):
            values: dict = {}
            for j, f in enumerate(fields):
                text = hostile[(i + j) % len(hostile)]
                suffix = f"{pk}" if f.name in unique else ""
                room = (f.max_length or 10_000) - len(suffix)
                values[f.name] = text[:room] + suffix
            for name in lists:
                values[name] = [hostile[i % len(hostile)]]
            model._default_manager.filter(pk=pk).update(**values)
            planted += len(values)
    return planted


def _plant_lists() -> None:
    for label, names in TEXT_LISTS.items():
        apps.get_model(label).objects.update(**{name: ["=1+1", LONE_SURROGATE] for name in names})


def _matrix_cases() -> list[Case]:
    from tests.test_permission_matrix import CASES

    return CASES


def _workbook(response):
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return load_workbook(io.BytesIO(body))


def _generate_reports(world) -> None:
    from shuangfang.reports import services
    from shuangfang.reports.periods import last_ended

    period = last_ended("monthly", timezone.localdate())
    for org in (world.inst_a, world.bureau):
        services.generate(org, "monthly", period.start)


def _check(client, name: str, url: str) -> tuple[bool, list[str]]:
    """(whether ``url`` answered an Excel file, the unsafe cells in it)."""
    response = client.get(url, {"export": "xlsx"})
    assert response.status_code < 500, f"{url}: {response.status_code}"
    if not response.get("Content-Type", "").startswith(XLSX):
        return False, []
    return True, [
        f"{name} {ws.title}!{c.coordinate} {c.value!r}"
        for ws in _workbook(response).worksheets
        for row in ws.iter_rows()
        for c in row
        if not _safe(c)
    ]


@pytest.mark.django_db
@time_machine.travel(dt.datetime(2026, 4, 15, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)
def test_every_export_is_safe_with_hostile_data(world):
    urls: dict[str, str] = {}
    for case in _matrix_cases():  # builds each app's objects, as the permission matrix does
        if case.method == "get" and case.url_name not in urls:
            urls[case.url_name] = reverse(case.url_name, kwargs=case.kwargs(world) if case.kwargs else None)
    hostile = [h for h in HOSTILE if not (h == "\x00" and connection.vendor == "postgresql")]
    assert _plant(hostile) > 200
    _generate_reports(world)
    client = Client()
    client.force_login(world.users["admin"])

    # Every page, asked for its export: none answers 500, each file found is safe.
    found, problems = set(), []
    for name, url in sorted(urls.items()):
        is_export, unsafe = _check(client, name, url)
        if is_export:
            found.add(name)
            problems += unsafe
    assert not problems, problems[:20]
    assert found == EXPORTS, f"missing: {sorted(EXPORTS - found)}, not listed: {sorted(found - EXPORTS)}"

    # A lone surrogate only a JSON field can hold, escaped, on SQLite (PostgreSQL's jsonb refuses it).
    if connection.vendor == "postgresql":
        return
    _plant_lists()
    _generate_reports(world)
    for name in sorted(EXPORTS):
        is_export, unsafe = _check(client, name, urls[name])
        assert is_export and not unsafe, (name, unsafe[:5])


# --- No writer outside core.exports ------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[2]
WRITER_HOME = ROOT / "core" / "exports.py"
# What a module other than core.exports may take from openpyxl: reading uploads.
READING = {"openpyxl": {"load_workbook"}, "openpyxl.utils.exceptions": {"InvalidFileException"}}
OTHER_WRITERS = {"xlsxwriter", "xlwt", "pyexcel", "odf", "csv", "pandas", "tablib"}


def _writer_imports(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.split(".")[0] in OTHER_WRITERS | {"openpyxl"}]
        elif isinstance(node, ast.ImportFrom) and node.module:
            top = node.module.split(".")[0]
            if top in OTHER_WRITERS:
                found.append(node.module)
            elif top == "openpyxl":
                allowed = READING.get(node.module, set())
                found += [f"{node.module}.{a.name}" for a in node.names if a.name not in allowed]
    return found


def test_no_spreadsheet_writer_outside_core_exports():
    """Cells are written by ``core.exports.write_workbook`` only (every value through
    ``safe_cell``); a module that needs a spreadsheet (or a CSV) goes through it."""
    modules = [p for p in ROOT.rglob("*.py") if "tests" not in p.parts and "migrations" not in p.parts]
    offenders = {
        str(p.relative_to(ROOT)): names for p in modules if p != WRITER_HOME and (names := _writer_imports(p))
    }
    assert not offenders, f"write spreadsheets through shuangfang.core.exports: {offenders}"
    assert _writer_imports(WRITER_HOME)  # the scan sees the writer where it lives
