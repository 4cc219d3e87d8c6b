"""The four-colour map, read-only: which floor to show and where each risk point sits on it."""

from __future__ import annotations

from django.db.models import Count, Q

from .choices import RiskLevel, palette_for
from .models import Floor, RiskPoint


def floor_map_context(floor: Floor, basis: str = "inherent") -> dict:
    """The placed active risk points of ``floor`` with their colour in the palette in force, by
    inherent or residual level. One query (two when the palette is not cached)."""
    basis = "residual" if basis == "residual" else "inherent"
    palette = palette_for(floor.organization)
    points = list(
        RiskPoint.objects.filter(floor=floor, map_x__isnull=False, is_active=True).order_by("number")
    )
    for p in points:
        level = p.residual_level if basis == "residual" else p.inherent_level
        p.map_level = level
        p.map_label = RiskLevel(level).label if level else ""
        p.map_colour = palette.colour(level)
        p.map_text = palette.text_colour(level)
        p.left = round((p.map_x or 0) * 100, 2)
        p.top = round((p.map_y or 0) * 100, 2)
    return {"floor": floor, "points": points, "basis": basis, "palette": palette}


def main_floor(institution) -> Floor | None:
    """The floor an institution's dashboard shows: the one with a plan and the most risk points
    placed on it (then by building and name). One query."""
    placed = Q(points__is_active=True, points__map_x__isnull=False)
    return (
        Floor.objects.filter(organization__institution=institution)
        .exclude(plan="")
        .select_related("organization")
        .annotate(n=Count("points", filter=placed))
        .order_by("-n", "building", "name")
        .first()
    )
