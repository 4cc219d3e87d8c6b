"""Figure sections other apps add to the dashboards (food, equipment, readiness, ...).

The dashboards import none of those apps: each registers a source from its ``AppConfig.ready()``
with :func:`register_figure_section`. A source takes the institution ids and the day and answers,
in a fixed number of queries however many institutions, one list of :class:`Figure` per
institution. Every figure carries the URL of the list behind it; ``counted`` says that list shows
exactly ``value`` rows (the link then carries ``data-count``, ``tests/test_dashboard_numbers.py``).
"""

from __future__ import annotations

import datetime as dt
import functools
import uuid as uuidlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape  # as Django's, without its lazy-string wrapper: thousands of cells

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from shuangfang.core.tenancy import can
from shuangfang.orgs.models import Organization


@dataclass(frozen=True)
class Figure:
    label: str
    value: int | None
    url: str
    counted: bool = True  # the list at ``url`` shows exactly ``value`` rows
    whole: int | None = None  # shown as "value / whole" (e.g. samples taken of dishes due)
    bad: bool = False  # a non-zero value is a problem

    @property
    def html(self) -> SafeString:
        return safe_html(figure_markup(self))


FigureSourceFn = Callable[[list[int], dt.date], dict[int, list[Figure]]]


@dataclass(frozen=True)
class FigureSection:
    key: str
    title: Callable[[], str]  # called at render time (translated)
    perm: str  # the user must hold it at the dashboard's organisation
    source: FigureSourceFn
    bureau: bool = True  # also on the bureau dashboard (one row per institution)


_sections: dict[str, FigureSection] = {}

_PLACEHOLDER = uuidlib.UUID(int=0)


@functools.lru_cache(maxsize=64)
def _around_uuid(name: str) -> tuple[str, str]:
    head, tail = reverse(name, kwargs={"uuid": _PLACEHOLDER}).split(str(_PLACEHOLDER))
    return head, tail


def uuid_path(name: str, uuid) -> str:
    """``reverse(name, kwargs={"uuid": uuid})`` for a page named by a uuid alone, without resolving
    the pattern again for each of hundreds of rows."""
    head, tail = _around_uuid(name)
    return f"{head}{uuid}{tail}"


def figure_markup(fig: Figure) -> str:
    """A figure as a link to its list (``data-count`` when counted), "—" for no value, and
    "/whole" after it: the same markup in every table cell and tile, built without a template."""
    value = "—" if fig.value is None else fig.value
    count = f' data-count="{fig.value}"' if fig.counted else ""
    bad = ' class="bad"' if fig.bad and fig.value else ""
    whole = f"/{fig.whole}" if fig.whole is not None else ""
    return f'<a href="{escape(fig.url)}"{count}{bad}>{value}</a>{whole}'


def name_cell(url: str, name: str) -> str:
    """A table's first cell: the institution's name, a link to ``url``."""
    return f'<td><a href="{escape(url)}">{escape(name)}</a></td>'


def safe_html(html: str) -> SafeString:
    """Markup built in Python for a template (every value in it escaped or a number)."""
    return mark_safe(html)  # noqa: S308


def register_figure_section(
    key: str, title: Callable[[], str], source: FigureSourceFn, *, perm: str, bureau: bool = True
) -> None:
    """Add (or replace, by ``key``) a section of figures on the dashboards."""
    _sections[key] = FigureSection(key, title, perm, source, bureau)


def registered() -> list[FigureSection]:
    return list(_sections.values())


def for_institution(user, inst: Organization, today: dt.date) -> list[dict]:
    """The sections the user may read at ``inst``: ``[{key, title, figures}]``."""
    out = []
    for s in _sections.values():
        if can(user, s.perm, inst):
            out.append({"key": s.key, "title": s.title(), "figures": s.source([inst.pk], today)[inst.pk]})
    return out


def for_bureau(user, org: Organization, insts: Sequence[Organization], today: dt.date) -> list[dict]:
    """One table per section: ``[{key, title, labels, rows: [{inst, figures}], body}]``; ``body``:
    the table's rows as HTML, built once here (hundreds of rows)."""
    out = []
    ids = [i.pk for i in insts]
    names = {i.pk: name_cell(uuid_path("dashboards:institution", i.uuid), i.name) for i in insts}
    for s in _sections.values():
        if not s.bureau or not can(user, s.perm, org):
            continue
        figs = s.source(ids, today) if ids else {}
        labels = [f.label for f in figs[insts[0].pk]] if insts else []
        rows = [{"inst": i, "figures": figs[i.pk]} for i in insts]
        body = "\n".join(
            "<tr>\n  "
            + names[i.pk]
            + "".join(f'<td class="num">{figure_markup(f)}</td>' for f in figs[i.pk])
            + "\n</tr>"
            for i in insts
        )
        out.append(
            {"key": s.key, "title": s.title(), "labels": labels, "rows": rows, "body": safe_html(body)}
        )
    return out
