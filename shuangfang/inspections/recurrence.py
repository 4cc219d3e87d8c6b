"""The recurrence engine: a plan's rule (JSON data) → the time windows of its tasks.

Pure functions over local dates in Asia/Shanghai (no daylight saving; wall time is converted to aware
datetimes with ``zoneinfo``). Working-day rules use a :class:`Calendar` built from ``CalendarDay``
rows (public holidays and make-up working days are data, entered per year).

Rule keys (all optional except what the frequency needs):

* ``time``: "HH:MM" start of the window (daily, weekly, monthly, quarterly, seasonal, holidays)
* ``window_minutes``: length of each window (default: 120, or the interval for ``hours``)
* ``interval_hours`` + ``start`` + ``end``: every N hours from ``start`` until ``end`` (an ``end``
  at or before ``start`` runs past midnight: a night patrol 20:00–06:00)
* ``shifts``: ["08:00", "20:00"]: one window per shift start (window = shift length)
* ``weekdays``: [0..6], Monday = 0 (weekly)
* ``interval_days`` + ``anchor``: every N days counted from the date ``anchor`` ("YYYY-MM-DD"; daily;
  e.g. lift maintenance every 15 days, used by the equipment app)
* ``month_day``: 1..31, clamped to the month's last day (monthly, quarterly, seasonal)
* ``months``: which months (quarterly default 1/4/7/10; seasonal default 3/6/9/12)
* ``holidays``: holiday names ("春节", "国庆节"); ``days_before``: how many days ahead (default 2)
* ``day_rule``: "all" / "workdays" / "restdays" (the day the window starts on)
"""

from __future__ import annotations

import calendar as pycal
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .choices import DayRule, Frequency

TZ = ZoneInfo("Asia/Shanghai")
QUARTER_MONTHS = [1, 4, 7, 10]
SEASON_MONTHS = [3, 6, 9, 12]


@dataclass
class Calendar:
    holidays: set[dt.date] = field(default_factory=set)
    workdays: set[dt.date] = field(default_factory=set)  # make-up working days (调休上班)
    holiday_starts: dict[str, list[dt.date]] = field(default_factory=dict)

    @classmethod
    def from_rows(cls, rows: Iterable[tuple[dt.date, str, str]]) -> Calendar:
        cal = cls()
        by_name: dict[str, list[dt.date]] = defaultdict(list)
        for day, kind, name in rows:
            if kind == "holiday":
                cal.holidays.add(day)
                by_name[name].append(day)
            else:
                cal.workdays.add(day)
        for name, days in by_name.items():
            days.sort()
            starts = [d for i, d in enumerate(days) if i == 0 or (d - days[i - 1]).days > 1]
            cal.holiday_starts[name] = starts
        return cal

    @classmethod
    def load(cls, start: dt.date | None = None, end: dt.date | None = None) -> Calendar:
        from .models import CalendarDay

        qs = CalendarDay.objects.all()
        if start:
            qs = qs.filter(date__gte=start - dt.timedelta(days=40))
        if end:
            qs = qs.filter(date__lte=end + dt.timedelta(days=40))
        return cls.from_rows(qs.values_list("date", "kind", "name"))

    def is_workday(self, day: dt.date) -> bool:
        if day in self.workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays


def _time(value: str | None, default: str = "08:00") -> dt.time:
    text = value or default
    try:
        hh, mm = text.split(":")
        return dt.time(int(hh), int(mm))
    except (ValueError, AttributeError):
        raise ValidationError(_("%(value)s is not a time (HH:MM).") % {"value": text}) from None


def _at(day: dt.date, t: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, t, tzinfo=TZ)


def _days(start: dt.date, end: dt.date):
    day = start
    while day <= end:
        yield day
        day += dt.timedelta(days=1)


def _month_day(year: int, month: int, wanted: int) -> dt.date:
    last = pycal.monthrange(year, month)[1]
    return dt.date(year, month, min(max(wanted, 1), last))


def validate(frequency: str, rule: dict) -> dict:
    """Check a rule and return it normalised; raises ``ValidationError`` with a clear message."""
    rule = dict(rule)
    if frequency not in Frequency.values:
        raise ValidationError(_("Choose how often."))
    for key in ("time", "start", "end"):
        if rule.get(key):
            _time(rule[key])
    for t in rule.get("shifts") or []:
        _time(t)
    if frequency == Frequency.HOURS:
        n = int(rule.get("interval_hours") or 0)
        if not 1 <= n <= 24:
            raise ValidationError(_("Every N hours needs N between 1 and 24."))
    if frequency == Frequency.SHIFT and not rule.get("shifts"):
        raise ValidationError(_("List the shift start times, e.g. 08:00, 20:00."))
    if frequency == Frequency.WEEKLY:
        days = [int(d) for d in rule.get("weekdays") or []]
        if not days or any(not 0 <= d <= 6 for d in days):
            raise ValidationError(_("Choose at least one weekday."))
        rule["weekdays"] = sorted(set(days))
    if rule.get("interval_days") not in (None, "", 1):
        _interval(rule)
    if frequency == Frequency.HOLIDAYS and not rule.get("holidays"):
        raise ValidationError(_("Choose at least one holiday."))
    minutes = int(rule.get("window_minutes") or 0)
    if minutes < 0 or minutes > 60 * 24 * 92:
        raise ValidationError(_("The time window must be between 1 minute and 92 days."))
    if rule.get("day_rule", DayRule.ALL) not in DayRule.values:
        raise ValidationError(_("Choose which days."))
    return rule


def _interval(rule: dict) -> tuple[int, dt.date]:
    """Every N days from an anchor date (``interval_days``, ``anchor``)."""
    try:
        raw = rule.get("interval_days")
        n = 1 if raw in (None, "") else int(raw)
        anchor = dt.date.fromisoformat(str(rule.get("anchor") or "2000-01-01"))
    except (TypeError, ValueError):
        raise ValidationError(_("Every N days needs N between 1 and 366 and a start date.")) from None
    if not 1 <= n <= 366:
        raise ValidationError(_("Every N days needs N between 1 and 366 and a start date."))
    return n, anchor


def _window(rule: dict, default_minutes: int) -> dt.timedelta:
    return dt.timedelta(minutes=int(rule.get("window_minutes") or default_minutes))


def occurrences(
    frequency: str, rule: dict, start: dt.date, end: dt.date, cal: Calendar | None = None
) -> list[tuple[dt.datetime, dt.datetime]]:
    """Windows (aware, Asia/Shanghai) whose start falls on a local day in ``[start, end]``."""
    cal = cal or Calendar()
    out: list[tuple[dt.datetime, dt.datetime]] = []
    day_rule = rule.get("day_rule", DayRule.ALL)

    def day_ok(day: dt.date) -> bool:
        if day_rule == DayRule.WORKDAYS:
            return cal.is_workday(day)
        if day_rule == DayRule.RESTDAYS:
            return not cal.is_workday(day)
        return True

    t = _time(rule.get("time"))
    if frequency == Frequency.HOURS:
        step = dt.timedelta(hours=int(rule.get("interval_hours") or 1))
        win = _window(rule, int(step.total_seconds() // 60))
        t0, t1 = _time(rule.get("start"), "00:00"), _time(rule.get("end"), rule.get("start") or "00:00")
        for day in _days(start, end):
            if not day_ok(day):
                continue
            first = _at(day, t0)
            last = _at(day, t1)
            if last <= first:
                last += dt.timedelta(days=1)
            at = first
            while at < last:
                # Wall-clock arithmetic is exact here: Asia/Shanghai has no DST.
                out.append((at, min(at + win, last) if rule.get("end") else at + win))
                at += step
    elif frequency == Frequency.SHIFT:
        shifts = sorted(_time(s) for s in rule["shifts"])
        for day in _days(start, end):
            if not day_ok(day):
                continue
            for i, s in enumerate(shifts):
                begin = _at(day, s)
                nxt = (
                    _at(day, shifts[i + 1])
                    if i + 1 < len(shifts)
                    else _at(day + dt.timedelta(days=1), shifts[0])
                )
                out.append((begin, begin + _window(rule, int((nxt - begin).total_seconds() // 60))))
    elif frequency in (Frequency.DAILY, Frequency.WEEKLY):
        weekdays = set(rule.get("weekdays") or range(7)) if frequency == Frequency.WEEKLY else set(range(7))
        every, anchor = _interval(rule) if frequency == Frequency.DAILY else (1, start)
        for day in _days(start, end):
            if every > 1 and (day - anchor).days % every:
                continue
            if day.weekday() in weekdays and day_ok(day):
                begin = _at(day, t)
                out.append((begin, begin + _window(rule, 120)))
    elif frequency in (Frequency.MONTHLY, Frequency.QUARTERLY, Frequency.SEASONAL):
        default = {
            Frequency.MONTHLY: list(range(1, 13)),
            Frequency.QUARTERLY: QUARTER_MONTHS,
            Frequency.SEASONAL: SEASON_MONTHS,
        }[Frequency(frequency)]
        months = set(rule.get("months") or default)
        wanted = int(rule.get("month_day") or 1)
        y, m = start.year, start.month
        while (y, m) <= (end.year, end.month):
            if m in months:
                mday = _month_day(y, m, wanted)
                if start <= mday <= end and day_ok(mday):
                    begin = _at(mday, t)
                    out.append((begin, begin + _window(rule, 60 * 24 * 7)))
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    elif frequency == Frequency.HOLIDAYS:
        before = int(rule.get("days_before") or 2)
        for name in rule.get("holidays") or []:
            for hstart in cal.holiday_starts.get(name, []):
                hday = hstart - dt.timedelta(days=max(before, 1))
                if start <= hday <= end:
                    begin = _at(hday, t)
                    out.append((begin, _at(hstart, dt.time(0, 0))))
    out.sort()
    return out
