"""Assessment scores: every institution of a bureau scored at once, against one raw aggregate.

Uses the city of ``bench_dashboards.py`` (200 institutions, 40,000 hazards, 8,000 risk points,
40,000 tasks; built by running that script first if it is not in the database). Times:
  - baseline: one raw ``SELECT organization_id, count(*) … GROUP BY`` over the hazards
  - ``scores.institution_scores`` for every institution, this month and this year (4 queries)
  - the same with a scheme weighing every registered indicator (inspections, readiness, food) and
    counting rewards and penalties (one query more per source)
  - ``scores.department_scores`` of one institution
  - the bureau's score table and its Excel export, through the Django test client
"""

from __future__ import annotations

import os
import runpy
from decimal import Decimal
from pathlib import Path

from _setup import report, setup, timed

os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from shuangfang.assessment import registry, scores  # noqa: E402
from shuangfang.assessment.choices import RuleSpec  # noqa: E402
from shuangfang.core import periods  # noqa: E402
from shuangfang.hazards.models import Hazard  # noqa: E402
from shuangfang.orgs.models import Organization, User, institutions_under  # noqa: E402

CITY = "看板基准市民政局"

if not Organization.objects.filter(name=CITY).exists():
    # Builds the city (and prints the dashboards' own figures).
    runpy.run_path(str(Path(__file__).with_name("bench_dashboards.py")), run_name="build")
bureau = Organization.objects.get(name=CITY)
sup = User.objects.get(username="bench_dash_supervisor")
insts = institutions_under(bureau)
ids = [i.pk for i in insts]
n_haz = Hazard.objects.filter(organization_id__in=ids).count()
month, year = periods.current(), periods.year(periods.current().start.year)


def baseline() -> None:
    with connection.cursor() as cur:
        cur.execute(
            "SELECT organization_id, count(*) FROM hazards_hazard WHERE organization_id = ANY(%s) "
            "GROUP BY organization_id",
            [ids],
        )
        cur.fetchall()


client = Client()
client.force_login(sup)
page = f"/assessment/bureaus/{bureau.uuid}/"
counts = {}
for url in (page, page + "?export=xlsx"):
    with CaptureQueriesContext(connection) as q:
        assert client.get(url).status_code == 200
    counts[url] = len(q)
with CaptureQueriesContext(connection) as q:
    scores.institution_scores(insts, month.start, month.end)
n_scores = len(q)

# Every registered indicator weighted (weights summing to 100), rewards and penalties counted.
keys = [i.key for i in registry.ordered()]
weights = [100 // len(keys)] * len(keys)
weights[0] += 100 - sum(weights)
every = scores.SchemeRef(
    rules=scores.ordered_rules(
        RuleSpec(k, w, per_item=Decimal(1)) for k, w in zip(keys, weights, strict=True)
    ),
    bonus_cap=Decimal(5),
    penalty_cap=Decimal(5),
)
with CaptureQueriesContext(connection) as q:
    scores.institution_scores(insts, month.start, month.end, scheme=every)
n_every = len(q)

base = timed(baseline, repeat=10)
rows = [("baseline: raw GROUP BY count of hazards", base, f"{len(ids)} institutions, {n_haz} hazards")]
for label, fn, note in (
    (
        "institution_scores, this month",
        lambda: scores.institution_scores(insts, month.start, month.end),
        f"{n_scores} queries",
    ),
    (
        "institution_scores, this year",
        lambda: scores.institution_scores(insts, year.start, year.end),
        f"{n_scores} queries",
    ),
    (
        f"institution_scores, all {len(keys)} registered indicators + rewards, this year",
        lambda: scores.institution_scores(insts, year.start, year.end, scheme=every),
        f"{n_every} queries",
    ),
    (
        "department_scores, one institution",
        lambda: scores.department_scores(insts[0], month.start, month.end),
        "5 queries",
    ),
    ("bureau score table", lambda: client.get(page), f"{counts[page]} queries"),
    (
        "bureau score table, Excel",
        lambda: client.get(page + "?export=xlsx"),
        f"{counts[page + '?export=xlsx']} queries",
    ),
):
    fig = timed(fn, repeat=10)
    rows.append((label, fig, f"{note}; ×{fig['p50_ms'] / base['p50_ms']:.1f} baseline"))
report("assessment", rows)
