"""Date and time widgets for the browser's native pickers.

``<input type="date">``, ``"datetime-local"`` and ``"time"`` accept only ISO values
(``2027-12-05``, ``2027-12-05T08:30``, ``08:30``) whatever the page's language. Django's
``DateInput`` renders the locale's format (``2027/12/05`` in Chinese), which the browser cannot
show, so an edit form saved unchanged would wipe the date. Every date or time field uses these
(``tests/test_structure.py`` refuses Django's own widgets elsewhere).
"""

from __future__ import annotations

from django import forms
from django_filters.widgets import SuffixedMultiWidget

DATE_FORMAT = "%Y-%m-%d"
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
TIME_FORMAT = "%H:%M"


def _attrs(kind: str, attrs: dict | None) -> dict:
    return {**(attrs or {}), "type": kind}


class IsoDateInput(forms.DateInput):
    def __init__(self, attrs: dict | None = None):
        super().__init__(attrs=_attrs("date", attrs), format=DATE_FORMAT)


class IsoDateTimeInput(forms.DateTimeInput):
    def __init__(self, attrs: dict | None = None):
        super().__init__(attrs=_attrs("datetime-local", attrs), format=DATETIME_FORMAT)


class IsoTimeInput(forms.TimeInput):
    def __init__(self, attrs: dict | None = None):
        super().__init__(attrs=_attrs("time", attrs), format=TIME_FORMAT)


class IsoDateRangeWidget(SuffixedMultiWidget):
    """A from–to pair of date pickers for a ``DateFromToRangeFilter``."""

    template_name = "django_filters/widgets/multiwidget.html"
    suffixes = ["after", "before"]

    def __init__(self, attrs: dict | None = None):
        super().__init__((IsoDateInput(attrs), IsoDateInput(attrs)), None)

    def decompress(self, value):
        if value:
            return [value.start, value.stop]
        return [None, None]
