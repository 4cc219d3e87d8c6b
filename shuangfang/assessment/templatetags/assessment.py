from __future__ import annotations

from decimal import Decimal

from django import template

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
def points_sum(score) -> str:
    got = sum((Decimal(str(p.points)) for p in score.parts if p.points is not None), Decimal(0))
    return str(got)


@register.filter
def get_item(mapping, key):
    return mapping.get(key, key)
