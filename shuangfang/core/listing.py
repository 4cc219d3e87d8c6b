"""Every list page is filter + table + htmx partial + export of exactly what is filtered.

A view builds a :class:`ListPage` from a queryset already scoped with ``for_user``, a django-filter
``FilterSet`` and its columns, and returns ``page.response()``. An htmx request gets only the table
partial; ``?export=xlsx`` streams the same filtered rows to Excel.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import localize
from django.utils.functional import SimpleLazyObject
from django.utils.safestring import SafeString
from django.utils.translation import get_language, gettext

from .api import known_total, list_count
from .exports import xlsx_response


@dataclass
class Column:
    label: Any
    value: Callable[[Any], Any]
    link: Callable[[Any], str] | None = None
    export: bool = True


class ListPaginator(Paginator):
    """Django's paginator, but the page's rows are read first: a page that is not full tells the
    total without a count query, and a full one takes :func:`core.api.list_count` (counted, then
    kept briefly under the query's SQL, as the API's lists). Numbers past the end or not numbers
    land where ``Paginator.get_page`` puts them."""

    def get_page(self, number):
        try:
            n = int(number) if number is not None else 1
        except (TypeError, ValueError):
            n = 1
        if n >= 1:
            bottom = (n - 1) * self.per_page
            rows = list(self.object_list[bottom : bottom + self.per_page])
            total = known_total(rows, bottom, self.per_page)
            if total is not None:
                self.count = total
                return Page(rows, n, self)
            self.count = list_count(self.object_list)
            if rows:
                return Page(rows, n, self)
        else:
            self.count = list_count(self.object_list)
        return super().get_page(number)


def link_to(url_name: str) -> Callable[[Any], str]:
    """``reverse(url_name, args=[x])`` for every row of a page: resolved once, then filled in (a
    ``reverse`` per cell was a tenth of a list page's time). For a URL with one UUID argument."""
    marker = "00000000-0000-4000-8000-000000000000"
    head, tail = reverse(url_name, args=[marker]).split(marker)
    return lambda value: f"{head}{value}{tail}"


def display(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):  # most cells: as they are (what ``localize`` gives them)
        return value
    if hasattr(value, "tzinfo") and getattr(value, "tzinfo", None) is not None:
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, bool):
        from django.utils.translation import gettext

        return gettext("Yes") if value else gettext("No")
    if type(value) is dt.date:  # a page's deadlines: formatted once per day and language
        return _localized_date(value, get_language())
    return str(localize(value))


@functools.lru_cache(maxsize=4096)
def _localized_date(value: dt.date, language: str | None) -> str:
    return str(localize(value))


def _escape(value: Any) -> str:
    """``conditional_escape`` without its lazy-string wrapper: a safe string as it is, anything else
    escaped as the template engine does."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


def export_value(value: Any) -> Any:
    """A cell of a list's Excel export: numbers, dates and times stay typed (``core.exports`` writes
    them as such and makes every text safe); anything else as the page shows it."""
    if value is None or isinstance(value, bool):
        return display(value)
    if isinstance(value, int | float | Decimal | dt.date | dt.time):
        return value
    return display(value)


# Query parameters of the page itself, never a filter.
NOT_FILTERS = frozenset({"page", "sort", "export", "_form"})
_COMMON_HTML: dict[tuple[type, str | None], SafeString] = {}


class ListPage:
    per_page = 50

    def __init__(
        self,
        request: HttpRequest,
        queryset,
        *,
        columns: list[Column],
        template: str,
        filterset_class=None,
        export_name: str = "export",
        context: dict | None = None,
    ) -> None:
        self.request = request
        self.columns = columns
        self.template = template
        self.export_name = export_name
        self.context = context or {}
        self.filterset_class = filterset_class
        self.unfiltered = queryset

    @functools.cached_property
    def filterset(self):
        """Built when something reads it: a filter is set, or a template shows the form."""
        if self.filterset_class is None:
            return None
        return self.filterset_class(self.request.GET or None, queryset=self.unfiltered, request=self.request)

    def _filtering(self) -> bool:
        """Whether the query holds anything but the page's own parameters (then the filter set
        filters; without any, a filter set gives back the queryset as it is)."""
        return any(k not in NOT_FILTERS for k in self.request.GET)

    @functools.cached_property
    def queryset(self):
        filterset = self.filterset if self._filtering() else None
        return filterset.qs if filterset is not None and filterset.is_valid() else self.unfiltered

    def _more_filters_set(self) -> bool:
        """A filter other than the filter set's ``common`` ones is set (its 更多 panel opens)."""
        common = set(getattr(self.filterset_class, "common", ()))
        skip = common | NOT_FILTERS
        return any(v for k, v in self.request.GET.items() if k not in skip)

    def _common_html(self) -> SafeString | None:
        """The ``common`` filter fields of an unfiltered page (core/_filter_split.html), rendered once
        per filter set and language when the filter set says they are the same for everyone
        (``common_for_everyone``: no choices from the person's scope, nothing set per request):
        a page nobody filters then builds no filter set at all."""
        cls = self.filterset_class
        if cls is None or not getattr(cls, "common_for_everyone", False) or self._filtering():
            return None
        key = (cls, get_language())
        found = _COMMON_HTML.get(key)
        if found is None:
            found = _COMMON_HTML[key] = SafeString(
                render_to_string("core/_filter_common.html", {"filter": self.filterset})
            )
        return found

    def rows(self, objects) -> list[SafeString]:
        """Each row as its ``<tr>``, escaped here rather than cell by cell in the template (600 cells
        through the template engine were a third of a list page's time). Each cell carries its
        column's name: on a phone a row is a card of "name: value" lines."""
        columns = [(c.value, c.link, f'<td data-label="{_escape(c.label)}">') for c in self.columns]
        out = []
        for obj in objects:
            cells = []
            for value, link, td in columns:
                text = _escape(display(value(obj)))
                href = link(obj) if link else None
                cells.append(f'{td}<a href="{_escape(href)}">{text}</a></td>' if href else f"{td}{text}</td>")
            out.append(SafeString(f"<tr>{''.join(cells)}</tr>"))
        return out

    def export(self) -> HttpResponse:
        """The filtered rows as a workbook: at once up to ``EXPORT_IMMEDIATE_ROWS`` rows, as a
        background job with a progress page above that (``core.jobs``)."""
        from . import jobs

        replay = jobs.is_replay(self.request)
        total = self.queryset.count() if replay else 0
        if not replay and self.queryset.count() > settings.EXPORT_IMMEDIATE_ROWS:
            return jobs.start(self.request, gettext("Spreadsheet: %(name)s") % {"name": self.export_name})
        cols = [c for c in self.columns if c.export]
        rows = ([export_value(c.value(o)) for c in cols] for o in self.queryset.iterator(chunk_size=2000))
        return xlsx_response(
            f"{self.export_name}.xlsx",
            [str(c.label) for c in cols],
            jobs.count_rows(self.request, total, rows),
            title=str(self.export_name),  # a named sheet, never "Sheet1"
        )

    def response(self) -> HttpResponse:
        if self.request.GET.get("export") == "xlsx":
            return self.export()
        if self.request.GET.get("_form") == "filter":
            # The filter panel, loaded when it is first opened (core/_filter_lazy.html): a page
            # nobody filters does not build and render a dozen fields.
            return render(self.request, "core/_filter.html", {"filter": self.filterset})
        if self.request.GET.get("_form") == "more":
            # The fields behind 更多 of core/_filter_split.html, loaded when that panel first opens.
            return render(self.request, "core/_filter_more.html", {"filter": self.filterset})
        paginator = ListPaginator(self.queryset, self.per_page)
        page = paginator.get_page(self.request.GET.get("page"))
        query = self.request.GET.copy()
        query.pop("page", None)
        common_html = self._common_html()
        ctx = {
            **self.context,
            "filter": SimpleLazyObject(lambda: self.filterset),
            "common_html": common_html,
            "headers": [c.label for c in self.columns],
            "rows": self.rows(page.object_list),
            "page_obj": page,
            "query": query.urlencode(),
            "more_filters_set": self._more_filters_set(),
        }
        htmx = getattr(self.request, "htmx", None)
        if htmx and not htmx.boosted:
            return render(self.request, "core/_table.html", ctx)
        return render(self.request, self.template, ctx)
