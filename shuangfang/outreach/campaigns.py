"""Campaigns: 寒冬送温暖 about 1 Nov → 15 Mar, 夏季送清凉 about July → September (domain-reference
§5.7 [V]; the bureau edits the dates). Figures per station are counted from the patrols and
encounters recorded in the campaign's dates (no names)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shuangfang.core import audit
from shuangfang.core.tenancy import require
from shuangfang.orgs.models import BUREAU_KINDS, InstitutionType, institutions_under

from .campaign_models import Campaign
from .choices import Action, CampaignKind
from .models import Encounter, Patrol

audit.register_actions({"outreach.campaign_saved": gettext_lazy("Saved a campaign")})

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
    fields = {
        "name": data["name"].strip()[:120],
        "kind": data["kind"],
        "starts_on": starts,
        "ends_on": ends,
        "key_areas": (data.get("key_areas") or "").strip(),
        "patrols_per_week": int(data.get("patrols_per_week") or 0),
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
    rows = []
    for station in institutions_under(campaign.organization):
        if station.institution_type != InstitutionType.RELIEF_STATION:
            continue
        row = StationFigures(station)
        patrols = Patrol.objects.filter(organization=station, started_at__gte=start, started_at__lt=end)
        for p in patrols.only("started_at"):
            row.patrols += 1
            hour = timezone.localtime(p.started_at).hour
            row.night_patrols += hour >= 20 or hour < 6
        met = Encounter.objects.filter(organization=station, at__gte=start, at__lt=end)
        row.by_action = {a.value: 0 for a in Action}
        for action in met.values_list("action", flat=True):
            row.by_action[action] += 1
            row.encounters += 1
        row.weather_due, row.weather_done = _weather_tasks(station, start, min(end, timezone.now()))
        row.per_week = round(row.patrols / weeks, 1) if weeks else 0.0
        row.target_met = bool(weeks) and row.per_week >= campaign.patrols_per_week
        rows.append(row)
    return rows


def _weather_tasks(station, start: dt.datetime, until: dt.datetime) -> tuple[int, int]:
    """Extreme-weather night-patrol tasks (``patrol_plans``) begun in [start, until): due, done."""
    from shuangfang.inspections.choices import TaskStatus
    from shuangfang.inspections.models import Task

    from .choices import PatrolPlanKind
    from .plan_models import PatrolPlan

    plans = PatrolPlan.objects.filter(organization=station, kind=PatrolPlanKind.EXTREME_NIGHT).values(
        "plan_id"
    )
    tasks = Task.objects.filter(plan_id__in=plans, window_start__gte=start, window_start__lt=until)
    due = done = 0
    for status in tasks.values_list("status", flat=True):
        due += 1
        done += status == TaskStatus.DONE
    return due, done
