"""A plan's recurrence rule in words (the plan page shows this, never the stored dict)."""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .choices import DayRule, Frequency


def _zh() -> bool:
    return (translation.get_language() or "").startswith("zh")


def _sep() -> str:
    return "，" if _zh() else ", "


def _list(values) -> str:
    return ("、" if _zh() else ", ").join(str(v) for v in values)


def _weekday(n: int) -> str:
    names = [_("Monday"), _("Tuesday"), _("Wednesday"), _("Thursday"), _("Friday")]
    names += [_("Saturday"), _("Sunday")]
    return names[int(n) % 7]


def _duration(minutes: int) -> str:
    if minutes % (60 * 24) == 0:
        days = minutes // (60 * 24)
        return ngettext("%(n)d day", "%(n)d days", days) % {"n": days}
    if minutes % 60 == 0:
        hours = minutes // 60
        return ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours}
    return ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}


def describe(frequency: str, rule: dict) -> str:  # long: one sentence part per kind of rule
    """``Every 2 hours from 20:00 to 06:00, within 2 hours`` in the active language."""
    parts: list[str] = []
    if frequency == Frequency.HOURS:
        parts.append(_("every %(n)s hours") % {"n": rule.get("interval_hours") or 1})
        if rule.get("start") and rule.get("end"):
            parts.append(_("from %(start)s to %(end)s") % {"start": rule["start"], "end": rule["end"]})
    elif frequency == Frequency.SHIFT:
        parts.append(_("at the start of each shift: %(times)s") % {"times": _list(rule.get("shifts") or [])})
    else:
        if frequency == Frequency.WEEKLY and rule.get("weekdays"):
            parts.append(_("on %(days)s") % {"days": _list(_weekday(d) for d in rule["weekdays"])})
        if rule.get("months"):
            parts.append(_("in months %(months)s") % {"months": _list(rule["months"])})
        if rule.get("month_day"):
            parts.append(_("on day %(n)s of the month") % {"n": rule["month_day"]})
        if rule.get("holidays"):
            parts.append(
                _("%(n)s days before %(names)s")
                % {"n": rule.get("days_before") or 2, "names": _list(rule["holidays"])}
            )
        if rule.get("time"):
            parts.append(_("at %(time)s") % {"time": rule["time"]})
    if rule.get("window_minutes"):
        duration = _duration(int(rule["window_minutes"]))
        parts.append(_("to be done within %(duration)s") % {"duration": duration})
    if rule.get("day_rule") and rule["day_rule"] != DayRule.ALL:
        parts.append(str(DayRule(rule["day_rule"]).label).lower())
    return _sep().join(parts)
