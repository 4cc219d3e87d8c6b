"""Patrol checkpoints and inspection plans as people keep them in Excel, created through
``checklists.create_checkpoint`` and ``plans.create_plan`` (the same checks as the forms)."""

from __future__ import annotations

import re
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from shuangfang.core import importing
from shuangfang.core.importing import Col, RowProblem
from shuangfang.orgs.models import Post, User
from shuangfang.orgs.roles import Role

from .checklists import create_checkpoint
from .choices import AssigneeKind, Frequency
from .models import Checklist, Checkpoint
from .plans import create_plan

# --- Checkpoints ---------------------------------------------------------------------------------

CHECKPOINT_COLUMNS = [
    Col("name", pgettext_lazy("import", "Checkpoint"), True, "厨房"),
    Col("building", gettext_lazy("building"), False, "1号楼"),
    Col("floor", gettext_lazy("floor"), False, "1"),
    Col("place_code", gettext_lazy("place code"), False, "1-101"),
]
CHECKPOINT_LIMITS = {"name": 80, "building": 60, "floor": 20, "place_code": 20}


def _limited(row: dict[str, Any], limits: dict[str, int]) -> dict[str, str]:
    values = {key: importing.text(row.get(key)) for key in limits}
    for key, limit in limits.items():
        if len(values[key]) > limit:
            raise RowProblem(key, _("At most %(n)d characters.") % {"n": limit})
    return values


def _checkpoint_prepare(actor, institution) -> dict[str, Any]:
    have = Checkpoint.objects.filter(organization=institution).values_list("building", "floor", "name")
    return {"have": set(have), "seen": {}}


def _checkpoint_check(row: dict[str, Any], ctx: dict[str, Any]) -> dict[str, Any]:
    values = _limited(row, CHECKPOINT_LIMITS)
    importing.required(row, "name")
    key = (values["building"], values["floor"], values["name"])
    if key in ctx["seen"]:
        raise RowProblem("name", _("Repeats row %(row)d.") % {"row": ctx["seen"][key]})
    ctx["seen"][key] = row["_row"]
    if key in ctx["have"]:
        raise RowProblem("name", _("This checkpoint exists already."))
    return values


def _checkpoint_save(plan: dict[str, Any], ctx: dict[str, Any]) -> None:
    create_checkpoint(actor=ctx["actor"], organization=ctx["organization"], **plan)


# --- Plans ---------------------------------------------------------------------------------------

PLAN_COLUMNS = [
    Col("name", gettext_lazy("name"), True, "每日厨房燃气检查"),
    Col("checklist", gettext_lazy("checklist"), True, "厨房日查表"),
    Col("frequency", gettext_lazy("frequency"), True, str(Frequency.DAILY.label)),
    Col("detail", pgettext_lazy("import", "Schedule detail"), False, "08:00"),
    Col("assignee", pgettext_lazy("import", "Done by"), True, "张三"),
    Col("checkpoints", gettext_lazy("checkpoints"), False, "厨房、库房"),
    Col("location", gettext_lazy("location"), False, ""),
    Col("starts_on", gettext_lazy("starts on"), False, "2026-01-01"),
    Col("ends_on", gettext_lazy("ends on"), False, ""),
]
SIMPLE = (Frequency.HOURS, Frequency.DAILY, Frequency.WEEKLY, Frequency.MONTHLY, Frequency.QUARTERLY)
# How people write the frequencies in their sheets, besides the labels.
ALIASES = {
    "每日": Frequency.DAILY,
    "每周": Frequency.WEEKLY,
    "每月": Frequency.MONTHLY,
    "每季": Frequency.QUARTERLY,
    "每小时": Frequency.HOURS,
    "每n小时": Frequency.HOURS,
}
_TIME = re.compile(r"^\d{1,2}:\d{2}$")
_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}


def _plan_prepare(actor, institution) -> dict[str, Any]:
    from shuangfang.orgs.models import Membership

    ids = Membership.objects.staff_of(institution).values("user_id")
    people: dict[str, Any] = {}
    for u in User.objects.filter(pk__in=ids, is_active=True):
        people[u.username.lower()] = u
        people.setdefault(u.name, u)
    checkpoints: dict[str, Any] = {}
    for cp in Checkpoint.objects.filter(organization=institution, is_active=True):
        checkpoints.setdefault(cp.name, cp)
        checkpoints[str(cp)] = cp
    return {
        "checklists": {c.name: c for c in Checklist.objects.filter(organization=institution, is_active=True)},
        "checkpoints": checkpoints,
        "people": people,
        "posts": {p.name: p for p in Post.objects.filter(organization=institution)},
        "roles": {importing.text(label): value for value, label in Role.choices},
    }


def _assignee(who: str, ctx: dict[str, Any]) -> dict[str, Any]:
    """A person (name or login name), else a post, else a role."""
    if person := ctx["people"].get(who) or ctx["people"].get(who.lower()):
        return {"assignee_kind": AssigneeKind.PERSON, "assignee_user": person}
    if post := ctx["posts"].get(who):
        return {"assignee_kind": AssigneeKind.POST, "assignee_post": post}
    try:
        role = importing.choice(who, Role.choices, "assignee")
    except RowProblem:
        raise RowProblem(
            "assignee", _("No person, post or role called %(name)s here.") % {"name": who}
        ) from None
    return {"assignee_kind": AssigneeKind.ROLE, "assignee_role": role}


def _plan_check(row: dict[str, Any], ctx: dict[str, Any]) -> dict[str, Any]:
    values = _limited(row, {"name": 80, "location": 120})
    importing.required(row, "name")
    name = importing.required(row, "checklist")
    checklist = ctx["checklists"].get(name)
    if checklist is None:
        raise RowProblem("checklist", _("No checklist named %(name)s here.") % {"name": name})
    written = importing.required(row, "frequency")
    frequency = ALIASES.get(written.replace(" ", "").lower()) or importing.choice(
        written, Frequency.choices, "frequency"
    )
    if frequency not in SIMPLE:
        raise RowProblem(
            "frequency", _("This schedule is set on the plan's page; import the plan as daily first.")
        )
    rule = _rule(frequency, importing.text(row.get("detail")))
    checkpoints = []
    for part in filter(None, re.split(r"[,，、;；\n]+", importing.text(row.get("checkpoints")))):
        cp = ctx["checkpoints"].get(part.strip())
        if cp is None:
            raise RowProblem("checkpoints", _("No checkpoint named %(name)s here.") % {"name": part.strip()})
        checkpoints.append(cp)
    starts_on = importing.date(row.get("starts_on"), "starts_on")
    ends_on = importing.date(row.get("ends_on"), "ends_on")
    if starts_on and ends_on and ends_on < starts_on:
        raise RowProblem("ends_on", _("The end is before the start."))
    return {
        **values,
        **_assignee(importing.required(row, "assignee"), ctx),
        "checklist": checklist,
        "frequency": frequency,
        "rule": rule,
        "checkpoints": checkpoints,
        "starts_on": starts_on,
        "ends_on": ends_on,
    }


def _plan_save(plan: dict[str, Any], ctx: dict[str, Any]) -> None:
    create_plan(actor=ctx["actor"], organization=ctx["organization"], **plan)


importing.register(
    importing.Sheet(
        name="inspections.checkpoints",
        title=gettext_lazy("Checkpoints"),
        perm="inspection.manage",
        columns=CHECKPOINT_COLUMNS,
        check=_checkpoint_check,
        save=_checkpoint_save,
        prepare=_checkpoint_prepare,
        done_url=lambda org: reverse("inspections:checkpoints"),
        help=gettext_lazy("One row per patrol checkpoint; print their QR codes from the checkpoints page."),
    )
)
importing.register(
    importing.Sheet(
        name="inspections.plans",
        title=gettext_lazy("Inspection plans"),
        perm="inspection.manage",
        columns=PLAN_COLUMNS,
        check=_plan_check,
        save=_plan_save,
        prepare=_plan_prepare,
        done_url=lambda org: reverse("inspections:plans"),
        help=gettext_lazy(
            "One row per plan. Done by: a person, a post or a role. Schedule detail: a time (08:00); "
            "for weekly plans the weekdays too (一、三、五); for every N hours the N. Checkpoints: "
            "their names separated by 、. The checklists and checkpoints must exist already."
        ),
    )
)


def _rule(frequency: str, detail: str) -> dict[str, Any]:
    """The schedule column: a time (08:00) for daily, monthly and quarterly plans; weekdays
    (一、三、五 or 1,3,5 with Monday = 1) and a time for weekly ones; N for every N hours."""
    parts = [p for p in re.split(r"[\s,，、;；]+", detail) if p]
    rule: dict[str, Any] = {}
    times = [p for p in parts if _TIME.match(p)]
    if times:
        rule["time"] = times[0].zfill(5)
    rest = [p for p in parts if not _TIME.match(p)]
    if frequency == Frequency.HOURS:
        rule["interval_hours"] = int(rest[0]) if rest and rest[0].isdigit() else 0
    elif frequency == Frequency.WEEKLY:
        days = []
        for p in rest:
            p = p.removeprefix("周").removeprefix("星期")
            if p in _WEEKDAYS:
                days.append(_WEEKDAYS[p])
            elif p.isdigit() and 1 <= int(p) <= 7:
                days.append(int(p) - 1)
            else:
                raise RowProblem("detail", _("Unknown weekday %(value)s.") % {"value": p})
        rule["weekdays"] = days
    elif rest:
        raise RowProblem("detail", _("Unknown value %(value)s.") % {"value": "、".join(rest)})
    return rule
