"""The monthly statistics page (figures, no names) and its spreadsheet; for a station or a bureau."""

from __future__ import annotations

from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import FileResponse, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from shuangfang.core import jobs, periods
from shuangfang.core.exports import XLSX, clean_text, write_workbook
from shuangfang.core.types import AuthedRequest
from shuangfang.orgs.models import InstitutionType, Organization, institutions_under

from . import stats
from .models import Letter
from .views import relief_perm


def _scope(request: AuthedRequest) -> tuple[Organization, list[Organization], list[Organization]]:
    nodes = list(
        Organization.objects.for_user(request.user, "relief.stats")
        .bureaus_and_institutions()
        .order_by("depth", "path")
    )
    nodes = [n for n in nodes if not n.is_institution or n.institution_type == InstitutionType.RELIEF_STATION]
    if not nodes:
        from django.http import Http404

        raise Http404
    node = next((n for n in nodes if str(n.uuid) == request.GET.get("org")), nodes[0])
    stations = [i for i in institutions_under(node) if i.institution_type == InstitutionType.RELIEF_STATION]
    return node, nodes, stations


@relief_perm("relief.stats")
def statistics(request: AuthedRequest) -> HttpResponse | FileResponse:
    node, nodes, stations = _scope(request)
    try:
        period = periods.parse_or(
            request.GET.get("month"), periods.current(timezone.localdate()), kinds=(periods.PeriodKind.MONTH,)
        )
    except ValidationError as exc:
        return render(request, "core/error.html", {"message": exc.messages[0]}, status=400)
    if request.GET.get("export") == "xlsx":
        # A city's stations, each counted on its own: over STATS_IMMEDIATE_STATIONS a worker
        # replays this page as its owner behind a progress page (core.jobs).
        title = _("Relief statistics %(period)s") % {"period": period.label}
        if wait := jobs.offload(request, len(stations), title, settings.STATS_IMMEDIATE_STATIONS):
            return wait
    figures = stats.monthly(stations, period)
    lines = stats.rows(figures)
    per_station = [(s, stats.monthly([s], period)) for s in stations] if len(stations) > 1 else []
    by_area = (
        Letter.objects.filter(organization__in=stations)
        .values("home_area")
        .annotate(
            sent=Count("pk", filter=Q(sent_at__isnull=False)),
            answered=Count("pk", filter=Q(answered_on__isnull=False)),
        )
        .order_by("-sent", "home_area")[:50]
    )
    if request.GET.get("export") == "xlsx":
        return _xlsx(node, period, lines, per_station, by_area)
    ctx = {
        "node": node,
        "nodes": nodes,
        "period": period,
        "months": periods.recent(periods.PeriodKind.MONTH, timezone.localdate(), 12),
        "lines": lines,
        "per_station": per_station,
        "by_area": by_area,
    }
    return render(request, "relief/stats.html", ctx)


def _xlsx(node, period, lines, per_station, by_area) -> FileResponse:
    sheets = [(_("Figures"), [_("Group"), pgettext("relief", "Statistic"), _("Figure")], lines)]
    if per_station:
        sheets.append(
            (
                _("Stations"),
                [
                    _("Station"),
                    _("Assisted"),
                    _("Departures"),
                    _("Average days in station"),
                    _("Letters sent"),
                    _("Letters answered"),
                ],
                [
                    (
                        s.name,
                        f.assisted,
                        sum(f.departures.values()),
                        f.average_days,
                        f.letters_sent,
                        f.letters_answered,
                    )
                    for s, f in per_station
                ],
            )
        )
    sheets.append(
        (
            _("Letters by home area"),
            [_("Home area"), pgettext("relief", "Sent"), _("Answered")],
            [(r["home_area"], r["sent"], r["answered"]) for r in by_area],
        )
    )
    handle = write_workbook(sheets)
    response = FileResponse(handle, content_type=XLSX)
    name = f"{node.name}-{period.key}.xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(clean_text(name))}"
    return response
