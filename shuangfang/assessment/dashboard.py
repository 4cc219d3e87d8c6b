"""What the dashboards show of the assessment scores: a tile on the institution dashboard (computed
live, four queries), a column in the bureau's ranking (the stored snapshots, ``snapshots.py``: two
queries). Current month to date."""

from __future__ import annotations

from django.urls import reverse

from shuangfang.core import periods
from shuangfang.core.tenancy import can
from shuangfang.orgs.models import Organization

from . import scores, snapshots

VIEW = "assessment.view"


def institution_tile(user, inst: Organization) -> dict | None:
    """The institution's score this month, or None if the user may not see it."""
    if not can(user, VIEW, inst):
        return None
    p = periods.current()
    return {
        "score": scores.institution_scores([inst], p.start, p.end)[inst.pk],
        "period": p,
        "url": reverse("assessment:institution", kwargs={"uuid": inst.uuid}),
    }


def ranking_column(user, bureau: Organization, institutions: list[Organization]) -> dict | None:
    """Each institution's score this month (by id, from the snapshots the worker keeps), and the
    time of the oldest shown (``as_of``); None if the user may not see them."""
    if not can(user, VIEW, bureau):
        return None
    p = periods.current()
    shown, as_of = snapshots.shown(institutions)
    return {
        "scores": shown,
        "as_of": as_of,
        "max_age": int(snapshots.MAX_AGE.total_seconds() // 60),
        "period": p,
        "url": reverse("assessment:bureau", kwargs={"uuid": bureau.uuid}),
    }
