"""Relief API: figures only (no names), for the bureau's and the station's own tools."""

from __future__ import annotations

from uuid import UUID

from django.http import Http404
from ninja import Query, Router, Schema

from shuangfang.core import periods
from shuangfang.core.limits import SHORT
from shuangfang.core.tenancy import get_for_user
from shuangfang.orgs.models import InstitutionType, Organization, institutions_under

from . import stats

router = Router(tags=["relief"])


class Line(Schema):
    group: str
    item: str
    figure: float | None


class StatsOut(Schema):
    organization: str
    month: str
    stations: int
    lines: list[Line]


@router.get("/organizations/{uuid}/statistics", response=StatsOut, summary="Monthly relief figures")
def statistics(request, uuid: UUID, month: str = Query("", max_length=SHORT)):
    """Figures of the Henan monthly form over the relief stations at or below the organisation;
    ``month`` is ``2026-03`` (default: the running month). A malformed month is a 400 with the
    reason."""
    org = get_for_user(
        Organization.objects.bureaus_and_institutions(), request.auth, "relief.stats", uuid=uuid
    )
    period = periods.parse_or(month, periods.current(), kinds=(periods.PeriodKind.MONTH,))
    stations = [i for i in institutions_under(org) if i.institution_type == InstitutionType.RELIEF_STATION]
    if not stations:
        raise Http404
    lines = stats.rows(stats.monthly(stations, period))
    return StatsOut(
        organization=org.name,
        month=period.key,
        stations=len(stations),
        lines=[Line(group=g, item=i, figure=f) for g, i, f in lines],
    )
