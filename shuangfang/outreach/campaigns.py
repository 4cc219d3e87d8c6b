"""Campaigns: 寒冬送温暖 about 1 Nov → 15 Mar, 夏季送清凉 about July → September (domain-reference
§5.7 [V]; the bureau edits the dates). Figures per station are counted from the patrols and
encounters recorded in the campaign's dates (no names)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shuangfang.core import audit
from shuangfang.core.tenancy import require
from shuangfang.orgs.models import BUREAU_KINDS, InstitutionType, institutions_under

from .campaign_models import Campaign
from .choices import Action, CampaignKind
from .models import Encounter, Patrol

audit.register_actions(
    {
        "outreach.campaign_saved": gettext_lazy("Saved a campaign"),
        "outreach.campaign_exported": gettext_lazy("Exported a campaign report"),
    }
)

# (month, day) of start and end; the end falls in the next year when it is before the start.
DEFAULT_DATES = {
    CampaignKind.WINTER: ((11, 1), (3, 15)),  # §5.7 [V]: Henan 2022 31 Oct → 15 Mar
    CampaignKind.SUMMER: ((7, 1), (9, 30)),  # §5.7 [V]: about July → September
}


def default_dates(kind: str, today: dt.date) -> tuple[dt.date, dt.date] | None:
    """The season containing ``today`` or the next one."""
    if kind not in DEFAULT_DATES:
        return None
    (sm, sd), (em, ed) = DEFAULT_DATES[kind]  # type: ignore[index]
    for year in (today.year - 1, today.year):
        start = dt.date(year, sm, sd)
        end = dt.date(year + (1 if (em, ed) < (sm, sd) else 0), em, ed)
        if today <= end:
            return start, end
    return None


TARGETS = ("patrols_per_week", "night_patrols_per_weather_night")


def _default(key: str) -> int:
    field = Campaign._meta.get_field(key)
    assert isinstance(field, models.Field)
    return int(field.get_default())


def save_campaign(*, actor, organization, data: dict[str, Any], campaign: Campaign | None = None) -> Campaign:
    require(actor, "outreach.campaign", organization)
    if organization.kind not in BUREAU_KINDS:
        raise ValidationError(_("A campaign is set by a bureau."))
    if data.get("kind") not in CampaignKind.values:
        raise ValidationError({"kind": _("Choose the kind of campaign.")})
    if not (data.get("name") or "").strip():
        raise ValidationError({"name": _("Write the name.")})
    starts, ends = data.get("starts_on"), data.get("ends_on")
    if not starts or not ends:
        raise ValidationError(_("Give the start and end dates."))
    if ends < starts:
        raise ValidationError({"ends_on": _("The campaign ends before it starts.")})
    targets = {}
    for key in TARGETS:
        value = data.get(key)
        if value in (None, ""):  # the campaign's value, or the model's default for a new one
            value = getattr(campaign, key) if campaign else _default(key)
        try:
            targets[key] = int(value)
        except (TypeError, ValueError):
            raise ValidationError({key: _("Write a whole number.")}) from None
        if targets[key] < 0:
            raise ValidationError({key: _("A target cannot be negative.")})
    fields = {
        "name": data["name"].strip()[:120],
        "kind": data["kind"],
        "starts_on": starts,
        "ends_on": ends,
        "key_areas": (data.get("key_areas") or "").strip(),
        **targets,
    }
    with transaction.atomic():
        if campaign is None:
            campaign = Campaign.objects.create(organization=organization, created_by=actor, **fields)
        else:
            for k, v in fields.items():
                setattr(campaign, k, v)
            campaign.save()
        audit.record(actor=actor, action="outreach.campaign_saved", obj=campaign, organization=organization)
    return campaign


@dataclass
class StationFigures:
    station: Any
    patrols: int = 0
    night_patrols: int = 0
    encounters: int = 0
    by_action: dict[str, int] = field(default_factory=dict)
    per_week: float = 0.0
    target_met: bool = False
    weather_due: int = 0  # night patrols in extreme weather whose window has begun
    weather_done: int = 0
    weather_missed: int = 0  # of those, windows over without a patrol (the inspections sweep's "missed")
    weather_patrols: int = 0  # patrols started inside the windows of those nights
    weather_short: int = 0  # nights over with fewer patrols than the campaign's target
    weather_target_met: bool = True  # no night over below the target (always so when the target is 0)
    supplies_given: int = 0  # encounters where supplies were handed out


def _window(campaign: Campaign) -> tuple[dt.datetime, dt.datetime]:
    start = timezone.make_aware(dt.datetime.combine(campaign.starts_on, dt.time()))
    end = timezone.make_aware(dt.datetime.combine(campaign.ends_on + dt.timedelta(days=1), dt.time()))
    return start, end


def figures(campaign: Campaign, today: dt.date | None = None) -> list[StationFigures]:
    """Per relief station under the bureau: patrols started in the campaign's dates (night: started
    from 20:00 to 06:00), encounters by action, patrols per week so far against the target."""
    today = today or timezone.localdate()
    start, end = _window(campaign)
    last = min(today, campaign.ends_on)
    weeks = max(((last - campaign.starts_on).days + 1) / 7, 1 / 7) if last >= campaign.starts_on else 0
    stations = [
        s
        for s in institutions_under(campaign.organization)
        if s.institution_type == InstitutionType.RELIEF_STATION
    ]
    rows = {s.pk: StationFigures(s, by_action={a.value: 0 for a in Action}) for s in stations}
    # Every station's patrols and encounters in one query each, whatever their number.
    for org_id, started in Patrol.objects.filter(
        organization_id__in=rows, started_at__gte=start, started_at__lt=end
    ).values_list("organization_id", "started_at"):
        hour = timezone.localtime(started).hour
        rows[org_id].patrols += 1
        rows[org_id].night_patrols += hour >= 20 or hour < 6
    for org_id, action, supplies in Encounter.objects.filter(
        organization_id__in=rows, at__gte=start, at__lt=end
    ).values_list("organization_id", "action", "supplies"):
        row = rows[org_id]
        row.by_action[action] += 1
        row.encounters += 1
        row.supplies_given += bool(supplies.strip())
    _weather_nights(rows, start, end, campaign.night_patrols_per_weather_night)
    for row in rows.values():
        row.per_week = round(row.patrols / weeks, 1) if weeks else 0.0
        row.target_met = bool(weeks) and row.per_week >= campaign.patrols_per_week
    return list(rows.values())


def _weather_nights(
    rows: dict[int, StationFigures], start: dt.datetime, end: dt.datetime, target: int
) -> None:
    """Extreme-weather nights (tasks of the stations' ``patrol_plans``) begun in the campaign's dates
    and before now, in one query for every station: nights due, done and missed (a night still under
    way is due, neither done nor missed yet), the patrols started inside each night's window, and the
    nights over with fewer patrols than ``target``."""
    from shuangfang.inspections.choices import TaskStatus
    from shuangfang.inspections.models import Task

    from .choices import PatrolPlanKind
    from .plan_models import PatrolPlan

    now = timezone.now()
    plans = PatrolPlan.objects.filter(organization_id__in=rows, kind=PatrolPlanKind.EXTREME_NIGHT).values(
        "plan_id"
    )
    in_window = (
        Patrol.objects.filter(
            organization_id=OuterRef("organization_id"),
            started_at__gte=OuterRef("window_start"),
            started_at__lt=OuterRef("window_end"),
        )
        .order_by()
        .values("organization_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    tasks = (
        Task.objects.filter(plan_id__in=plans, window_start__gte=start, window_start__lt=min(end, now))
        .annotate(patrols=Coalesce(Subquery(in_window), 0))
        .values_list("organization_id", "status", "window_end", "patrols")
    )
    for org_id, status, window_end, n in tasks:
        row = rows[org_id]  # a plan's task is its station's
        row.weather_due += 1
        row.weather_done += status == TaskStatus.DONE
        row.weather_missed += status == TaskStatus.MISSED
        row.weather_patrols += n
        if window_end <= now and n < target:
            row.weather_short += 1
            row.weather_target_met = False


@dataclass
class AreaFigures:
    area: str
    encounters: int = 0
    by_action: dict[str, int] = field(default_factory=dict)
    supplies_given: int = 0


def area_figures(campaign: Campaign) -> list[AreaFigures]:
    """Per key area: the encounters in the campaign's dates at the stations under the bureau whose
    place names the area (the place typed on the phone contains it; an encounter naming two areas
    counts in both), then those matching no key area."""
    start, end = _window(campaign)
    stations = [
        s.pk
        for s in institutions_under(campaign.organization)
        if s.institution_type == InstitutionType.RELIEF_STATION
    ]
    areas = campaign.areas()
    rows = {a: AreaFigures(a, by_action={x.value: 0 for x in Action}) for a in areas}
    other = AreaFigures(str(_("Elsewhere or no place")), by_action={x.value: 0 for x in Action})
    met = Encounter.objects.filter(organization_id__in=stations, at__gte=start, at__lt=end)
    for place, action, supplies in met.values_list("place", "action", "supplies"):
        hits = [rows[a] for a in areas if a.lower() in place.lower()] or [other]
        for row in hits:
            row.encounters += 1
            row.by_action[action] += 1
            row.supplies_given += bool(supplies.strip())
    return [*rows.values(), other]


def report_sheets(campaign: Campaign, stations: list[StationFigures], areas: list[AreaFigures]):
    """The campaign report's sheets (Excel) and tables (PDF): per institution, per key area."""
    actions = [str(label) for _v, label in Action.choices]
    station_headers = [
        _("Institution"),
        _("Patrols"),
        _("Night patrols"),
        _("Patrols a week"),
        _("Extreme-weather night patrols due"),
        _("Extreme-weather night patrols done"),
        _("Patrols on extreme-weather nights"),
        _("Nights below the night-patrol target"),
        _("Night-patrol target met"),
        _("People met"),
        *actions,
        _("Encounters with supplies handed out"),
    ]
    station_rows = [
        [
            r.station.name,
            r.patrols,
            r.night_patrols,
            r.per_week,
            r.weather_due,
            r.weather_done,
            r.weather_patrols,
            r.weather_short,
            _met(campaign, r),
            r.encounters,
            *r.by_action.values(),
            r.supplies_given,
        ]
        for r in stations
    ]
    area_headers = [_("Key area"), _("People met"), *actions, _("Encounters with supplies handed out")]
    area_rows = [[a.area, a.encounters, *a.by_action.values(), a.supplies_given] for a in areas]
    return [
        (_("Per institution"), station_headers, station_rows),
        (_("Per key area"), area_headers, area_rows),
    ]


def _met(campaign: Campaign, row: StationFigures) -> str:
    if not campaign.night_patrols_per_weather_night:
        return str(_("No target"))
    return str(_("Yes") if row.weather_target_met else _("No"))


def record_export(*, actor, campaign: Campaign, fmt: str) -> None:
    require(actor, "outreach.campaign", campaign.organization)
    audit.record(
        actor=actor,
        action="outreach.campaign_exported",
        obj=campaign,
        organization=campaign.organization,
        note=fmt,
    )
