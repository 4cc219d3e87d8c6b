"""The hazard list API's fast path (issue 16): rows built without pydantic validation give exactly
what validation gave, the total costs no query when the page is not full, and a warm request with a
token reads the hazards and nothing else."""

import datetime as dt
import json
from decimal import Decimal
from unittest import mock
from uuid import UUID

import pytest
from django.db import connection
from django.db.models import Model
from django.test import Client
from django.test.utils import CaptureQueriesContext
from ninja import NinjaAPI, Router, Schema
from ninja.pagination import paginate
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder

from shuangfang.core import api as core_api
from shuangfang.hazards.api import HazardOut
from shuangfang.hazards.models import Hazard, HazardQuerySet
from shuangfang.orgs import services as org_services
from shuangfang.orgs.models import OrgKind, User
from shuangfang.orgs.roles import Role

from .conftest import soon


def _client(world, who="safety_officer", user=None) -> Client:
    _t, raw = org_services.issue_api_token(actor=user or world.users[who], name="bench")
    return Client(headers={"Authorization": f"Bearer {raw}"})


def _varied(world, report) -> None:
    first = report(title="灭火器过期")
    report(title="插座烧焦", location="")
    third = report(title="通道堵塞")
    Hazard.objects.filter(pk=first.pk).update(
        funds=Decimal("1234.50"),
        deadline=soon(-3),
        department=world.dept_a,
        responsible=world.users["staff"],
        supervision_deadline=soon(5),
        supervised=True,
    )
    closed = dt.datetime(2026, 1, 2, 3, 4, tzinfo=dt.UTC)
    Hazard.objects.filter(pk=third.pk).update(deadline=soon(10), closed_at=closed)


def test_unvalidated_rows_are_exactly_the_validated_ones(world, report):
    _varied(world, report)
    body = _client(world).get("/api/v1/hazards/hazards?limit=500").json()
    rows = Hazard.objects.select_related("organization", "department", "responsible").filter(
        uuid__in=[item["uuid"] for item in body["items"]]
    )
    by_uuid = {str(h.uuid): h for h in rows}
    validated = [HazardOut.model_validate(by_uuid[item["uuid"]]).model_dump() for item in body["items"]]
    assert json.loads(json.dumps(validated, cls=NinjaJSONEncoder)) == body["items"]
    assert len(body["items"]) == body["count"] == 3
    assert any(item["funds"] == "1234.50" and item["overdue"] for item in body["items"])


def test_the_list_is_read_as_values_and_written_as_ninja_would(world, report):
    """No hazard, organisation or person object is made for the list (building them was ≈ 45 % of
    a request), and the body is the JSON ninja writes from the validated schema: the same keys in
    the same order, the same values (text as UTF-8 rather than ``\\uXXXX`` escapes)."""
    _varied(world, report)
    client = _client(world)
    client.get("/api/v1/hazards/hazards")  # the token, its person and memberships are cached after this
    with mock.patch.object(Model, "from_db", side_effect=AssertionError("a model instance was made")):
        response = client.get("/api/v1/hazards/hazards?limit=2")
    assert response["Content-Type"] == "application/json; charset=utf-8"
    body = json.loads(response.content)
    hazards = Hazard.objects.select_related("organization", "department", "responsible")
    by_uuid = {str(h.uuid): h for h in hazards}
    page = {
        "items": [HazardOut.model_validate(by_uuid[item["uuid"]]).model_dump() for item in body["items"]],
        "count": 3,
    }
    written = json.loads(JSONRenderer().render(response.wsgi_request, page, response_status=200))
    assert body == written
    assert [list(item) for item in body["items"]] == [list(item) for item in written["items"]]
    assert list(body) == ["items", "count"]
    assert "插座烧焦".encode() in response.content and b"\\u" not in response.content


def test_a_schema_with_nested_schemas_is_refused_by_the_fast_path():
    class Inner(Schema):
        a: int

    class Outer(Schema):
        inner: Inner | None

    class Paged(Schema):
        items: list[Outer]

    class Op:
        response_models = {200: type("R", (Schema,), {"__annotations__": {"response": Paged}})}

    with pytest.raises(TypeError, match="Inner"):
        core_api._item_schema(Op)


def test_a_page_that_is_not_full_costs_no_count(world, report):
    for _ in range(3):
        report()
    client = _client(world)
    client.get("/api/v1/hazards/hazards")  # warm the token and membership cache
    with CaptureQueriesContext(connection) as ctx:
        body = client.get("/api/v1/hazards/hazards?limit=5").json()
    assert body["count"] == 3
    sql = [q["sql"] for q in ctx.captured_queries]
    assert len(sql) == 1 and "COUNT(" not in sql[0].upper(), sql
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/api/v1/hazards/hazards?limit=2&offset=2").json()["count"] == 3
    assert not any("COUNT(" in q["sql"].upper() for q in ctx.captured_queries)


def test_a_full_page_counts_once_then_remembers_briefly(world, report, settings):
    for _ in range(4):
        report()
    client = _client(world)
    assert client.get("/api/v1/hazards/hazards?limit=2").json()["count"] == 4
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/api/v1/hazards/hazards?limit=2").json()["count"] == 4
    assert not any("COUNT(" in q["sql"].upper() for q in ctx.captured_queries)
    # Another scope or filter is another count.
    assert client.get("/api/v1/hazards/hazards?limit=1&q=xyz").json()["count"] == 0
    assert _client(world, "outsider").get("/api/v1/hazards/hazards?limit=2").json()["count"] == 0
    settings.API_COUNT_CACHE_SECONDS = 0
    report()
    assert client.get("/api/v1/hazards/hazards?limit=2").json()["count"] == 5


def test_a_remembered_total_is_kept_in_the_process_not_in_the_shared_cache(world, report):
    """Each web process counts once per period rather than asking Redis on every request."""
    from django.core.cache import caches

    for _ in range(4):
        report()
    client = _client(world)
    client.get("/api/v1/hazards/hazards")  # warm the token and membership cache
    shared = caches["default"]  # this thread's, the one the test client's requests use
    asked: list[str] = []
    real_get = shared.get

    def get(key, *args, **kwargs):
        asked.append(key)
        return real_get(key, *args, **kwargs)

    with mock.patch.object(shared, "get", side_effect=get):
        assert client.get("/api/v1/hazards/hazards?limit=2").json()["count"] == 4
    assert asked and not [k for k in asked if "count" in k], asked
    counts = [k for k in caches["local"]._cache if k.startswith(":1:sf:count:")]  # type: ignore[attr-defined]
    assert len(counts) == 1


def test_an_offset_past_the_end_still_tells_the_total(world, report):
    for _ in range(2):
        report()
    body = _client(world).get("/api/v1/hazards/hazards?offset=10").json()
    assert body == {"items": [], "count": 2}


def test_an_offset_past_the_end_with_a_filter_that_matches_nothing_counts_zero():
    """A filter Django knows can match nothing (an empty ``IN``) has no SQL to count by: the total
    is 0, not a server error (found by the API fuzz: ``/risks/points?level=-70637&offset=68762``)."""
    assert core_api.list_count(Hazard.objects.filter(pk__in=[])) == 0


# --- The list page ------------------------------------------------------------------------------


def _page_sql(client, url="/hazards/") -> list[str]:
    client.get(url)  # warm: session, person and memberships come from the cache after this
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in ctx.captured_queries]


def test_the_common_filters_show_and_the_rest_wait_behind_more_until_one_is_set(world, login):
    client = login(world.users["safety_officer"])
    closed = client.get("/hazards/").content.decode()
    assert 'name="q"' in closed and 'name="status"' in closed and 'name="overdue"' in closed
    assert 'hx-get="?_form=more"' in closed and 'name="grade"' not in closed
    assert "更多筛选" in closed
    by_status = client.get("/hazards/?status=open").content.decode()
    assert "_form=more" in by_status and 'name="grade"' not in by_status  # a common one: still closed
    filtered = client.get("/hazards/?grade=major").content.decode()
    assert 'name="grade"' in filtered and "_form=more" not in filtered
    assert '<details class="filters-more" open>' in filtered
    panel = client.get("/hazards/?_form=more", headers={"HX-Request": "true"}).content.decode()
    assert 'name="grade"' in panel and 'name="status"' not in panel and "<table" not in panel


@pytest.mark.parametrize("who", ["bureau_supervisor", "safety_officer", "admin"])
def test_the_list_page_stays_within_ten_queries_and_reads_no_person(world, login, report, who):
    for _ in range(3):
        report()
    sql = _page_sql(login(world.users[who]))
    assert len(sql) <= 10, sql
    assert not any('FROM "orgs_user"' in q or 'FROM "orgs_membership"' in q for q in sql), sql


def test_a_bureau_gets_search_boxes_not_every_institution(world, login, report):
    report()
    client = login(world.users["bureau_supervisor"])
    sql = _page_sql(client)
    # No option list read (they are scoped: a path prefix); the home trail's one query stays.
    assert not any(q.startswith('SELECT "orgs_organization"') and " LIKE " in q for q in sql), sql
    assert "data-chooser" not in client.get("/hazards/").content.decode()  # the panel loads on opening
    body = client.get("/hazards/?_form=filter").content.decode()
    assert body.count("data-chooser") == 2
    assert world.inst_b.name not in body  # offered only when searched


def test_an_institution_keeps_its_short_dropdowns(world, login):
    body = login(world.users["safety_officer"]).get("/hazards/?_form=filter").content.decode()
    assert "data-chooser" not in body
    assert f">{world.dept_a.name}</option>" in body


def test_a_chosen_institution_is_shown_and_filters(world, login, report):
    in_a = report()
    in_b = report(org=world.inst_b, who="outsider")
    client = login(world.users["bureau_supervisor"])
    body = client.get(f"/hazards/?organization={world.inst_b.pk}").content.decode()
    assert f'<option value="{world.inst_b.pk}" selected>{world.inst_b.name}</option>' in body
    assert str(in_b.uuid) in body and str(in_a.uuid) not in body


def test_a_filter_given_twice_is_refused_not_silently_the_last_one(world, report):
    report()
    client = _client(world)
    r = client.get("/api/v1/hazards/hazards?status=open&status=closed")
    assert r.status_code == 422
    assert r.json()["detail"] == [
        {"type": "repeated", "loc": ["query", "status"], "msg": "status 只能给出一次。"}
    ]
    assert client.get("/api/v1/hazards/hazards?status=open").status_code == 200


# --- core.api.paginate_values, the list's fast path, on its own --------------------------------


class _Out(Schema):
    uuid: UUID
    title: str
    institution: UUID
    overdue: bool

    @staticmethod
    def resolve_institution(obj: Hazard) -> UUID:
        return obj.organization.uuid


def _operation_doc(decorator, **sources) -> dict:
    router = Router()

    @router.get("/items", response=list[_Out], summary="Items")
    @decorator
    def items(request, colour: str | None = None):
        return Hazard.objects.all()

    api = NinjaAPI(urls_namespace=f"values-test-{id(router)}")
    api.add_router("/", router)
    return api.get_openapi_schema(path_prefix="/")


def test_a_values_list_has_the_parameters_and_answer_of_paginate_in_the_openapi_document():
    sources: dict[str, core_api.Source] = {
        "institution": "organization__uuid",
        "overdue": lambda row, today: False,
    }
    assert _operation_doc(core_api.paginate_values(**sources)) == _operation_doc(paginate)


@pytest.mark.parametrize(
    ("sources", "problem"),
    [
        ({"overdue": lambda row, today: False}, "_Out.institution has a resolver: give its source"),
        ({"institution": "organization__uuid", "colour": "title"}, "_Out has no field colour"),
    ],
)
def test_a_field_the_values_path_would_read_wrongly_is_refused_when_the_route_is_made(
    sources: dict[str, core_api.Source], problem: str
):
    with pytest.raises(TypeError, match=problem):
        _operation_doc(core_api.paginate_values(**sources))


def test_a_scope_that_can_match_nothing_lists_nothing_at_any_offset(world, report):
    """An outsider's scope is empty: the query cannot be compiled (nothing can match), and the page
    is empty with a total of 0, as before (role × tenant: the outsider sees no hazard of others)."""
    report()
    stranger = User.objects.create(username="stranger", name="陌生人")  # no membership, no role
    for offset in (0, 10):
        body = _client(world, user=stranger).get(f"/api/v1/hazards/hazards?offset={offset}").json()
        assert body == {"items": [], "count": 0}


def test_a_repeated_list_request_neither_builds_nor_compiles_its_query(world, report, settings):
    report()
    client = _client(world)
    settings.TESTING = False  # under test every reuse is checked against a fresh compile
    with mock.patch.object(
        HazardQuerySet, "for_user", autospec=True, side_effect=HazardQuerySet.for_user
    ) as built:
        first = client.get("/api/v1/hazards/hazards?status=open").json()
        assert client.get("/api/v1/hazards/hazards?status=open").json() == first
        assert built.call_count == 1
        assert client.get("/api/v1/hazards/hazards?status=closed").json()["count"] == 0  # other filters
        assert built.call_count == 2
    assert first["count"] == 1


def test_a_new_role_is_a_new_scope_not_the_remembered_query(world, report):
    in_b = report(org=world.inst_b, who="outsider")
    officer = world.users["safety_officer"]
    client = _client(world)
    assert str(in_b.uuid) not in {
        item["uuid"] for item in client.get("/api/v1/hazards/hazards").json()["items"]
    }
    org_services.add_membership(
        actor=world.root, person=officer, organization=world.inst_b, role=Role.SAFETY_OFFICER
    )
    assert str(in_b.uuid) in {item["uuid"] for item in client.get("/api/v1/hazards/hazards").json()["items"]}


def test_a_remembered_query_whose_key_misses_an_input_fails_under_test(world, report):
    report(title="甲")
    memo: dict = {}

    def page(title: str) -> list[tuple]:
        return core_api._CompiledOnce(
            lambda: Hazard.objects.filter(title=title).values_list("title"), "the same key", memo
        )[0:5]

    assert page("甲") == [("甲",)]
    with pytest.raises(AssertionError, match="does not hold all the view's inputs"):
        page("乙")


def test_a_list_page_that_is_not_full_costs_no_count_and_reads_only_its_columns(world, login, report):
    for _ in range(3):
        report()
    client = login(world.users["safety_officer"])
    sql = _page_sql(client)
    hazard_sql = [q for q in sql if 'FROM "hazards_hazard"' in q]
    assert len(hazard_sql) == 1 and "COUNT(" not in hazard_sql[0].upper(), sql
    assert '"hazards_hazard"."description"' not in hazard_sql[0]  # the columns shown, not the record
    assert client.get("/hazards/").context["page_obj"].paginator.count == 3
    for _ in range(3):
        report()
    assert len(_page_sql(client)) == len(sql)  # nothing read per row


def test_a_full_list_page_counts_once_then_remembers_briefly(world, login, report, monkeypatch):
    from shuangfang.core.listing import ListPage

    monkeypatch.setattr(ListPage, "per_page", 2)
    made = [report() for _ in range(5)]
    client = login(world.users["safety_officer"])
    first = client.get("/hazards/")
    assert first.context["page_obj"].paginator.count == 5
    with CaptureQueriesContext(connection) as ctx:
        again = client.get("/hazards/")
    assert again.context["page_obj"].paginator.count == 5
    assert not any("COUNT(" in q["sql"].upper() for q in ctx.captured_queries)
    # Another filter is another count; a short last page tells its total without one.
    assert client.get("/hazards/?q=no-such-words").context["page_obj"].paginator.count == 0
    last = client.get("/hazards/?page=3")
    assert last.context["page_obj"].number == 3 and len(last.context["rows"]) == 1
    # Past the end: the last page; not a number: the first (as Django's paginator does).
    past = client.get("/hazards/?page=99").context["page_obj"]
    assert past.number == 3 and past.paginator.num_pages == 3
    assert client.get("/hazards/?page=x").context["page_obj"].number == 1
    assert client.get("/hazards/?page=0").context["page_obj"].number == 3
    shown = last.content.decode()
    assert sum(str(h.uuid) in shown for h in made) == 1


def _without_tokens(html: str) -> str:
    import re

    return re.sub(r"[A-Za-z0-9]{64}", "", html)  # the CSRF tokens


def test_an_unfiltered_page_shows_the_common_filters_without_building_the_filter_set(
    world, login, report, monkeypatch
):
    from shuangfang.core import listing
    from shuangfang.hazards.filters import HazardFilter

    report()
    monkeypatch.setattr(listing, "_COMMON_HTML", {})
    client = login(world.users["bureau_supervisor"])
    built = []
    real_init = HazardFilter.__init__

    def counting_init(self, *args, **kwargs):
        built.append(args)
        real_init(self, *args, **kwargs)

    monkeypatch.setattr(HazardFilter, "__init__", counting_init)
    for language in ("zh-hans", "en"):  # kept per language
        client.cookies["django_language"] = language
        client.get("/hazards/")  # renders the common fields once for this language
        built.clear()
        kept = client.get("/hazards/").content.decode()
        assert built == []
        monkeypatch.setattr(HazardFilter, "common_for_everyone", False)
        fresh = client.get("/hazards/").content.decode()
        monkeypatch.setattr(HazardFilter, "common_for_everyone", True)
        assert len(built) == 1
        assert _without_tokens(kept) == _without_tokens(fresh)
        assert 'name="q"' in kept and 'name="status"' in kept and 'name="overdue"' in kept
    assert ">Search<" in kept
    # A filter set builds the filter set, and shows the value chosen.
    built.clear()
    assert '<option value="open" selected>' in client.get("/hazards/?status=open").content.decode()
    assert len(built) == 1


def _prepared_lists() -> list[tuple[int, int]]:
    """The hazard statements prepared on this connection: (generic plans, custom plans) of each."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement LIKE %s",
            ["%hazards_hazard%"],
        )
        return cursor.fetchall()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")
@pytest.mark.parametrize("prepared", [True, False])
@pytest.mark.parametrize("who", ["safety_officer", "bureau_supervisor"])
def test_a_repeated_list_is_planned_once_by_postgresql(world, report, settings, prepared, who):
    """The remembered list query goes with its parameters bound on the server, so psycopg prepares
    it and PostgreSQL plans it once and reuses that plan (planning was five times the execution).
    The scope is in it as its organisations' ids, not the scope's ``LIKE`` subquery: on the bench's
    data (bench/bench_web.py, 20,000 hazards) PostgreSQL judged the generic plan of the ``LIKE``
    worse every time (0 generic plans in 520 runs; it is 25 ms where a custom plan is 1.4 ms) and
    planned each run again. On this test's few rows both shapes get the generic plan."""
    settings.DB_PREPARED_STATEMENTS = prepared
    _varied(world, report)
    client = _client(world, who)
    first = client.get("/api/v1/hazards/hazards?status=open").json()
    with CaptureQueriesContext(connection) as seen:
        for _ in range(9):
            assert client.get("/api/v1/hazards/hazards?status=open").json() == first
    assert first["count"] == 3
    assert len(seen) == 9  # one query per request, logged and counted as any other
    assert " LIKE " not in seen[-1]["sql"]
    if prepared:
        # Nine runs prepared (the first request compiled the query through the ORM): PostgreSQL
        # tried five custom plans, then kept the generic one for the other four.
        assert _prepared_lists() == [(4, 5)]
    else:
        assert _prepared_lists() == []


@pytest.mark.parametrize("auth_cache_seconds", [60, 0])
def test_a_new_institution_under_the_bureau_is_in_the_supervisors_list_at_once(
    world, report, settings, auth_cache_seconds
):
    """The scope's ids are remembered per tree: a new institution is in the next list (with the
    auth cache turned off too: the remembered statement holds the ids)."""
    settings.AUTH_CACHE_SECONDS = auth_cache_seconds
    settings.TESTING = False  # (under test every reuse is checked against a fresh compile)
    supervisor = world.users["bureau_supervisor"]
    report()
    client = _client(world, user=supervisor)
    assert client.get("/api/v1/hazards/hazards").json()["count"] == 1
    added = org_services.create_organization(
        actor=world.root,
        parent=world.bureau,
        name="新建养老院",
        kind=OrgKind.INSTITUTION,
        institution_type=world.inst_b.institution_type,
    )
    org_services.add_membership(
        actor=world.root, person=world.users["staff"], organization=added, role=Role.STAFF
    )
    in_added = report(org=added)
    items = client.get("/api/v1/hazards/hazards").json()["items"]
    assert str(in_added.uuid) in {item["uuid"] for item in items} and len(items) == 2


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")
def test_a_wide_scope_is_written_into_the_statement_as_one_array(world, report):
    """A bureau's scope goes into the statement as one array constant, neither a placeholder per
    organisation (psycopg caches no statement of more than 50 parameters) nor an array parameter
    (PostgreSQL then planned every run again for hundreds of ids): the statement is prepared with
    the ids in its text and PostgreSQL keeps its plan."""
    for n in range(60):
        org_services.create_organization(
            actor=world.root, parent=world.inst_b, name=f"科室{n}", kind=OrgKind.DEPARTMENT
        )
    in_a, in_b = report(), report(org=world.inst_b, who="outsider")
    client = _client(world, "bureau_supervisor")
    for _ in range(10):
        items = client.get("/api/v1/hazards/hazards").json()["items"]
    assert {item["uuid"] for item in items} == {str(in_a.uuid), str(in_b.uuid)}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT statement, generic_plans FROM pg_prepared_statements WHERE statement LIKE %s",
            ["%hazards_hazard%"],
        )
        [(statement, generic)] = cursor.fetchall()
    assert '"organization_id" = ANY(\'{' in statement and "$1" not in statement, statement
    assert generic == 9  # no parameter left: planned once, that plan used for all nine prepared runs
