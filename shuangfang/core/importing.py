"""Excel imports of the records people keep in spreadsheets, run in the background (``core.jobs``).

An app describes one sheet with a :class:`Sheet` (its columns, the permission it needs, how a row
is checked and how a checked row is saved) and :func:`register`\\ s it when it starts. The product
then gives it, without more code:

* a page (``core:import``, per sheet and organisation) with the template download (the header row
  in Chinese and an example row; English headers are read too), the column help and the upload;
* the upload's checks (an .xlsx by content, size, ``IMPORT_MAX_ROWS`` and ``IMPORT_MAX_SECONDS``:
  ``core.uploads``), then a background job with progress (the request returns at once);
* **all or nothing**: every row is checked first and every problem reported with its row and
  column, in the importer's language; any problem (including one found while saving) saves nothing.

``check(row, ctx)`` raises :class:`RowProblem` (column key, message), :class:`RowProblems` (all of
a row's at once) or ``ValidationError`` and returns whatever ``save(plan, ctx)`` needs;
``prepare(actor, organization)`` builds the look-ups (people, departments...) once per file, so a
5,000-row sheet costs a few queries, not one per row. ``finish(job, ctx)`` (optional) gives the
job's result page and a sentence for it, for what only the importer may see (the people import's
initial passwords). The uploaded workbook is deleted once read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import audit
from .uploads import open_workbook, sheet_rows

PROGRESS_EVERY = 200
audit.register_actions({"core.import": gettext_lazy("Spreadsheet imported")})


@dataclass(frozen=True)
class Col:
    key: str
    label: Promise | str  # lazily translated: the template uses the Chinese, both are read
    required: bool = False
    example: Any = ""


class RowProblem(Exception):
    def __init__(self, column: str, message: str) -> None:
        super().__init__(message)
        self.column, self.message = column, message


class RowProblems(Exception):
    """Every problem of one row at once (a sheet whose rows are often wrong in several cells)."""

    def __init__(self, problems: list[RowProblem]) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


@dataclass
class Sheet:
    name: str  # "app.thing", also the URL's name part
    title: Promise | str
    perm: str
    columns: list[Col]
    check: Callable[[dict[str, Any], dict[str, Any]], Any]
    save: Callable[[Any, dict[str, Any]], None]
    prepare: Callable[[Any, Any], dict[str, Any]] = field(default=lambda actor, org: {})
    help: Promise | str = ""
    # Which kinds of organisation the page is for: an institution by default.
    kinds: tuple[str, ...] = ("institution",)
    # Where the imported records are seen (the job's page links there): the organisation -> a URL.
    done_url: Callable[[Any], str] = field(default=lambda org: "")
    # After a successful import, in place of ``done_url``: (job, ctx) -> (URL, a sentence for the
    # job's page). For what only the importer may see, once (the people import's passwords).
    finish: Callable[[Any, dict[str, Any]], tuple[str, str]] | None = None

    def label(self, key: str) -> str:
        return str(next(c.label for c in self.columns if c.key == key))


SHEETS: dict[str, Sheet] = {}


def register(sheet: Sheet) -> None:
    SHEETS[sheet.name] = sheet


# --- Reading cells -------------------------------------------------------------------------------


def text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    return str(value).strip()


def date(value: Any, column: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(text(value).replace("/", "-"))
    except ValueError:
        raise RowProblem(column, _("%(value)s is not a date (use 2026-12-31).") % {"value": value}) from None


def number(value: Any, column: str, *, minimum: int = 0) -> int | None:
    if value in (None, ""):
        return None
    try:
        n = int(float(text(value)))
    except ValueError:
        raise RowProblem(column, _("%(value)s is not a whole number.") % {"value": value}) from None
    if n < minimum:
        raise RowProblem(column, _("%(value)s is below %(min)d.") % {"value": value, "min": minimum})
    return n


def choice(value: Any, choices, column: str) -> str:
    """A choice by its value or its label in Chinese or English (case and spaces ignored)."""
    wanted = text(value).lower()
    for lang in ("zh-hans", "en"):
        with translation.override(lang):
            for v, label in choices:
                if wanted in (str(v).lower(), str(label).strip().lower()):
                    return str(v)
    raise RowProblem(column, _("Unknown value %(value)s.") % {"value": text(value)})


def required(row: dict[str, Any], key: str) -> str:
    value = text(row.get(key))
    if not value:
        raise RowProblem(key, _("This column is required."))
    return value


# --- The template and the run --------------------------------------------------------------------


def template(sheet: Sheet) -> tuple[list[str], list[list[Any]]]:
    with translation.override("zh-hans"):
        headers = [str(c.label) for c in sheet.columns]
    return headers, [[c.example for c in sheet.columns]]


def read(sheet: Sheet, upload) -> list[tuple[int, dict[str, Any]]]:
    wb = open_workbook(upload)
    try:
        rows_iter = sheet_rows(wb.worksheets[0])
        header = [text(h) for h in next(rows_iter, (1, ()))[1]]
        index: dict[str, int] = {}
        for lang in ("zh-hans", "en"):
            with translation.override(lang):
                for col in sheet.columns:
                    for i, h in enumerate(header):
                        if h in (str(col.label), col.key):
                            index.setdefault(col.key, i)
        missing = [sheet.label(c.key) for c in sheet.columns if c.required and c.key not in index]
        if missing:
            raise ValidationError(
                _("The sheet lacks the columns: %(columns)s. Download the template and keep its header row.")
                % {"columns": "、".join(missing)}
            )
        rows = []
        for n, values in rows_iter:
            if any(v not in (None, "") for v in values):
                row = {k: (values[i] if i < len(values) else None) for k, i in index.items()}
                rows.append((n, {**row, "_row": n}))
    finally:
        wb.close()
    if not rows:
        raise ValidationError(_("The sheet has no rows below the header: nothing was imported."))
    return rows


class _Rollback(Exception):
    pass


def run(
    sheet: Sheet, *, actor, organization, upload, job=None, ctx: dict[str, Any] | None = None
) -> tuple[int, list[dict[str, Any]]]:
    """Check every row, then save them all in one transaction, or none: (rows saved, row errors).
    ``ctx`` (optional, filled here) shows the caller what ``prepare``, ``check`` and ``save`` kept."""
    from .jobs import progress

    rows = read(sheet, upload)
    total = 2 * len(rows)
    ctx = {} if ctx is None else ctx
    ctx.update(sheet.prepare(actor, organization))
    ctx.update(actor=actor, organization=organization)
    errors: list[dict[str, Any]] = []

    def problem(n: int, exc: Exception) -> None:
        if isinstance(exc, RowProblems):
            for one in exc.problems:
                problem(n, one)
        elif isinstance(exc, RowProblem):
            column = sheet.label(exc.column) if exc.column in {c.key for c in sheet.columns} else exc.column
            errors.append({"row": n, "column": column, "message": exc.message})
        else:
            errors.append({"row": n, "column": "", "message": " ".join(getattr(exc, "messages", [str(exc)]))})

    plans: list[tuple[int, Any]] = []
    for i, (n, row) in enumerate(rows, 1):
        try:
            plans.append((n, sheet.check(row, ctx)))
        except (RowProblem, RowProblems, ValidationError) as exc:
            problem(n, exc)
        if i % PROGRESS_EVERY == 0:
            progress(job, i, total)
    if errors:
        return 0, errors
    try:
        with transaction.atomic():
            for i, (n, plan) in enumerate(plans, 1):
                try:
                    sheet.save(plan, ctx)
                except (RowProblem, RowProblems, ValidationError) as exc:
                    problem(n, exc)
                if i % PROGRESS_EVERY == 0:
                    progress(job, len(rows) + i, total)
            if errors:
                raise _Rollback
            audit.record(
                actor=actor,
                action="core.import",
                obj=organization,
                organization=organization,
                note=f"{sheet.name} rows={len(plans)}",
            )
    except _Rollback:
        return 0, errors
    progress(job, total, total)
    return len(plans), errors


def import_job(job, params: dict[str, Any]):
    """The ``core.import`` background task: the job's workbook imported as its owner."""
    from .jobs import Outcome, TaskFailed
    from .tenancy import organization_model

    sheet = SHEETS[params["sheet"]]
    organization = organization_model().objects.get(pk=params["organization"])
    ctx: dict[str, Any] = {}
    try:
        with job.input.open("rb") as upload:
            saved, errors = run(
                sheet, actor=job.owner, organization=organization, upload=upload, job=job, ctx=ctx
            )
    except ValidationError as exc:
        raise TaskFailed(" ".join(exc.messages)) from None
    finally:
        # The workbook is not kept once read (it may hold initial passwords); a corrected sheet
        # is uploaded again.
        job.input.delete(save=False)
        type(job).objects.filter(pk=job.pk).update(input="")
    summary = translation.ngettext("%(n)d row imported.", "%(n)d rows imported.", saved) % {"n": saved}
    if errors:
        return Outcome(errors=errors, summary=summary)
    if sheet.finish is not None:
        url, note = sheet.finish(job, ctx)
        return Outcome(summary=f"{summary} {note}".strip(), url=url)
    return Outcome(summary=summary, url=sheet.done_url(organization))
