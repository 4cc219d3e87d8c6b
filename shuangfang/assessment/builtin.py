"""The six built-in indicators (inspection tasks, hazards, risk reviews), registered like any
other app's: one source of three grouped queries (tasks, hazards, risk points), measured for
institutions and for departments."""

from __future__ import annotations

import datetime as dt

from django.db.models import F, OuterRef, Q, Subquery
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shuangfang.inspections.models import TaskDay
from shuangfang.orgs.models import Organization, Post

from . import registry
from .choices import RULE_KIND, Indicator
from .scores import links, measure

GROUP = "safety"
SOURCE = "safety"


def _institutions(institutions: list[Organization], start: dt.date, end: dt.date, today: dt.date):
    ids = [i.pk for i in institutions]
    key = "organization__institution_id"
    scoped = Q(organization__institution_id__in=ids)
    return measure(
        task_days=TaskDay.objects.filter(organization_id__in=ids).annotate(key=F("organization_id")),
        hazard_key=key,
        point_key=key,
        hazards=scoped,
        points=scoped,
        keys=ids,
        start=start,
        end=end,
        today=today,
    )


def _departments(
    institution: Organization, depts: list[Organization], start: dt.date, end: dt.date, today: dt.date
):
    ids = [d.pk for d in depts]
    inside = Q(organization__institution_id=institution.pk)
    department = Subquery(Post.objects.filter(pk=OuterRef("post_key")).values("department_id")[:1])
    return measure(
        task_days=TaskDay.objects.filter(organization_id=institution.pk)
        .annotate(key=department)
        .filter(key__in=ids),
        hazard_key="department_id",
        point_key="department_id",
        hazards=inside & Q(department_id__in=ids),
        points=inside & Q(department_id__in=ids),
        keys=ids,
        start=start,
        end=end,
        today=today,
    )


def _g(m: dict[str, int], k: str) -> int:
    return m.get(k, 0)


def _completion(m):
    raw = {"done": _g(m, "done"), "due": _g(m, "done") + _g(m, "missed")}
    return raw, _("%(done)s done of %(due)s due") % raw, raw["done"], raw["due"]


def _missed(m):
    raw = {"missed": _g(m, "missed"), "due": _g(m, "done") + _g(m, "missed")}
    return raw, _("%(missed)s missed of %(due)s due") % raw, raw["missed"], raw["due"]


def _on_time(m):
    raw = {"on_time": _g(m, "on_time"), "closed": _g(m, "closed")}
    return raw, _("%(on_time)s on time of %(closed)s closed") % raw, raw["on_time"], raw["closed"]


def _overdue(m):
    raw = {"overdue": _g(m, "overdue")}
    return raw, _("%(overdue)s overdue") % raw, raw["overdue"], None


def _open_major(m):
    raw = {"open_major": _g(m, "open_major")}
    return raw, _("%(open_major)s open at the end of the period") % raw, raw["open_major"], None


def _reviews(m):
    up = _g(m, "points") - _g(m, "reviews_overdue")
    raw = {"up_to_date": up, "points": _g(m, "points"), "overdue": _g(m, "reviews_overdue")}
    return raw, _("%(up_to_date)s up to date of %(points)s risk points") % raw, up, raw["points"]


def _link(code: str):
    def link(org: Organization, department: bool, start: dt.date, last: dt.date, today: dt.date) -> str:
        if department:
            return links(department=org, start=start, last=last, today=today)[code]
        return links(institution=org, start=start, last=last, today=today)[code]

    return link


BUILTIN = [
    (
        Indicator.COMPLETION,
        _completion,
        gettext_lazy("Inspection tasks whose window started in the period: done ÷ (done + missed)."),
        gettext_lazy("no task was due"),
    ),
    (
        Indicator.MISSED,
        _missed,
        gettext_lazy("The missed ones among those tasks."),
        gettext_lazy("no task was due"),
    ),
    (
        Indicator.ON_TIME,
        _on_time,
        gettext_lazy("Hazards closed in the period: closed on time ÷ closed."),
        gettext_lazy("no hazard was closed"),
    ),
    (
        Indicator.OVERDUE,
        _overdue,
        gettext_lazy("Hazards overdue on at least one day of the period."),
        None,
    ),
    (
        Indicator.OPEN_MAJOR,
        _open_major,
        gettext_lazy("Major hazards still open at the end of the period."),
        None,
    ),
    (
        Indicator.REVIEWS,
        _reviews,
        gettext_lazy("Active risk points whose next review is not overdue ÷ all active risk points."),
        gettext_lazy("no risk point"),
    ),
]


def register() -> None:
    registry.register_group(GROUP, gettext_lazy("Inspections, hazards and risks"), 10)
    registry.register_source(registry.Source(SOURCE, _institutions, _departments))
    for n, (code, figures, counts, no_data) in enumerate(BUILTIN):
        registry.register_indicator(
            registry.IndicatorDef(
                key=str(code),
                label=Indicator(code).label,
                group=GROUP,
                source=SOURCE,
                kind=RULE_KIND[code],
                figures=figures,
                counts=counts,
                no_data=no_data,
                link=_link(code),
                order=n,
            )
        )
