"""Equipment figures per institution (for the ledger's header, the dashboards' figure section and
the safety report's rows: ``figure_section.py``). Grouped aggregates, a fixed number of queries
however many institutions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Count, OuterRef, Q, Subquery
from django.utils import timezone

from shuangfang.core.pgarrays import among

from .choices import RetentionResult
from .models import Camera, Equipment, RetentionCheck

SOON_DAYS = 30
FIELDS = ("inspection_overdue", "inspection_soon", "past_life", "cameras_short", "cameras")


def figures(institution_ids: Iterable[int], today: dt.date | None = None) -> dict[int, dict[str, int]]:
    today = today or timezone.localdate()
    ids = list(institution_ids)
    out = {i: dict.fromkeys(FIELDS, 0) for i in ids}
    items = (
        Equipment.objects.filter(among("organization_id", ids), is_active=True)
        .values("organization_id")
        .annotate(
            n_overdue=Count("id", filter=Q(next_inspection_on__lt=today)),
            n_soon=Count(
                "id",
                filter=Q(
                    next_inspection_on__gte=today,
                    next_inspection_on__lte=today + dt.timedelta(days=SOON_DAYS),
                ),
            ),
            n_past_life=Count("id", filter=Q(expires_on__lte=today)),
        )
        .order_by()
    )
    for row in items:
        fig = out[row["organization_id"]]
        fig["inspection_overdue"], fig["inspection_soon"] = row["n_overdue"], row["n_soon"]
        fig["past_life"] = row["n_past_life"]
    latest = RetentionCheck.objects.filter(camera=OuterRef("pk")).order_by("-day").values("result")[:1]
    cams = (
        Camera.objects.filter(among("organization_id", ids), is_active=True)
        .annotate(latest=Subquery(latest))
        .values("organization_id")
        .annotate(
            n_cameras=Count("id"),
            n_short=Count("id", filter=Q(latest__isnull=False) & ~Q(latest=RetentionResult.OK)),
        )
        .order_by()
    )
    for cam_row in cams:
        fig = out[cam_row["organization_id"]]
        fig["cameras"], fig["cameras_short"] = cam_row["n_cameras"], cam_row["n_short"]
    return out


def total(rows: Iterable[dict[str, int]]) -> dict[str, int]:
    out = dict.fromkeys(FIELDS, 0)
    for row in rows:
        for key in FIELDS:
            out[key] += row.get(key, 0)
    return out
