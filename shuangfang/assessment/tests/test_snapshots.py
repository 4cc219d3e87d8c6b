"""The scores the worker keeps for the dashboards (``snapshots.py``): equal to a fresh computation
after a refresh, used only while fresh and computed with the scheme in force, refreshed after a
scheme change, the same rows after a second run; the bureau dashboard reads them in a fixed number
of queries."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from shuangfang.assessment import scores, services, snapshots
from shuangfang.assessment.choices import DEFAULT_RULES, Indicator
from shuangfang.assessment.models import ScoreSnapshot
from shuangfang.core import periods
from shuangfang.dashboards.tests.records import add_institution, fill
from shuangfang.hazards.models import Hazard

from .conftest import TODAY

pytestmark = pytest.mark.django_db


def _insts(world) -> list:
    return [world.inst_a, world.inst_b]


def _fresh(insts) -> dict[int, Decimal | None]:
    p = periods.current()
    return {
        pk: (Decimal(str(s.total)) if s.total is not None else None)
        for pk, s in scores.institution_scores(insts, p.start, p.end).items()
    }


def _stored() -> dict[int, Decimal | None]:
    p = periods.current()
    return {s.organization_id: s.total for s in ScoreSnapshot.objects.filter(start=p.start, end=p.end)}


def _rows() -> list[tuple]:
    return list(ScoreSnapshot.objects.order_by("pk").values_list())


def test_snapshot_equals_a_fresh_computation_after_changes_and_refresh(world):
    officer = world.users["safety_officer"]
    fill(world.inst_a, officer, n=3)
    fill(world.inst_b, officer, n=1)
    with time_machine.travel(TODAY, tick=False):
        assert snapshots.refresh() == ScoreSnapshot.objects.count() >= 2
        before = _stored()
        assert {k: before[k] for k in (world.inst_a.pk, world.inst_b.pk)} == _fresh(_insts(world))
        # A change: two more open major hazards past their deadline in institution B.
        for n in range(2):
            Hazard.objects.create(
                organization=world.inst_b,
                number=f"YH-S{n}",
                title="s",
                description="s",
                status="rectifying",
                grade="major",
                deadline=timezone.localdate() - dt.timedelta(days=2),
            )
        fresh = _fresh(_insts(world))
        assert fresh[world.inst_b.pk] != before[world.inst_b.pk]  # the change moves the score
        assert _stored()[world.inst_b.pk] == before[world.inst_b.pk]  # not yet refreshed
        snapshots.refresh()
        assert {k: _stored()[k] for k in fresh} == fresh


def test_running_the_refresh_twice_changes_nothing(world):
    fill(world.inst_a, world.users["safety_officer"], n=2)
    with time_machine.travel(TODAY, tick=False):
        snapshots.refresh()
        first = _rows()
        snapshots.refresh()
        assert _rows() == first and first


def test_the_refresh_forgets_other_months_and_closed_institutions(world):
    with time_machine.travel(TODAY - dt.timedelta(days=31), tick=False):
        snapshots.refresh()
    october = periods.current(TODAY.date() - dt.timedelta(days=31))
    assert ScoreSnapshot.objects.filter(start=october.start).exists()
    world.inst_b.is_active = False
    world.inst_b.save()
    with time_machine.travel(TODAY, tick=False):
        snapshots.refresh()
    assert not ScoreSnapshot.objects.filter(start=october.start).exists()
    assert not ScoreSnapshot.objects.filter(organization=world.inst_b).exists()
    assert ScoreSnapshot.objects.filter(organization=world.inst_a).exists()


def test_the_dashboards_read_fresh_snapshots_and_compute_the_others_live(world):
    fill(world.inst_a, world.users["safety_officer"], n=2)
    insts = _insts(world)
    with time_machine.travel(TODAY, tick=False):
        snapshots.refresh()
        live = _fresh(insts)
        # What is shown is what is stored (a sentinel proves the page does not recompute).
        ScoreSnapshot.objects.filter(organization=world.inst_a).update(total=Decimal("12.3"))
        shown, as_of = snapshots.shown(insts)
        assert shown[world.inst_a.pk].total == Decimal("12.3") and as_of == timezone.now()
        # No snapshot for B: computed live.
        ScoreSnapshot.objects.filter(organization=world.inst_b).delete()
        shown, _as_of = snapshots.shown(insts)
        assert shown[world.inst_b.pk].total == live[world.inst_b.pk]
    # Older than MAX_AGE: never shown; the live score instead, "as of" now.
    later = TODAY + snapshots.MAX_AGE + dt.timedelta(minutes=1)
    with time_machine.travel(later, tick=False):
        shown, as_of = snapshots.shown(insts)
        assert shown[world.inst_a.pk].total == live[world.inst_a.pk] and as_of == timezone.now()
    # Within MAX_AGE: the stored one, and "as of" the time it was computed.
    with time_machine.travel(TODAY + dt.timedelta(minutes=10), tick=False):
        shown, as_of = snapshots.shown([world.inst_a])
        assert shown[world.inst_a.pk].total == Decimal("12.3") and as_of == TODAY


def test_a_scheme_change_refreshes_the_bureau_and_an_old_scheme_is_never_shown(
    world, django_capture_on_commit_callbacks
):
    fill(world.inst_a, world.users["safety_officer"], n=3)
    insts = _insts(world)
    with time_machine.travel(TODAY, tick=False):
        snapshots.refresh()
        old = _stored()
        rules = [
            dataclasses.replace(r, weight=r.weight + 20)
            if r.indicator == Indicator.OPEN_MAJOR
            else dataclasses.replace(r, weight=r.weight - 20)
            if r.indicator == Indicator.COMPLETION
            else r
            for r in DEFAULT_RULES
        ]
        # Saved, but the refresh not yet run: the dashboards compute with the new scheme.
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            services.save_scheme(actor=world.users["bureau_supervisor"], bureau=world.bureau, rules=rules)
        assert callbacks
        fresh = _fresh(insts)
        assert fresh[world.inst_a.pk] != old[world.inst_a.pk]
        shown, _as_of = snapshots.shown(insts)
        assert {k: v.total for k, v in shown.items()} == fresh
        # The kick after commit refreshes the bureau's institutions (huey runs it at once in tests).
        for fn in callbacks:
            fn()
        assert {k: _stored()[k] for k in fresh} == fresh
        scheme_ids = set(ScoreSnapshot.objects.values_list("scheme_id", flat=True))
        assert scheme_ids == {scores.schemes_for([world.inst_a])[world.inst_a.pk].id}


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_bureau_dashboard_reads_the_snapshots_in_constant_queries(world, login):
    client = login(world.users["bureau_supervisor"])
    url = reverse("dashboards:bureau", kwargs={"uuid": world.bureau.uuid})
    api = f"/api/v1/dashboards/bureaus/{world.bureau.uuid}/screen"
    fill(world.inst_a, world.users["safety_officer"], n=2)
    with time_machine.travel(TODAY, tick=False):
        client.get(url)
        live = _count(client, url)
        snapshots.refresh()
        small = (_count(client, url), _count(client, api))
        # Snapshots: two queries (schemes in force, snapshots); without them the live computation's
        # four more (schemes, tasks, hazards, risk points).
        assert small[0] == live - 4
        for i in range(10):
            fill(add_institution(world.district, f"机构{i}"), world.users["safety_officer"], n=1)
        snapshots.refresh()
        client.get(url)  # new organisations: the cached memberships are loaded again once
        assert (_count(client, url), _count(client, api)) == small
        html = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert "as of 10:00" in html
        data = client.get(api).json()
        assert data["scores_as_of"] == "10:00"
        got = {i["name"]: i["score"] for i in data["institutions"]}
        want = _fresh([world.inst_a])[world.inst_a.pk]
        assert want is not None and got[world.inst_a.name] == float(want)


def test_the_screen_has_no_scores_for_those_who_may_not_read_them(world, login):
    """Scores need ``assessment.view`` at the bureau; the big screen's payload leaves them out
    for a user without it (the API, called with no user, too)."""
    from shuangfang.dashboards.views import screen_payload

    data = screen_payload(world.bureau)
    assert data["scores_as_of"] is None and all("score" not in i for i in data["institutions"])
