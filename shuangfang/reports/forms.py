from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import pgettext_lazy

from shuangfang.core.periods import Period

from .choices import Kind
from .periods import parse, recent

MONTHS_OFFERED = 24
QUARTERS_OFFERED = 8


class GenerateForm(forms.Form):
    """One field: the period, ``2026-10`` (a month) or ``2026-Q3`` (a quarter), offered as a list of
    the periods that have ended; anything else typed or posted is refused with a clear message."""

    period = forms.CharField(label=pgettext_lazy("report", "Period"), max_length=10)

    def __init__(self, *args, today: dt.date, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["period"].widget = forms.Select(
            choices=[
                (
                    str(Kind.MONTHLY.label),
                    [(p.key, p.label) for p in recent(Kind.MONTHLY, today, MONTHS_OFFERED)],
                ),
                (
                    str(Kind.QUARTERLY.label),
                    [(p.key, p.label) for p in recent(Kind.QUARTERLY, today, QUARTERS_OFFERED)],
                ),
            ]
        )

    def clean_period(self) -> Period:
        return parse(self.cleaned_data["period"], self.today)
