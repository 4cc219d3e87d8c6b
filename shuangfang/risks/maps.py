"""The four-colour map, read-only: which floor to show and where each risk point sits on it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Count, Q

from .choices import RiskLevel, palette_for
from .models import Floor, RiskPoint


@dataclass(frozen=True)
class PointFlag:
    """Something another app says about a placed risk point (an extinguisher past its service life):
    shown on the pin and in the list under the map, linked to the thing itself."""

    text: str
    url: str


# ``fn(points) -> {point id: [PointFlag, …]}`` in a fixed number of queries; registered by other apps
# from their ``AppConfig.ready`` (risks imports none of them).
_FLAG_SOURCES: list[Callable[[list[RiskPoint]], dict[int, list[PointFlag]]]] = []


def register_point_flags(source: Callable[[list[RiskPoint]], dict[int, list[PointFlag]]]) -> None:
    if source not in _FLAG_SOURCES:
        _FLAG_SOURCES.append(source)


def _flags(points: list[RiskPoint]) -> None:
    found: dict[int, list[PointFlag]] = {}
    for source in _FLAG_SOURCES if points else []:
        for pk, flags in source(points).items():
            found.setdefault(pk, []).extend(flags)
    for p in points:
        p.__dict__["flags"] = found.get(p.pk, [])  # read by the map templates


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
    _flags(points)
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
