"""Report sections other apps add to the safety report (food, equipment, relief, ...).

The reports app imports none of those apps: each registers a source from its ``AppConfig.ready()``
with :func:`register_report_section`. A source takes the institution ids of the report and its
period and answers, in a fixed number of queries, rows ``(group, label, value)`` over all those
institutions (no names of people), or no rows when it has nothing to say (the section is left out).
The rows are stored in the report's figures (``extra``) in the site's language, like the rest."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from shuangfang.core.periods import Period

Row = tuple[str, str, int | float | str | None]
ReportSource = Callable[[list[int], Period], Sequence[Row]]


@dataclass(frozen=True)
class ReportSection:
    key: str
    title: Callable[[], str]
    source: ReportSource


_sections: dict[str, ReportSection] = {}


def register_report_section(key: str, title: Callable[[], str], source: ReportSource) -> None:
    """Add (or replace, by ``key``) a section of the safety report."""
    _sections[key] = ReportSection(key, title, source)


def registered() -> list[ReportSection]:
    return list(_sections.values())


def build(ids: list[int], period: Period) -> list[dict]:
    """The registered sections with rows, as plain JSON for the stored report."""
    out = []
    for s in _sections.values():
        rows = s.source(ids, period) if ids else []
        if rows:
            out.append({"key": s.key, "title": str(s.title()), "rows": [list(r) for r in rows]})
    return out
