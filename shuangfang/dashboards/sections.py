"""Figure sections other apps add to the dashboards (food, equipment, readiness, ...).

The dashboards import none of those apps: each registers a source from its ``AppConfig.ready()``
with :func:`register_figure_section`. A source takes the institution ids and the day and answers,
in a fixed number of queries however many institutions, one list of :class:`Figure` per
institution. Every figure carries the URL of the list behind it; ``counted`` says that list shows
exactly ``value`` rows (the link then carries ``data-count``, ``tests/test_dashboard_numbers.py``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from shuangfang.core.tenancy import can
from shuangfang.orgs.models import Organization


@dataclass(frozen=True)
class Figure:
    label: str
    value: int | None
    url: str
    counted: bool = True  # the list at ``url`` shows exactly ``value`` rows
    whole: int | None = None  # shown as "value / whole" (e.g. samples taken of dishes due)
    bad: bool = False  # a non-zero value is a problem


FigureSourceFn = Callable[[list[int], dt.date], dict[int, list[Figure]]]


@dataclass(frozen=True)
class FigureSection:
    key: str
    title: Callable[[], str]  # called at render time (translated)
    perm: str  # the user must hold it at the dashboard's organisation
    source: FigureSourceFn
    bureau: bool = True  # also on the bureau dashboard (one row per institution)


_sections: dict[str, FigureSection] = {}


def register_figure_section(
    key: str, title: Callable[[], str], source: FigureSourceFn, *, perm: str, bureau: bool = True
) -> None:
    """Add (or replace, by ``key``) a section of figures on the dashboards."""
    _sections[key] = FigureSection(key, title, perm, source, bureau)


def registered() -> list[FigureSection]:
    return list(_sections.values())


def for_institution(user, inst: Organization, today: dt.date) -> list[dict]:
    """The sections the user may read at ``inst``: ``[{key, title, figures}]``."""
    out = []
    for s in _sections.values():
        if can(user, s.perm, inst):
            out.append({"key": s.key, "title": s.title(), "figures": s.source([inst.pk], today)[inst.pk]})
    return out


def for_bureau(user, org: Organization, insts: Sequence[Organization], today: dt.date) -> list[dict]:
    """One table per section: ``[{key, title, labels, rows: [{inst, figures}]}]``."""
    out = []
    ids = [i.pk for i in insts]
    for s in _sections.values():
        if not s.bureau or not can(user, s.perm, org):
            continue
        figs = s.source(ids, today) if ids else {}
        labels = [f.label for f in figs[insts[0].pk]] if insts else []
        rows = [{"inst": i, "figures": figs[i.pk]} for i in insts]
        out.append({"key": s.key, "title": s.title(), "labels": labels, "rows": rows})
    return out
