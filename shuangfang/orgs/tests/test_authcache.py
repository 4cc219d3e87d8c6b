"""Tokens and memberships are cached across requests (core.authcache), and every change to them
takes effect on the very next request (issue 16)."""

import datetime as dt
import os
import subprocess
import sys
from unittest import mock

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from shuangfang.core import authcache
from shuangfang.core.tenancy import scope_roots
from shuangfang.orgs import services
from shuangfang.orgs.models import ApiToken, Membership
from shuangfang.orgs.roles import Role
from shuangfang.orgs.tests.factories import make_world

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def bearer(raw: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {raw}"})


def tables_read(client: Client, path: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as ctx:
        status = client.get(path).status_code
    return status, " ".join(q["sql"] for q in ctx.captured_queries)


def test_a_known_token_and_its_memberships_are_read_from_the_cache(world):
    _t, raw = services.issue_api_token(actor=world.users["safety_officer"], name="x")
    client = bearer(raw)
    status, sql = tables_read(client, "/api/v1/hazards/hazards")
    assert status == 200 and "orgs_apitoken" in sql and "orgs_membership" in sql
    status, sql = tables_read(client, "/api/v1/hazards/hazards")
    assert status == 200
    assert "orgs_apitoken" not in sql and "orgs_membership" not in sql


def test_a_revoked_token_stops_working_at_once(world):
    officer = world.users["safety_officer"]
    token, raw = services.issue_api_token(actor=officer, name="x")
    client = bearer(raw)
    assert client.get("/api/v1/orgs/me").status_code == 200  # now cached
    services.revoke_api_token(actor=officer, token=token)
    r = client.get("/api/v1/orgs/me")
    assert r.status_code == 401 and "吊销" in r.json()["detail"]


def test_a_deleted_token_or_a_deactivated_owner_stops_working_at_once(world):
    staff, head = world.users["staff"], world.users["institution_head"]
    token, raw = services.issue_api_token(actor=staff, name="a")
    _t2, raw2 = services.issue_api_token(actor=staff, name="b")
    assert bearer(raw).get("/api/v1/orgs/me").status_code == 200
    assert bearer(raw2).get("/api/v1/orgs/me").status_code == 200
    ApiToken.objects.get(pk=token.pk).delete()
    assert bearer(raw).get("/api/v1/orgs/me").status_code == 401
    services.update_person(actor=head, person=staff, is_active=False)
    assert bearer(raw2).get("/api/v1/orgs/me").status_code == 401


def test_a_person_deactivated_in_the_admin_loses_their_token_at_once(world, login):
    staff = world.users["staff"]
    _t, raw = services.issue_api_token(actor=staff, name="x")
    assert bearer(raw).get("/api/v1/orgs/me").status_code == 200
    staff.is_active = False
    staff.save()  # what the admin's change form does
    assert bearer(raw).get("/api/v1/orgs/me").status_code == 401


def test_a_removed_role_stops_working_at_once(world):
    officer, head = world.users["safety_officer"], world.users["institution_head"]
    _t, raw = services.issue_api_token(actor=officer, name="x")
    client = bearer(raw)
    assert client.get("/api/v1/hazards/hazards").json()["count"] == 0
    assert client.get(f"/api/v1/orgs/organizations/{world.inst_a.uuid}").status_code == 200
    for membership in Membership.objects.filter(user=officer):
        services.end_membership(actor=head, membership=membership)
    assert client.get(f"/api/v1/orgs/organizations/{world.inst_a.uuid}").status_code == 404


def test_a_role_changed_in_place_takes_effect_at_once(world):
    staff = world.users["staff"]
    _t, raw = services.issue_api_token(actor=staff, name="x")
    client = bearer(raw)
    assert client.get(f"/api/v1/orgs/organizations/{world.inst_b.uuid}").status_code == 404
    membership = Membership.objects.filter(user=staff).first()
    assert membership is not None
    membership.organization = world.bureau
    membership.role = Role.BUREAU_SUPERVISOR
    membership.save()  # the admin's membership inline
    assert client.get(f"/api/v1/orgs/organizations/{world.inst_b.uuid}").status_code == 200


def test_a_moved_tree_node_changes_every_cached_scope(world, django_capture_on_commit_callbacks):
    head_b = world.users["outsider"]
    roots = scope_roots(head_b, "org.view")
    old_path = world.inst_b.path
    assert roots == [old_path]
    world.inst_b.path = world.dept_a.path + "9999/"
    with django_capture_on_commit_callbacks(execute=True):
        world.inst_b.save(update_fields=["path"])
    # A new request: the per-request cache is gone, the cross-request one is left.
    head_b.__dict__.pop("_shuangfang_scope_cache", None)
    assert scope_roots(head_b, "org.view") == [world.dept_a.path + "9999/"]


def test_a_membership_that_ends_today_is_gone_tomorrow_even_if_cached(world):
    staff = world.users["staff"]
    with time_machine.travel(NOW, tick=False):
        Membership.objects.filter(user=staff).update(valid_until=dt.date(2026, 3, 2))
        authcache.forget("memberships", staff.pk)  # update() bypasses the signals
        assert scope_roots(staff, "org.view")
        staff.__dict__.pop("_shuangfang_scope_cache", None)
    with time_machine.travel(NOW + dt.timedelta(days=1), tick=False):
        assert scope_roots(staff, "org.view") == []


def test_with_the_cache_off_every_request_reads_the_database(world, settings):
    settings.AUTH_CACHE_SECONDS = 0
    _t, raw = services.issue_api_token(actor=world.users["staff"], name="x")
    client = bearer(raw)
    client.get("/api/v1/orgs/me")
    _status, sql = tables_read(client, "/api/v1/orgs/me")
    assert "orgs_apitoken" in sql


def test_the_signed_in_person_is_read_from_the_cache_and_dropped_on_change(world, login):
    staff = world.users["staff"]
    client = login(staff)
    assert client.get("/hazards/").status_code == 200
    status, sql = tables_read(client, "/hazards/")
    assert status == 200 and 'FROM "orgs_user"' not in sql
    staff.is_active = False
    staff.save()
    r = client.get("/hazards/")
    assert r.status_code == 302 and "/login" in r["Location"]


def test_a_changed_password_ends_the_other_sessions_at_once(world, login):
    staff = world.users["staff"]
    client = login(staff)
    assert client.get("/hazards/").status_code == 200
    staff.set_password("another-long-password-42")
    staff.save()
    assert client.get("/hazards/").status_code == 302


def test_an_entry_read_while_a_change_lands_is_stale_at_once(world):
    """An entry carries the stamp taken before its rows were read: a change that lands during the
    read (here, from inside the load) leaves the entry stale, not cached for a minute."""
    with authcache.request_scope():

        def load():
            authcache.forget("token", "some other hash")  # another request's change, mid-read
            return "read before the change"

        assert authcache.remembered("token", "h", load) == "read before the change"
        assert authcache.get("token", "h") is None
        assert authcache.remembered("token", "h", lambda: "read again") == "read again"
        assert authcache.get("token", "h") == "read again"


def test_each_lookup_gets_its_own_copy(world):
    """Requests never share a remembered model instance (per-request caches live on them)."""
    staff = world.users["staff"]
    with authcache.request_scope():
        authcache.put("user", staff.pk, ("backend", staff))
        first, second = authcache.get("user", staff.pk)[1], authcache.get("user", staff.pk)[1]
    assert first == second == staff and first is not second
    first.__dict__["_shuangfang_scope_cache"] = {"memberships": []}
    assert "_shuangfang_scope_cache" not in second.__dict__


def test_the_stamp_is_read_once_per_request(world):
    """Whatever a request looks up of its caller, the shared cache is asked once."""
    _t, raw = services.issue_api_token(actor=world.users["safety_officer"], name="x")
    client = bearer(raw)
    client.get("/api/v1/hazards/hazards")
    with mock.patch.object(authcache.cache, "get", wraps=authcache.cache.get) as asked:
        assert client.get("/api/v1/hazards/hazards").status_code == 200
    assert [c.args[0] for c in asked.call_args_list].count(authcache.STAMP) == 1


@pytest.mark.django_db(transaction=True)
def test_a_change_made_in_another_process_takes_effect_on_the_next_request(settings):
    """Two web processes: one revokes a token and ends a membership, the other's next requests see
    both (the shared stamp moved), though it had them remembered."""
    if "redis" not in settings.CACHES["default"]["BACKEND"].lower():
        pytest.skip("needs the shared cache of a scaled-out install (REDIS_URL; CI sets it)")
    world = make_world()
    officer, staff, head = (
        world.users["safety_officer"],
        world.users["staff"],
        world.users["institution_head"],
    )
    token, raw = services.issue_api_token(actor=officer, name="x")
    _t, raw_staff = services.issue_api_token(actor=staff, name="y")
    client, client_staff = bearer(raw), bearer(raw_staff)
    inst_a = f"/api/v1/orgs/organizations/{world.inst_a.uuid}"
    for c in (client, client_staff):
        assert c.get(inst_a).status_code == 200
    for c in (client, client_staff):
        status, sql = tables_read(c, inst_a)
        assert status == 200 and "orgs_apitoken" not in sql and "orgs_membership" not in sql  # remembered
    code = (
        "import django; django.setup()\n"
        "from shuangfang.orgs import services\n"
        "from shuangfang.orgs.models import ApiToken, Membership, User\n"
        f"head = User.objects.get(pk={head.pk})\n"
        f"owner = User.objects.get(pk={officer.pk})\n"
        f"services.revoke_api_token(actor=owner, token=ApiToken.objects.get(pk={token.pk}))\n"
        f"for m in Membership.objects.filter(user_id={staff.pk}):\n"
        "    services.end_membership(actor=head, membership=m)\n"
    )
    db = connection.settings_dict
    # The other process uses this one's database and Redis database as they are (not moved again
    # for a pytest-xdist worker: settings gives gwN a Redis database of its own).
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_XDIST_WORKER"}
    env = {
        **env,
        "DJANGO_SETTINGS_MODULE": "shuangfang.config.settings",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": settings.CACHES["default"]["LOCATION"],
    }
    if connection.vendor != "postgresql":
        env["DATABASE_URL"] = f"sqlite:///{db['NAME']}"
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    r = client.get("/api/v1/orgs/me")
    assert r.status_code == 401 and "吊销" in r.json()["detail"]
    assert client_staff.get(inst_a).status_code == 404


def test_outside_a_request_a_lookup_reads_the_stamp_once(world):
    """A worker's scope check (no request) asks the shared cache once per lookup, hit or miss."""
    staff = world.users["staff"]
    for _ in range(2):  # a miss, then a hit
        staff.__dict__.pop("_shuangfang_scope_cache", None)
        with mock.patch.object(authcache.cache, "get", wraps=authcache.cache.get) as asked:
            assert scope_roots(staff, "org.view")
        assert [c.args[0] for c in asked.call_args_list].count(authcache.STAMP) == 1
