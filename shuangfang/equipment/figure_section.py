"""Equipment's section on the dashboards (registered in apps.py): statutory inspections overdue and
due within 30 days, items past their service life, cameras short of retention. A fixed number of
queries (``stats.figures``)."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _

from shuangfang.dashboards.sections import Figure

from . import stats


def _list(institution: int, state: str) -> str:
    return reverse("equipment:list") + "?" + urlencode({"institution": institution, "state": state})


def figures(ids: list[int], today: dt.date) -> dict[int, list[Figure]]:
    rows = stats.figures(ids, today)
    cameras = reverse("equipment:cameras")
    return {
        i: [
            Figure(
                _("Inspection overdue"), r["inspection_overdue"], _list(i, "inspection_overdue"), bad=True
            ),
            Figure(_("Inspection within 30 days"), r["inspection_soon"], _list(i, "inspection_soon")),
            Figure(_("Past service life"), r["past_life"], _list(i, "past_life"), bad=True),
            # The camera list has no institution filter: the link shows all cameras, not counted.
            Figure(_("Cameras short of retention"), r["cameras_short"], cameras, counted=False, bad=True),
        ]
        for i, r in rows.items()
    }


def title() -> str:
    return _("Equipment and video")
