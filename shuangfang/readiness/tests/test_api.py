"""The readiness lists in the API: the caller's scope only (the pages' rules), filters, paging,
and a constant number of queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from shuangfang.orgs import services
from shuangfang.readiness import drills, letters
from shuangfang.readiness.choices import LetterLevel

from .helpers import drill_a, letter_a, session_a, template_b

pytestmark = pytest.mark.django_db


def api(user) -> Client:
    _token, raw = services.issue_api_token(actor=user, name="t", scope="read")
    return Client(headers={"Authorization": f"Bearer {raw}"})


def uuids(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["uuid"] for row in response.json()["items"]}


def _dept_head_letter(w) -> None:
    letters.generate_letters(
        actor=w.users["institution_head"],
        template=template_b(w, LetterLevel.DEPARTMENT_HEAD),
        institution=w.inst_a,
        year=2026,
    )


def test_lists_show_the_callers_scope_only(world):
    drill, session, letter = drill_a(world), session_a(world), letter_a(world)
    _dept_head_letter(world)
    other = drills.plan_drill(
        actor=world.users["outsider"],
        institution=world.inst_b,
        title="养老院演练",
        planned_on=drill.planned_on,
    )
    staff, outsider, officer = (api(world.users[p]) for p in ("staff", "outsider", "safety_officer"))
    assert uuids(staff.get("/api/v1/readiness/drills")) == {str(drill.uuid)}
    assert uuids(outsider.get("/api/v1/readiness/drills")) == {str(other.uuid)}
    assert uuids(api(world.users["bureau_supervisor"]).get("/api/v1/readiness/drills")) == {
        str(drill.uuid),
        str(other.uuid),
    }
    assert uuids(staff.get("/api/v1/readiness/sessions")) == {str(session.uuid)}
    assert uuids(outsider.get("/api/v1/readiness/sessions")) == set()
    # Letters: the staff member sees their own only, the officer all of the institution's.
    all_a = set(letters.visible(world.users["safety_officer"]).values_list("uuid", flat=True))
    assert len(all_a) > 1
    assert uuids(staff.get("/api/v1/readiness/letters")) == {str(letter.uuid)}
    assert uuids(officer.get("/api/v1/readiness/letters")) == {str(u) for u in all_a}
    assert uuids(outsider.get("/api/v1/readiness/letters")) == set()
    row = staff.get("/api/v1/readiness/letters").json()["items"][0]
    assert row["holder_name"] == world.users["staff"].name and row["status"] == "issued"
    assert row["institution"] == str(world.inst_a.uuid) and "signed_pdf" not in row


def test_filters_and_bad_input(world):
    drill_a(world)
    session_a(world)
    letter_a(world)
    _dept_head_letter(world)
    bureau = api(world.users["bureau_supervisor"])
    got = bureau.get(f"/api/v1/readiness/drills?institution={world.inst_b.uuid}")
    assert uuids(got) == set()
    assert uuids(bureau.get("/api/v1/readiness/drills?status=planned")) == {str(drill_a(world).uuid)}
    assert uuids(bureau.get("/api/v1/readiness/drills?status=executed")) == set()
    assert uuids(bureau.get("/api/v1/readiness/sessions?open=false")) == set()
    assert uuids(bureau.get("/api/v1/readiness/sessions?open=true")) == {str(session_a(world).uuid)}
    assert uuids(bureau.get("/api/v1/readiness/letters?year=2025")) == set()
    assert len(uuids(bureau.get("/api/v1/readiness/letters?year=2026&status=issued"))) > 1
    assert bureau.get("/api/v1/readiness/drills?institution=not-a-uuid").status_code == 422
    assert bureau.get("/api/v1/readiness/letters?year=abc").status_code == 422
    assert bureau.get("/api/v1/readiness/letters?status=" + "x" * 200).status_code == 422


def test_list_queries_do_not_grow(world):
    officer = world.users["safety_officer"]
    client = api(officer)
    drill_a(world)
    session_a(world)
    letter_a(world)
    counts = {}
    paths = ["/api/v1/readiness/drills", "/api/v1/readiness/sessions", "/api/v1/readiness/letters"]
    for path in paths:
        client.get(path)
        with CaptureQueriesContext(connection) as ctx:
            client.get(path)
        counts[path] = len(ctx.captured_queries)
    for i in range(5):
        drills.plan_drill(
            actor=officer, institution=world.inst_a, title=f"演练{i}", planned_on=drill_a(world).planned_on
        )
    letters.generate_letters(
        actor=world.users["institution_head"], template=template_b(world), institution=world.inst_a, year=2027
    )
    for path in paths:
        with CaptureQueriesContext(connection) as ctx:
            got = client.get(path)
        assert got.status_code == 200 and len(ctx.captured_queries) == counts[path], path
    assert len(client.get("/api/v1/readiness/drills").json()["items"]) == 6
