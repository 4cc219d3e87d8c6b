from __future__ import annotations

from decimal import Decimal

from django import template
from django.template.defaultfilters import floatformat
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()

# Bands only for colour on the pages; they carry no meaning in the score itself.
GOOD, FAIR = 90, 75


@register.filter
def score_class(total) -> str:
    if total is None:
        return "none"
    if total >= GOOD:
        return "good"
    if total >= FAIR:
        return "fair"
    return "poor"


@register.filter
def score_total(total) -> SafeString:
    """A score as shown everywhere: one decimal, coloured by band, "—" for none (also called from
    Python for the hundreds of rows of the bureau dashboard)."""
    return format_html(
        '<span class="score-total {}">{}</span>',
        score_class(total),
        "—" if total is None else floatformat(total, 1),
    )


@register.filter
def points_sum(score) -> str:
    got = sum((Decimal(str(p.points)) for p in score.parts if p.points is not None), Decimal(0))
    return str(got)


@register.filter
def get_item(mapping, key):
    return mapping.get(key, key)
