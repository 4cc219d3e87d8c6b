"""Filter pieces shared by the lists of several apps."""

from __future__ import annotations

import django_filters

from .widgets import IsoDateInput


def date_filter(label, field_name: str, lookup_expr: str) -> django_filters.DateFilter:
    """A date bound with the browser's date picker (``lookup_expr`` gte/lte, or date__gte/date__lte
    on a datetime field)."""
    return django_filters.DateFilter(
        label=label,
        field_name=field_name,
        lookup_expr=lookup_expr,
        widget=IsoDateInput(),
    )
