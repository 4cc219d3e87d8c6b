"""Equipment's section on the dashboards (registered in apps.py): statutory inspections overdue and
due within 30 days, items past their service life, cameras short of retention. A fixed number of
queries (``stats.figures``)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _

from shuangfang.core.periods import Period
from shuangfang.dashboards.sections import Figure

from . import stats
from .models import Equipment


def figures(ids: list[int], today: dt.date) -> dict[int, list[Figure]]:
    rows = stats.figures(ids, today)
    cameras = reverse("equipment:cameras")
    listed = reverse("equipment:list")
    # Labels translated and paths reversed once, not once per institution (hundreds on a bureau).
    overdue, soon = _("Inspection overdue"), _("Inspection within 30 days")
    past_life, short = _("Past service life"), _("Cameras short of retention")
    out = {}
    for i, r in rows.items():
        state = f"{listed}?institution={i}&state="
        out[i] = [
            Figure(overdue, r["inspection_overdue"], f"{state}inspection_overdue", bad=True),
            Figure(soon, r["inspection_soon"], f"{state}inspection_soon"),
            Figure(past_life, r["past_life"], f"{state}past_life", bad=True),
            # The camera list has no institution filter: the link shows all cameras, not counted.
            Figure(short, r["cameras_short"], cameras, counted=False, bad=True),
        ]
    return out


def title() -> str:
    return _("Equipment and video")


def report_rows(ids: list[int], period: Period) -> list[tuple[str, str, int]]:
    """The safety report's equipment rows over ``ids``: statutory inspections overdue and due within
    30 days at the period's last day, items past their service life, and cameras whose latest
    retention check fell short (the latest check when the report is made). Nothing without
    equipment or cameras."""
    t = stats.total(stats.figures(ids, period.last_day).values())
    if not any(t.values()) and not Equipment.objects.filter(organization_id__in=ids, is_active=True).exists():
        return []
    group = _("Equipment and video")
    return [
        (group, _("Inspection overdue at period end"), t["inspection_overdue"]),
        (group, _("Inspection due within 30 days of period end"), t["inspection_soon"]),
        (group, _("Past service life"), t["past_life"]),
        (group, _("Cameras short of retention"), t["cameras_short"]),
        (group, _("Cameras"), t["cameras"]),
    ]
