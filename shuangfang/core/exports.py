"""Excel exports that stream: openpyxl's write-only mode spills rows to a temporary file, so memory
stays flat however many rows are written.

Every cell the product writes goes through :func:`write_workbook` (and so through :func:`safe_cell`);
``tests/test_structure.py`` fails on an openpyxl writer anywhere else. What it guarantees
(docs/security.md, "Spreadsheet exports"):

* **No formula from data.** A text that starts with ``= + - @``, a tab, a carriage return or a line
  feed, or that spells an Excel error (``#N/A``), is written as a text cell (``t="inlineStr"``)
  with the cell style's ``quotePrefix`` set: the same thing Excel stores when a user types
  ``'=1``. The text is kept as it was (no visible apostrophe, and the risk inventory still imports
  back unchanged), Excel and LibreOffice show it as text, and editing the cell keeps it text.
* **No character that breaks the file.** XML 1.0 cannot carry the C0 control characters other than
  tab/LF/CR (openpyxl refuses them: one bell character in a description made the whole export
  fail), lone surrogates or U+FFFE/U+FFFF: the first are dropped, the others become U+FFFD.
  A text longer than Excel's 32,767 characters per cell is cut there, with a final "…".
* **Typed values stay typed.** Numbers (``-3`` is a number, not a formula), booleans, dates and
  times are written as such; aware datetimes in local time (Excel has no time zones).
"""

from __future__ import annotations

import datetime as dt
import math
import re
import tempfile
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from django.http import FileResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# First characters that make a spreadsheet read a typed-in text as a formula (OWASP's list, with
# line feed added in 2025).
FORMULA_TRIGGERS = frozenset("=+-@\t\r\n")
MAX_CELL_TEXT = 32_767  # Excel's limit per cell
_NOT_XML = re.compile("[\ud800-\udfff\ufffe\uffff]")
_UNWRITABLE = re.compile(f"{ILLEGAL_CHARACTERS_RE.pattern}|{_NOT_XML.pattern}")
_ERROR_CODES = frozenset(ERROR_CODES)
_SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def clean_text(text: str) -> str:
    """``text`` without the characters an .xlsx file cannot hold, cut to Excel's cell limit."""
    if _UNWRITABLE.search(text) is not None:  # rare: one scan for the common case
        text = _NOT_XML.sub("\ufffd", ILLEGAL_CHARACTERS_RE.sub("", text))
    if len(text) > MAX_CELL_TEXT:
        text = text[: MAX_CELL_TEXT - 1] + "…"
    return text


def needs_text_guard(text: str) -> bool:
    """Whether a spreadsheet would read ``text`` as something other than plain text."""
    return text[:1] in FORMULA_TRIGGERS or text in _ERROR_CODES


def cell_value(value: Any) -> Any:
    """The value as written: numbers, booleans, dates and times typed, anything else as clean text."""
    if type(value) is str:  # the common case first
        return clean_text(value)
    if value is None or isinstance(value, bool | int | Decimal):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else clean_text(str(value))
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, dt.date):
        return value
    if isinstance(value, dt.time):
        return value.replace(tzinfo=None)
    return clean_text(str(value))


def safe_cell(ws, value: Any, *, font: Font | None = None) -> Any:
    """What to append to the write-only sheet ``ws`` for ``value``: the plain value when it is safe
    as it is (the common case costs nothing), else a cell forced to text with ``quotePrefix``."""
    value = cell_value(value)
    guard = isinstance(value, str) and needs_text_guard(value)
    if not guard and font is None:
        return value
    cell = WriteOnlyCell(ws, value=value)
    if guard:
        cell.data_type = "s"  # openpyxl made a text starting with "=" a formula, "#N/A" an error
        cell.quotePrefix = True
    if font is not None:
        cell.font = font
    return cell


def sheet_title(title: str) -> str:
    """A title Excel accepts: no ``[]:*?/\\``, no apostrophe at either end, at most 31 characters."""
    title = _SHEET_TITLE_FORBIDDEN.sub(" ", clean_text(str(title))).strip().strip("'")
    return title[:31].strip() or "Sheet1"


def write_xlsx(headers: Sequence[str], rows: Iterable[Sequence[Any]], *, title: str = "Sheet1"):
    """Write rows to a temporary .xlsx file and return it, positioned at the start."""
    return write_workbook([(title, headers, rows)])


def write_workbook(sheets: Iterable[tuple[str, Sequence[str], Iterable[Sequence[Any]]]]):
    """Several sheets, each ``(title, headers, rows)``, in one temporary .xlsx file, returned
    positioned at the start. The one place the product writes cells."""
    wb = Workbook(write_only=True)
    bold = Font(bold=True)
    for title, headers, rows in sheets:
        ws = wb.create_sheet(title=sheet_title(title))
        ws.append([safe_cell(ws, str(h), font=bold) for h in headers])
        for row in rows:
            ws.append([safe_cell(ws, v) for v in row])
    out = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - the response closes it
    wb.save(out)
    out.seek(0)
    return out


def xlsx_response(
    filename: str, headers: Sequence[str], rows: Iterable[Sequence[Any]], *, title: str = "Sheet1"
):
    handle = write_xlsx(headers, rows, title=title)
    response = FileResponse(handle, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(clean_text(filename))}"
    return response
