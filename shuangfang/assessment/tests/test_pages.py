from __future__ import annotations

import io
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from shuangfang.assessment import scores
from shuangfang.assessment.models import ScoringScheme
from shuangfang.core import periods
from shuangfang.dashboards.tests.records import add_institution, fill

pytestmark = pytest.mark.django_db


def _form(**over) -> dict:
    data = {
        "weight_completion": 25,
        "weight_missed": 15,
        "per_item_missed": "1",
        "cap_missed": "",
        "no_data_missed": "exclude",
        "no_data_completion": "exclude",
        "weight_on_time": 20,
        "no_data_on_time": "exclude",
        "weight_overdue": 20,
        "per_item_overdue": "5",
        "cap_overdue": "",
        "weight_open_major": 10,
        "per_item_open_major": "10",
        "cap_open_major": "",
        "weight_reviews": 10,
        "no_data_reviews": "exclude",
        "note": "",
        "action": "save",
    }
    data.update(over)
    return data


def test_scheme_editor_saves_previews_and_refuses_bad_weights(world, login):
    client = login(world.users["bureau_supervisor"])
    url = reverse("assessment:scheme", kwargs={"uuid": world.bureau.uuid})
    r = client.get(url)
    assert r.status_code == 200 and b"weight-sum" in r.content
    # Weights adding up to 95: the form comes back with the reason, nothing saved.
    r = client.post(url, _form(weight_completion=20))
    assert r.status_code == 200
    assert "95" in " ".join(r.context["form"].non_field_errors())
    assert not ScoringScheme.objects.exists()
    # Preview: scores with the proposed weights, nothing saved.
    fill(world.inst_a, world.users["safety_officer"], n=2, post=world.post_a)
    r = client.post(url, _form(action="preview", weight_completion=5, weight_overdue=40))
    assert r.status_code == 200 and r.context["previewed"]
    row = next(x for x in r.context["preview"] if x["inst"] == world.inst_a)
    assert row["now"] != row["proposed"]
    assert not ScoringScheme.objects.exists()
    r = client.post(url, _form(note="2026 考核"))
    assert r.status_code == 302
    scheme = ScoringScheme.objects.get(organization=world.bureau, is_current=True)
    assert scheme.note == "2026 考核" and scheme.rules.count() == 6
    r = client.post(url, {"action": "clear"})
    assert r.status_code == 302 and not ScoringScheme.objects.filter(is_current=True).exists()


def test_bureau_table_breakdown_and_export(world, login):
    fill(world.inst_a, world.users["safety_officer"], n=3, post=world.post_a)
    client = login(world.users["bureau_supervisor"])
    r = client.get(reverse("assessment:bureau", kwargs={"uuid": world.bureau.uuid}))
    assert r.status_code == 200
    ranks = [row["inst"] for row in r.context["rows"]]
    assert set(ranks) == {world.inst_a, world.inst_b}
    totals = [row["score"].total for row in r.context["rows"]]
    assert totals == sorted(totals, reverse=True)
    p = periods.current()
    want = scores.institution_scores([world.inst_a], p.start, p.end)[world.inst_a.pk]
    r = client.get(reverse("assessment:institution", kwargs={"uuid": world.inst_a.uuid}))
    assert r.status_code == 200 and r.context["score"].total == want.total
    html = r.content.decode()
    for part in want.parts:
        assert part.figures in html and part.calculation in html
    assert world.dept_a.name in html
    r = client.get(
        reverse("assessment:bureau", kwargs={"uuid": world.bureau.uuid}) + "?period=2025&export=xlsx"
    )
    sheet = load_workbook(io.BytesIO(b"".join(r.streaming_content))).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 3 and rows[1][0] == 1


def test_institution_staff_see_only_their_own(world, login):
    head = login(world.users["institution_head"])
    assert head.get(reverse("assessment:index"))["Location"] == reverse(
        "assessment:institution", kwargs={"uuid": world.inst_a.uuid}
    )
    assert head.get(reverse("assessment:institution", kwargs={"uuid": world.inst_b.uuid})).status_code == 404
    sup = login(world.users["bureau_supervisor"])
    assert sup.get(reverse("assessment:index"))["Location"] == reverse(
        "assessment:bureau", kwargs={"uuid": world.bureau.uuid}
    )
    r = sup.get(reverse("assessment:bureau", kwargs={"uuid": world.district.uuid}))
    assert [row["inst"] for row in r.context["rows"]] == [world.inst_b]


def test_api(world, login):
    fill(world.inst_a, world.users["safety_officer"], n=2, post=world.post_a)
    client = login(world.users["bureau_supervisor"])
    data = json.loads(
        client.get(f"/api/v1/assessment/bureaus/{world.bureau.uuid}/scores?period=2026-Q4").content
    )
    assert data["period"]["key"] == "2026-Q4" and len(data["institutions"]) == 2
    data = json.loads(client.get(f"/api/v1/assessment/institutions/{world.inst_a.uuid}/score").content)
    p = periods.current()
    assert data["total"] == scores.institution_scores([world.inst_a], p.start, p.end)[world.inst_a.pk].total
    assert [x["code"] for x in data["parts"]] == [
        "completion",
        "missed",
        "on_time",
        "overdue",
        "open_major",
        "reviews",
    ]
    assert data["departments"][0]["name"] == world.dept_a.name


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_page_query_counts_do_not_grow(world, login):
    client = login(world.users["bureau_supervisor"])
    urls = [
        reverse("assessment:bureau", kwargs={"uuid": world.bureau.uuid}),
        reverse("assessment:institution", kwargs={"uuid": world.inst_a.uuid}),
        reverse("assessment:scheme", kwargs={"uuid": world.bureau.uuid}),
        f"/api/v1/assessment/bureaus/{world.bureau.uuid}/scores",
    ]
    for i in range(2):
        fill(add_institution(world.bureau, f"机构{i}"), world.users["safety_officer"], n=2)
    client.get(urls[0])
    small = [_count(client, u) for u in urls]
    for i in range(2, 12):
        fill(add_institution(world.district, f"机构{i}"), world.users["safety_officer"], n=2)
    client.get(urls[0])  # new organisations: the cached memberships are loaded again once
    assert [_count(client, u) for u in urls] == small


@pytest.mark.parametrize("value", ["2026Q3", "2026-q3", "2026 Q3"])
def test_legacy_quarter_spelling_is_the_quarter(world, login, value):
    """Reports used to write ``2026Q3``: an old link still shows the third quarter, never the
    current month."""
    client = login(world.users["bureau_supervisor"])
    r = client.get(reverse("assessment:bureau", kwargs={"uuid": world.bureau.uuid}), {"period": value})
    assert r.status_code == 200 and r.context["period"] == periods.quarter(2026, 3)
    data = client.get(f"/api/v1/assessment/bureaus/{world.bureau.uuid}/scores", {"period": value}).json()
    assert data["period"]["key"] == "2026-Q3"


@pytest.mark.parametrize("value", ["bogus", "2026-13", "2026-Q5", "1999", "26-11"])
def test_malformed_period_is_400_with_a_reason(world, login, value):
    client = login(world.users["bureau_supervisor"])
    for name, org in (("assessment:bureau", world.bureau), ("assessment:institution", world.inst_a)):
        r = client.get(reverse(name, kwargs={"uuid": org.uuid}), {"period": value})
        assert r.status_code == 400, (name, value)
        assert "2026-Q4" in r.content.decode() and "期间" in r.content.decode()
    for path in (
        f"/api/v1/assessment/bureaus/{world.bureau.uuid}/scores",
        f"/api/v1/assessment/institutions/{world.inst_a.uuid}/score",
    ):
        r = client.get(path, {"period": value})
        assert r.status_code == 400 and value in r.json()["detail"], (path, value)
