"""Information ledgers: the station's page (counts for the dates, export links) and the exports."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from shuangfang.core.exports import XLSX, clean_text, write_workbook
from shuangfang.core.tenancy import can
from shuangfang.core.types import AuthedRequest
from shuangfang.relief.views import chosen_station, relief_perm

from . import ledgers
from .register_views import _bureau


def _dates(request: AuthedRequest) -> tuple[dt.date, dt.date, str]:
    today = timezone.localdate()
    start = parse_date(request.GET.get("from") or "") if request.GET.get("from") else today.replace(day=1)
    end = parse_date(request.GET.get("to") or "") if request.GET.get("to") else today
    if start is None or end is None:
        return today.replace(day=1), today, _("Give the dates as YYYY-MM-DD.")
    if end < start:
        return start, end, _("The end date is before the start date.")
    return start, end, ""


def _xlsx(name: str, title: str, headers, rows) -> FileResponse:
    response = FileResponse(write_workbook([(title, headers, rows)]), content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(clean_text(name))}.xlsx"
    return response


@relief_perm("outreach.view")
def ledger_list(request: AuthedRequest) -> HttpResponse:
    station, mine = chosen_station(request, "outreach.view")
    start, end, error = _dates(request)
    counts = {}
    if not error:
        for name, label in ledgers.STATION_LEDGERS.items():
            counts[name] = (label, len(ledgers.station_ledger(name, station, start, end)[1]))
    ctx = {
        "station": station,
        "stations": mine,
        "start": start,
        "end": end,
        "error": error,
        "counts": counts,
        "can_export": can(request.user, "relief.export", station),
    }
    return render(request, "outreach/ledgers.html", ctx, status=400 if error else 200)


@relief_perm("relief.export")
def ledger_export(request: AuthedRequest, name: str) -> HttpResponse | FileResponse:
    if name not in ledgers.STATION_LEDGERS:
        raise Http404
    station, _mine = chosen_station(request, "relief.export")
    start, end, error = _dates(request)
    if error:
        return HttpResponse(error, status=400, content_type="text/plain; charset=utf-8")
    headers, rows = ledgers.station_ledger(name, station, start, end)
    ledgers.record_export(
        actor=request.user,
        organization=station,
        perm="relief.export",
        name=name,
        rows=len(rows),
        note=f"{start}–{end}",
    )
    label = str(ledgers.STATION_LEDGERS[name])
    return _xlsx(f"{station.name}-{label}-{start:%Y%m%d}-{end:%Y%m%d}", label, headers, rows)


@relief_perm("outreach.register")
def register_export(request: AuthedRequest) -> FileResponse:
    bureau, _mine = _bureau(request)
    headers, rows = ledgers.register_ledger(request.user, bureau)
    rows = list(rows)
    ledgers.record_export(
        actor=request.user, organization=bureau, perm="outreach.register", name="register", rows=len(rows)
    )
    title = _("At-risk register ledger")
    return _xlsx(f"{bureau.name}-{title}-{timezone.localdate():%Y%m%d}", title, headers, rows)


@relief_perm("outreach.register")
def bureau_overview(request: AuthedRequest) -> HttpResponse:
    """The bureau's page of counts per district (databases, ledgers, letters) for the dates."""
    bureau, mine = _bureau(request)
    start, end, error = _dates(request)
    lines = [] if error else ledgers.bureau_overview(bureau, start, end)
    ctx = {
        "bureau": bureau,
        "bureaus": mine,
        "start": start,
        "end": end,
        "error": error,
        "lines": lines,
        "total": ledgers.overview_total(lines),
    }
    return render(request, "outreach/bureau_overview.html", ctx, status=400 if error else 200)
