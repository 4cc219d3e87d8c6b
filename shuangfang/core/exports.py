"""Excel exports that stream: openpyxl's write-only mode spills rows to a temporary file, so memory
stays flat however many rows are written."""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import quote

from django.http import FileResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def write_xlsx(headers: Sequence[str], rows: Iterable[Sequence[Any]], *, title: str = "Sheet1"):
    """Write rows to a temporary .xlsx file and return it, positioned at the start."""
    return write_workbook([(title, headers, rows)])


def write_workbook(sheets: Iterable[tuple[str, Sequence[str], Iterable[Sequence[Any]]]]):
    """Several sheets, each ``(title, headers, rows)``, in one temporary .xlsx file, returned
    positioned at the start."""
    wb = Workbook(write_only=True)
    bold = Font(bold=True)
    for title, headers, rows in sheets:
        ws = wb.create_sheet(title=title[:31] or "Sheet1")
        header_cells = []
        for h in headers:
            cell = WriteOnlyCell(ws, value=str(h))
            cell.font = bold
            header_cells.append(cell)
        ws.append(header_cells)
        for row in rows:
            ws.append([_cell(v) for v in row])
    out = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - the response closes it
    wb.save(out)
    out.seek(0)
    return out


def _cell(value: Any) -> Any:
    if value is None or isinstance(value, int | float | str):
        return value
    if hasattr(value, "tzinfo") and getattr(value, "tzinfo", None) is not None:
        from django.utils import timezone

        return timezone.localtime(value).replace(tzinfo=None)
    return str(value) if not hasattr(value, "isoformat") else value


def xlsx_response(
    filename: str, headers: Sequence[str], rows: Iterable[Sequence[Any]], *, title: str = "Sheet1"
):
    handle = write_xlsx(headers, rows, title=title)
    response = FileResponse(handle, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response
