"""The bureau dashboard's table bodies (a row per institution: hundreds of rows, a dozen cells
each), built in Python: the template engine's include and variable lookups per cell cost more than
all the figures' queries. The markup is the one the templates wrote (every number a link to its
list, counts with ``data-count``, ``tests/test_dashboard_numbers.py``)."""

from __future__ import annotations

from collections.abc import Callable
from html import escape  # as Django's, without its lazy-string wrapper: thousands of cells

from django.utils.formats import localize
from django.utils.safestring import SafeString

from shuangfang.assessment.templatetags.assessment import score_total
from shuangfang.orgs.models import Organization

from .sections import name_cell, safe_html, uuid_path

# Counts of the ranking, in column order: (figure, red when non-zero).
RANK_COUNTS = (
    ("overdue", True),
    ("tasks_missed", True),
    ("open_major", True),
    ("supervised", False),
    ("open", False),
)
RANK_RATES = (("on_time_rate", "closed"), ("completion_rate", "tasks_due"))
RANK_TAIL = (("alarms_active", False), ("devices_offline", False))
RANK_LINKS = tuple(k for k, _ in RANK_COUNTS + RANK_TAIL) + tuple(k for _, k in RANK_RATES)


def count_cell(url: str, n: int, bad: bool = False) -> str:
    red = ' class="bad"' if bad and n else ""
    return f'<td class="num"><a href="{escape(url)}" data-count="{n}"{red}>{n}</a></td>'


def rate_cell(url: str, rate: float | None) -> str:
    shown = "—" if rate is None else f"{localize(rate)}%"
    return f'<td class="num"><a href="{escape(url)}">{shown}</a></td>'


def _score_cells(assessment: dict | None) -> Callable[[Organization], str]:
    """The assessment score cell of an institution; nothing when the user may not see the scores."""
    if not assessment:
        return lambda inst: ""
    scores = assessment["scores"]

    def cell(inst: Organization) -> str:
        s = scores.get(inst.pk)
        url = uuid_path("assessment:institution", inst.uuid)
        return f'<td class="num"><a href="{escape(url)}">{score_total(s.total if s else None)}</a></td>'

    return cell


def rank_body(rows: list[dict], assessment: dict | None) -> SafeString:
    """The ranking's rows: name, score (if shown), the counts and rates, each a link."""
    score = _score_cells(assessment)
    out = []
    for r in rows:
        link = r["link"]
        cells = [name_cell(r["dashboard"], r["inst"].name), score(r["inst"])]
        cells += [count_cell(link[k], r[k], bad) for k, bad in RANK_COUNTS]
        cells += [rate_cell(link[k], r[rate]) for rate, k in RANK_RATES]
        cells += [count_cell(link[k], r[k], bad) for k, bad in RANK_TAIL]
        out.append("<tr>\n  " + "\n  ".join(c for c in cells if c) + "\n</tr>")
    return safe_html("\n".join(out))
