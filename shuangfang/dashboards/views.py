"""Dashboards: pages only read (through :mod:`.queries`), nothing here changes state."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import pgettext

from shuangfang.assessment import dashboard as assessment
from shuangfang.core.tenancy import get_for_user, highest_node, require_perm, scope_roots
from shuangfang.core.types import AuthedRequest
from shuangfang.core.vocabulary import HazardGrade
from shuangfang.monitoring.alarms import alarm_label
from shuangfang.orgs.models import BUREAU_KINDS, Organization, OrgKind, institutions_under
from shuangfang.risks import maps
from shuangfang.risks.choices import RiskLevel, palette_for

from . import queries, sections, tables

PERM = "dashboard.view"


def get_institution(user, uuid) -> Organization:
    return get_for_user(Organization.objects.filter(kind=OrgKind.INSTITUTION), user, PERM, uuid=uuid)


def get_bureau(user, uuid) -> Organization:
    return get_for_user(Organization.objects.filter(kind__in=BUREAU_KINDS), user, PERM, uuid=uuid)


def _url(name: str, **params) -> str:
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return _path(name) + (f"?{query}" if query else "")


@functools.lru_cache(maxsize=64)
def _path(name: str) -> str:
    """A list's path (no arguments): reversed once, not once per figure and institution."""
    return reverse(name)


LinkSpec = tuple[str, str, dict[str, object]]


def _link_specs(today: dt.date) -> dict[str, LinkSpec]:
    """The filtered list behind each figure: ``key: (url name, the parameter naming the
    institution or bureau, the other parameters)``, with the query parameters the other apps'
    filters accept (their ``filters.py``): each list shows exactly as many rows as the figure says
    (``tests/test_dashboard_numbers.py``)."""
    since = (today - dt.timedelta(days=queries.INSPECTION_DAYS)).isoformat()
    day = today.isoformat()
    out: dict[str, LinkSpec] = {
        "points": ("risks:index", "institution", {}),
        "reviews_overdue": ("risks:reviews", "institution", {}),
        "open": ("hazards:list", "organization", {"status": "open"}),
        "overdue": ("hazards:list", "organization", {"overdue": "true"}),
        "closed": ("hazards:list", "organization", {"status": "closed"}),
        "open_major": ("hazards:list", "organization", {"status": "open", "grade": HazardGrade.MAJOR}),
        "supervised": ("hazards:list", "organization", {"status": "open", "supervised": "true"}),
        "due_soon": (
            "hazards:list",
            "organization",
            {
                "status": "open",
                "deadline_from": today.isoformat(),
                "deadline_to": (today + dt.timedelta(days=queries.UPCOMING_DAYS)).isoformat(),
            },
        ),
        "tasks_done": ("inspections:ledger", "institution", {"status": "done", "since": since, "until": day}),
        "tasks_missed": (
            "inspections:ledger",
            "institution",
            {"status": "missed", "since": since, "until": day},
        ),
        "tasks_due": ("inspections:ledger", "institution", {"since": since, "until": day}),
        "today_done": ("inspections:ledger", "institution", {"status": "done", "since": day, "until": day}),
        "today_total": (
            "inspections:ledger",
            "institution",
            {"with_open": "true", "since": day, "until": day},
        ),
        "alarms_active": ("monitoring:alarms", "organization", {"status": "active"}),
        "alarms_open": ("monitoring:alarms", "organization", {"status": "open"}),
        "alarms_acknowledged": ("monitoring:alarms", "organization", {"status": "acknowledged"}),
        "devices_offline": ("monitoring:devices", "organization", {"status": "offline"}),
    }
    for level in RiskLevel:
        out[f"l{level.value}"] = ("risks:index", "institution", {"level": level.value})
    return out


def links_of(
    orgs: Iterable[Organization | None], today: dt.date, keys: Iterable[str] | None = None
) -> dict[int | None, dict[str, str]]:
    """The links of several institutions (or bureaus) by id, as :func:`links` gives them one by
    one: each list's path and the parameters other than the organisation encoded once, not once
    per figure and institution. ``keys``: only these figures."""
    specs = _link_specs(today)
    parts = []
    for key in specs if keys is None else keys:
        name, scope, params = specs[key]
        rest = urlencode({k: v for k, v in params.items() if v not in (None, "")})
        parts.append((key, _path(name), f"?{scope}=", f"&{rest}" if rest else "", f"?{rest}" if rest else ""))
    out: dict[int | None, dict[str, str]] = {}
    for org in orgs:
        if org is None:
            out[None] = {key: path + alone for key, path, _, _, alone in parts}
        else:
            pk = str(org.pk)
            out[org.pk] = {key: path + head + pk + tail for key, path, head, tail, _ in parts}
    return out


def links(inst: Organization | None, today: dt.date) -> dict[str, str]:
    """The filtered list behind each figure (:func:`_link_specs`). ``inst``: an institution, or a
    bureau for all the institutions under it; None: the whole scope of the user."""
    return links_of([inst], today)[inst.pk if inst else None]


@require_perm(PERM)
def index(request: AuthedRequest) -> HttpResponse:
    """Send the user to the dashboard of the highest node they may read."""
    top = highest_node(request.user, PERM)
    name = "dashboards:institution" if top.kind == OrgKind.INSTITUTION else "dashboards:bureau"
    return redirect(name, uuid=top.uuid)


def _trend_labels() -> dict[str, str]:
    return {
        "reported": pgettext("dashboard", "Reported"),
        "closed": pgettext("dashboard", "Closed"),
        "open": pgettext("dashboard", "Still open"),
    }


def _donut(palette, row: dict, link: dict) -> list[dict]:
    return [
        {
            "name": str(level.label),
            "value": row[f"l{level.value}"],
            "colour": palette.colour(level.value),
            "text": palette.text_colour(level.value),
            "url": link[f"l{level.value}"],
        }
        for level in RiskLevel
    ]


@require_perm(PERM)
def institution(request: AuthedRequest, uuid) -> HttpResponse:
    inst = get_institution(request.user, uuid)
    today = timezone.localdate()
    row = queries.figures([inst.pk], today)[inst.pk]
    link = links(inst, today)
    palette = palette_for(inst)
    ctx = {
        "inst": inst,
        "f": row,
        "link": link,
        "today": today,
        "palette": palette,
        "chart": {
            "levels": _donut(palette, row, link),
            "trend": queries.hazard_trend([inst.pk], today),
            "labels": _trend_labels(),
        },
        "departments": _with_links(queries.inspections_by_department(inst.pk, today), inst, today),
        "deadlines": queries.upcoming_deadlines([inst.pk], today),
        "reviews": queries.overdue_reviews([inst.pk], today),
        "map": _main_map(inst),
        "days": queries.INSPECTION_DAYS,
        "upcoming_days": queries.UPCOMING_DAYS,
        "bureau_link": _bureau_above(request.user, inst),
        "no_department": pgettext("dashboard", "No department"),
        "assessment": assessment.institution_tile(request.user, inst),
        "sections": sections.for_institution(request.user, inst, today),
    }
    return render(request, "dashboards/institution.html", ctx)


def _with_links(departments: list[dict], inst: Organization, today: dt.date) -> list[dict]:
    """Each department's done / missed / due tasks as ledger links (tasks of its posts; "no
    department": tasks for a person or a role)."""
    since = (today - dt.timedelta(days=queries.INSPECTION_DAYS)).isoformat()
    for d in departments:
        scope = {"department": d["department_id"]} if d["department_id"] else {"no_department": "true"}
        base = {"institution": inst.pk, "since": since, "until": today.isoformat(), **scope}
        d["link"] = {
            "done": _url("inspections:ledger", status="done", **base),
            "missed": _url("inspections:ledger", status="missed", **base),
            "due": _url("inspections:ledger", **base),
        }
    return departments


def _main_map(inst: Organization) -> dict | None:
    """The four-colour map of the institution's main floor (the risks app decides which)."""
    floor = maps.main_floor(inst)
    return maps.floor_map_context(floor) if floor else None


def _bureau_above(user, inst: Organization) -> str:
    """The dashboard of the bureau right above ``inst``, if the user may read it."""
    roots = scope_roots(user, PERM)
    parent = inst.parent
    if parent is None or parent.kind not in BUREAU_KINDS:
        return ""
    if roots is None or any(parent.path.startswith(r) for r in roots):
        return reverse("dashboards:bureau", kwargs={"uuid": parent.uuid})
    return ""


SORTS = ("overdue", "tasks_missed", "open_major", "supervised", "open", "alarms_active", "devices_offline")


@require_perm(PERM)
def bureau(request: AuthedRequest, uuid) -> HttpResponse:
    org = get_bureau(request.user, uuid)
    today = timezone.localdate()
    insts = institutions_under(org)
    figs = queries.figures([i.pk for i in insts], today)
    sort = request.GET.get("sort", "")
    rows = queries.ranking(insts, figs, sort if sort in SORTS else "")
    row_links = links_of(insts, today, tables.RANK_LINKS)
    for r in rows:
        r["link"] = row_links[r["inst"].pk]
        r["dashboard"] = sections.uuid_path("dashboards:institution", r["inst"].uuid)
    totals = queries.total(figs.values())
    link = links(org, today)
    palette = palette_for(org)
    scores = assessment.ranking_column(request.user, org, insts)
    ctx = {
        "org": org,
        "rows": rows,
        "table": tables.rank_body(rows, scores),
        "f": totals,
        "link": link,
        "sort": sort if sort in SORTS else "",
        "sorts": SORTS,
        "today": today,
        "palette": palette,
        "chart": {
            "levels": _donut(palette, totals, link),
            "trend": queries.hazard_trend(figs.keys(), today),
            "labels": _trend_labels(),
        },
        "days": queries.INSPECTION_DAYS,
        "assessment": scores,
        "sections": sections.for_bureau(request.user, org, insts, today),
    }
    return render(request, "dashboards/bureau.html", ctx)


@require_perm(PERM)
def screen(request: AuthedRequest, uuid) -> HttpResponse:
    org = get_bureau(request.user, uuid)
    return render(
        request,
        "dashboards/screen.html",
        {
            "org": org,
            "data_url": reverse("api:dashboards_screen", kwargs={"uuid": org.uuid}),
            "payload": screen_payload(org, request.user),
            "palette": palette_for(org),
            "refresh": _refresh_seconds(request.GET.get("refresh")),
            "zone": settings.TIME_ZONE,
            "text": {
                "stale": pgettext("dashboard", "Connection lost: these figures are from %(time)s. Retrying…"),
                "expired": pgettext("dashboard", "Signed out: log in again to bring the figures up to date."),
                "page": pgettext("dashboard", "page %(n)s of %(of)s"),
                "none": pgettext("dashboard", "None"),
                "done": pgettext("dashboard", "Done"),
                "todo": pgettext("dashboard", "To do"),
                "overdue": pgettext("dashboard", "overdue"),
            },
        },
    )


SCREEN_REFRESH = 10  # seconds between two fetches of the big screen's figures


def _refresh_seconds(value: str | None) -> int:
    """``?refresh=N`` (seconds, 2 to 300) for a wall that wants it slower or faster."""
    try:
        return min(300, max(2, int(value or SCREEN_REFRESH)))
    except ValueError:
        return SCREEN_REFRESH


def screen_payload(org: Organization, user=None) -> dict:
    """What the big screen shows, as JSON (also the API's answer). A fixed number of queries. The
    assessment scores (from the worker's snapshots) only for a ``user`` who may read them."""
    today = timezone.localdate()
    insts = institutions_under(org)
    figs = queries.figures([i.pk for i in insts], today)
    rows = queries.ranking(insts, figs)
    scores = assessment.ranking_column(user, org, insts) if user is not None else None
    totals = queries.total(figs.values())
    palette = palette_for(org)
    ids = [i.pk for i in insts]
    row_links = links_of(insts, today, SCREEN_FIGURES)
    return {
        "bureau": org.name,
        "generated_at": timezone.localtime().isoformat(timespec="seconds"),
        "totals": {
            k: totals[k] for k in (*queries.FIELDS, "alarms_active", "completion_rate", "on_time_rate")
        },
        "links": links_of([org], today, SCREEN_FIGURES)[org.pk],
        "levels": [
            {"name": str(lv.label), "value": totals[f"l{lv.value}"], "colour": palette.colour(lv.value)}
            for lv in RiskLevel
        ],
        "institutions": [
            {
                "name": r["inst"].name,
                "open": r["open"],
                "overdue": r["overdue"],
                "open_major": r["open_major"],
                "tasks_missed": r["tasks_missed"],
                "today_total": r["today_total"],
                "today_done": r["today_done"],
                "alarms_active": r["alarms_active"],
                "devices_offline": r["devices_offline"],
                "links": row_links[r["inst"].pk],
                "dashboard": sections.uuid_path("dashboards:institution", r["inst"].uuid),
                **(
                    {
                        "score": _score(scores["scores"][r["inst"].pk].total),
                        "score_url": sections.uuid_path("assessment:institution", r["inst"].uuid),
                    }
                    if scores
                    else {}
                ),
            }
            for r in rows
        ],
        "scores_as_of": (
            timezone.localtime(scores["as_of"]).strftime("%H:%M") if scores and scores["as_of"] else None
        ),
        "alarms": [
            {
                "institution": a.organization.name,
                "device": a.device.name,
                "type": alarm_label(a.alarm_type),
                "severity": a.severity,
                "status": a.status,
                "opened_at": timezone.localtime(a.opened_at).strftime("%m-%d %H:%M"),
                "url": reverse("monitoring:alarm", kwargs={"uuid": a.uuid}),
            }
            for a in queries.live_alarms(ids)
        ],
        "major_hazards": [
            {
                "institution": h.organization.name,
                "number": h.number,
                "title": h.shown_title,
                "deadline": h.deadline.isoformat() if h.deadline else "",
                "overdue": bool(h.deadline and h.deadline < today),
                "url": h.get_absolute_url(),
            }
            for h in queries.open_major_hazards(ids)
        ],
    }


def _score(total) -> float | None:
    return float(total) if total is not None else None


SCREEN_FIGURES = (
    "open",
    "overdue",
    "open_major",
    "tasks_missed",
    "today_total",
    "today_done",
    "alarms_active",
    "devices_offline",
)
