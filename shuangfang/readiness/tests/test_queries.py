"""The readiness list pages (training status, sessions, drills, letters) run the same number of
queries with a few rows as with many: nothing is fetched per row."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shuangfang.orgs.roles import Role
from shuangfang.orgs.tests.factories import make_person
from shuangfang.readiness import drills, letters, training

from .helpers import at, drill_a, fire_course, letter_a, session_a, template_b

pytestmark = pytest.mark.django_db


def pages(w) -> list[str]:
    return [
        f"/readiness/status/?org={w.inst_a.uuid}",
        "/readiness/sessions/",
        "/readiness/drills/",
        "/readiness/letters/",
    ]


def _more(w, n: int) -> None:
    """``n`` more cooks (post holders), sessions with attendance, drills (one recorded) and letters."""
    officer = w.users["safety_officer"]
    cooks = [
        make_person(w.root, f"cook_more_{n}_{i}", w.dept_a, Role.STAFF, post=w.post_a, name=f"厨师{n}{i}")
        for i in range(n)
    ]
    for i in range(n):
        s = training.create_session(
            actor=officer,
            institution=w.inst_a,
            course=fire_course(w),
            title=f"补训{n}-{i}",
            starts_at=at(2026, 3, 2 + i, 9),
            ends_at=at(2026, 3, 2 + i, 10),
        )
        training.mark_attendance(actor=officer, session=s, people=cooks)
        d = drills.plan_drill(
            actor=officer,
            institution=w.inst_a,
            title=f"演练{n}-{i}",
            planned_on=dt.date(2026, 3, 1),
            building=f"{i}号楼",
        )
        drills.record_drill(
            actor=officer,
            drill=d,
            started_at=at(2026, 3, 1, 7, 0),
            ended_at=at(2026, 3, 1, 7, 30),
            participants=cooks,
        )
    letters.generate_letters(
        actor=w.users["institution_head"], template=template_b(w), institution=w.inst_a, year=2026
    )  # the new cooks' letters (the others have theirs)


@pytest.mark.parametrize("persona", ["safety_officer", "bureau_supervisor"])
def test_list_pages_do_not_grow_with_rows(world, login, persona):
    session_a(world)
    drill_a(world)
    letter_a(world)
    _more(world, 1)
    client = login(world.users[persona])
    counts = {}
    for url in pages(world):
        assert client.get(url).status_code == 200  # warm the per-request caches alike
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        counts[url] = len(ctx.captured_queries)
    _more(world, 4)
    for url in pages(world):
        # The new people moved core.authcache's stamp: the first request reads the caller again.
        assert client.get(url).status_code == 200
        with CaptureQueriesContext(connection) as ctx:
            page = client.get(url)
        assert page.status_code == 200
        assert len(ctx.captured_queries) == counts[url], (url, [q["sql"] for q in ctx.captured_queries])
    # The rows are really there (the same count of queries is not an empty page).
    assert "补训4-3".encode() in client.get("/readiness/sessions/").content
    assert "演练4-3".encode() in client.get("/readiness/drills/").content
    assert "厨师43".encode() in client.get("/readiness/letters/").content
    assert "厨师43".encode() in client.get(pages(world)[0]).content
