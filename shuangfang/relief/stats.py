"""Monthly statistics in the Henan form's categories (domain-reference §5.8, [V]): counts without
names, for a station or every station below a bureau.

Definitions (ours, documented in docs/relief.md):
* **assisted**: cases admitted (in station) during the period, by sex, age band at admission
  (≤ 6, 7–18, 19–59, ≥ 60, unknown), health at entry, region, assistance type, special group;
  "minor male" is a male under 18.
* **departures**: cases that left during the period, by mode (escorted/collected also across
  provinces); **average days in station** over those departures, the day of admission counting
  as day 1.
* **stranded** (滞站): still in the station at the period's end, past their assistance period.
* refused and sent to hospital first: registrations of the period that ended so."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from shuangfang.core.periods import Period

from .choices import AssistanceType, CaseStatus, DepartureMode, Health, Region, Sex, SpecialGroup
from .identity import age_on
from .models import Case, Letter

SHANGHAI = ZoneInfo("Asia/Shanghai")
AGE_BANDS = (("0-6", 0, 6), ("7-18", 7, 18), ("19-59", 19, 59), ("60+", 60, 999))


def _bounds(period: Period) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(period.start, dt.time(), SHANGHAI)
    end = dt.datetime.combine(period.end, dt.time(), SHANGHAI)
    return start, end


def age_at_entry(case: Case) -> int | None:
    at = case.admitted_at or case.registered_at
    day = at.astimezone(SHANGHAI).date()
    return age_on(case.person.birth_date, day) if case.person.birth_date else case.person.age_estimate


def age_band(case: Case) -> str:
    age = age_at_entry(case)
    if age is None:
        return "unknown"
    return next(b for b, lo, hi in AGE_BANDS if lo <= age <= hi)


@dataclass
class Figures:
    assisted: int = 0
    sex: Counter = field(default_factory=Counter)
    age: Counter = field(default_factory=Counter)
    minor_male: int = 0
    health: Counter = field(default_factory=Counter)
    region: Counter = field(default_factory=Counter)
    assistance: Counter = field(default_factory=Counter)
    special: Counter = field(default_factory=Counter)
    departures: Counter = field(default_factory=Counter)
    cross_province: Counter = field(default_factory=Counter)
    days_total: int = 0
    departed_after_stay: int = 0
    stranded: int = 0
    refused: int = 0
    hospital_first: int = 0
    letters_sent: int = 0
    letters_answered: int = 0

    @property
    def average_days(self) -> float | None:
        if not self.departed_after_stay:
            return None
        return round(self.days_total / self.departed_after_stay, 1)


def monthly(orgs, period: Period) -> Figures:
    """The figures of ``period`` over the stations ``orgs`` (a queryset or list of organisations)."""
    start, end = _bounds(period)
    f = Figures()
    base = Case.objects.filter(organization__in=orgs).select_related("person")
    for case in base.filter(admitted_at__gte=start, admitted_at__lt=end):
        _count_admission(f, case)
    for case in base.filter(departed_at__gte=start, departed_at__lt=end):
        f.departures[case.departure_mode] += 1
        if case.cross_province:
            f.cross_province[case.departure_mode] += 1
        if case.admitted_at:
            days = (
                case.departed_at.astimezone(SHANGHAI).date() - case.admitted_at.astimezone(SHANGHAI).date()
            ).days
            f.days_total += days + 1
            f.departed_after_stay += 1
    f.stranded = _stranded(base, end, period.last_day)
    registered = base.filter(registered_at__gte=start, registered_at__lt=end)
    f.refused = registered.filter(status=CaseStatus.REFUSED).count()
    f.hospital_first = registered.exclude(hospital="").count()
    letters = Letter.objects.filter(organization__in=orgs)
    f.letters_sent = letters.filter(sent_at__gte=start, sent_at__lt=end).count()
    f.letters_answered = letters.filter(answered_on__gte=period.start, answered_on__lt=period.end).count()
    return f


def _count_admission(f: Figures, case: Case) -> None:
    person = case.person
    f.assisted += 1
    f.sex[person.sex] += 1
    band = age_band(case)
    f.age[band] += 1
    if person.sex == Sex.MALE and band in ("0-6", "7-18"):
        age = age_at_entry(case)
        f.minor_male += int(age is not None and age < 18)
    f.health[case.health or Health.HEALTHY] += 1
    f.region[person.region] += 1
    for a in case.assistance_types:
        f.assistance[a] += 1
    for g in case.special_groups:
        f.special[g] += 1


def _stranded(base, end: dt.datetime, last_day: dt.date) -> int:
    """In station at the period's end (admitted before it, not departed by then), period over."""
    count = 0
    open_then = base.filter(admitted_at__lt=end).exclude(departed_at__lt=end)
    for case in open_then:
        ends = case.admitted_at.astimezone(SHANGHAI).date() + dt.timedelta(days=case.period_days)
        count += int(ends <= last_day)
    return count


def rows(f: Figures) -> list[tuple[str, str, int | float | None]]:
    """(group, item, figure) lines: the page's table and the spreadsheet."""
    out: list[tuple[str, str, int | float | None]] = [(_("Assisted"), _("Total"), f.assisted)]
    out += [(_("Sex"), str(label), f.sex[v]) for v, label in Sex.choices]
    out += [(_("Age"), b, f.age[b]) for b, _lo, _hi in AGE_BANDS] + [
        (_("Age"), _("Unknown"), f.age["unknown"])
    ]
    out.append((_("Age"), _("Minor male"), f.minor_male))
    out += [(_("Health"), str(label), f.health[v]) for v, label in Health.choices]
    out += [(_("Region"), str(label), f.region[v]) for v, label in Region.choices]
    out += [(_("Assistance type"), str(label), f.assistance[v]) for v, label in AssistanceType.choices]
    out += [(_("Special groups"), str(label), f.special[v]) for v, label in SpecialGroup.choices]
    for v, label in DepartureMode.choices:
        out.append((_("Departure mode"), str(label), f.departures[v]))
        if v in (DepartureMode.ESCORTED, DepartureMode.COLLECTED):
            out.append(
                (_("Departure mode"), _("%(mode)s: across provinces") % {"mode": label}, f.cross_province[v])
            )
    out.append((_("Departure mode"), _("Stranded (in station past the period)"), f.stranded))
    out.append((_("Stay"), _("Average days in station"), f.average_days))
    out.append((_("Reception"), pgettext("relief", "Refused"), f.refused))
    out.append((_("Reception"), _("Sent to hospital first"), f.hospital_first))
    out.append((_("Reminder letters"), pgettext("relief", "Sent"), f.letters_sent))
    out.append((_("Reminder letters"), _("Answered"), f.letters_answered))
    return out
