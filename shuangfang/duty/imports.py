"""The duty roster as people keep it in Excel: one row per day and shift with who holds it. Each row
becomes that day's override of the rotation (``services.set_override``), so the board, the
notifications' on-duty person and the patrol's "on shift" all follow the imported roster."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from shuangfang.core import importing
from shuangfang.core.importing import Col, RowProblem

from . import services
from .forms import institution_people
from .models import Shift

COLUMNS = [
    Col("day", gettext_lazy("Date"), True, "2026-12-01"),
    Col("shift", gettext_lazy("Shift"), True, "白班"),
    Col("person", pgettext_lazy("roster", "On duty"), True, "张三"),
    Col("reason", gettext_lazy("Note"), False, "调班"),
]


def _prepare(actor, institution) -> dict[str, Any]:
    people: dict[str, Any] = {}
    names: dict[str, int] = {}
    for u in institution_people(institution):
        people[u.username.lower()] = u
        names[u.name] = names.get(u.name, 0) + 1
        people.setdefault(u.name, u)
    return {
        "shifts": {s.name: s for s in Shift.objects.filter(organization=institution)},
        "people": people,
        "twice": {n for n, c in names.items() if c > 1},
        "seen": {},
    }


def _check(row: dict[str, Any], ctx: dict[str, Any]) -> dict[str, Any]:
    day = importing.date(row.get("day"), "day")
    if day is None:
        raise RowProblem("day", _("This column is required."))
    shift_name = importing.required(row, "shift")
    shift = ctx["shifts"].get(shift_name)
    if shift is None:
        raise RowProblem(
            "shift",
            _("No shift named %(name)s here; create it on the duty page first.") % {"name": shift_name},
        )
    who = importing.required(row, "person")
    if who in ctx["twice"]:
        raise RowProblem("person", _("Two people are called %(name)s: give the login name.") % {"name": who})
    user = ctx["people"].get(who) or ctx["people"].get(who.lower())
    if user is None:
        raise RowProblem("person", _("Nobody called %(name)s works here.") % {"name": who})
    key = (shift.pk, day)
    if key in ctx["seen"]:
        raise RowProblem("day", _("Repeats row %(row)d.") % {"row": ctx["seen"][key]})
    ctx["seen"][key] = row.get("_row", 0)
    reason = importing.text(row.get("reason"))[:200]
    return {"shift": shift, "day": day, "user": user, "reason": reason}


def _save(plan: dict[str, Any], ctx: dict[str, Any]) -> None:
    services.set_override(actor=ctx["actor"], **plan)


importing.register(
    importing.Sheet(
        name="duty.roster",
        title=gettext_lazy("Duty roster"),
        perm="duty.manage",
        columns=COLUMNS,
        check=_check,
        save=_save,
        prepare=_prepare,
        done_url=lambda org: reverse("duty:roster", kwargs={"uuid": org.uuid}),
        help=gettext_lazy(
            "One row per day and shift: who is on duty. The shifts must exist already; each row replaces "
            "the rotation on that day (a row for a day already set replaces it)."
        ),
    )
)
