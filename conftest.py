"""Root fixtures: the personas' world and logged-in clients. App fixtures live in each app's tests."""

from __future__ import annotations

import datetime as dt
import os

import pytest
import time_machine
from django.test import Client

from shuangfang.orgs.tests.factories import PASSWORD, PERSONAS, World, make_world

_TRAVEL = pytest.StashKey["time_machine.travel"]()


def pytest_configure(config):
    # The .mo files are build products (git ignores them): compile them so a bare `pytest` works.
    # Under pytest-xdist the controller compiles them before the workers start; workers only read.
    if hasattr(config, "workerinput"):
        return
    from shuangfang.core.i18n import compile_all

    compile_all()


def pytest_sessionstart(session):
    """``SHUANGFANG_TEST_NOW=2027-01-31T23:59:30+08:00 make test`` runs the suite as if it were
    that moment (the clock ticks on from it): a test that silently relies on today's date (the
    month or quarter it falls in, the day of the week) shows itself at a period's end. Tests that
    set their own clock are unaffected."""
    moment = os.environ.get("SHUANGFANG_TEST_NOW", "")
    if moment:
        traveller = time_machine.travel(dt.datetime.fromisoformat(moment), tick=True)
        traveller.start()
        session.config.stash[_TRAVEL] = traveller


def pytest_sessionfinish(session):
    traveller = session.config.stash.get(_TRAVEL, None)
    if traveller is not None:
        traveller.stop()


def pytest_collection_modifyitems(items):
    """Transactional tests (browser journeys, concurrency tests) empty every table when they end,
    which would also remove the rows that migrations seed (assessment methods, alarm rules, check
    item library, message templates). Give each of them ``serialized_rollback`` so Django restores
    the migrated content before it runs."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        kwargs = dict(marker.kwargs) if marker else {}
        fixtures = getattr(item, "fixturenames", ())
        transactional = (
            kwargs.get("transaction") or "transactional_db" in fixtures or "live_server" in fixtures
        )
        if transactional and not kwargs.get("serialized_rollback"):
            kwargs.update(transaction=True, serialized_rollback=True)
            item.add_marker(pytest.mark.django_db(**kwargs), append=False)


def _emptying_sql(style, connection, reset_sequences=True, allow_cascade=False):
    """What a transactional test's teardown runs to empty the database, on PostgreSQL: ``DELETE``
    of the tables that hold rows, with foreign-key triggers off for the transaction, instead of
    Django's ``TRUNCATE`` of every table (≈ 250 tables: 4–5 s per test on this machine even when
    they are empty; this takes milliseconds). Other databases, and a flush that resets sequences,
    keep Django's statements."""
    from django.core.management.sql import sql_flush

    if connection.vendor != "postgresql" or reset_sequences:
        return sql_flush(style, connection, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
    tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
    quote = connection.ops.quote_name
    # Table names come from the models, quoted: no outside input reaches these statements.
    probe = " UNION ALL ".join(
        f"SELECT {n} WHERE EXISTS (SELECT 1 FROM {quote(t)})"  # noqa: S608
        for n, t in enumerate(tables)
    )
    with connection.cursor() as cursor:
        cursor.execute(probe)
        holding = [tables[row[0]] for row in cursor.fetchall()]
    if not holding:
        return []
    deletes = [f"DELETE FROM {quote(t)}" for t in holding]  # noqa: S608
    return ["SET LOCAL session_replication_role = replica", *deletes]


@pytest.fixture(autouse=True, scope="session")
def _fast_emptying():
    from django.core.management.commands import flush

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(flush, "sql_flush", _emptying_sql)
        yield


@pytest.fixture(autouse=True)
def _clear_cache():
    """Login throttling counts in the cache (Redis in CI): start each test with a clean slate."""
    from django.contrib.contenttypes.models import ContentType
    from django.core.cache import cache, caches

    from shuangfang.core import authcache

    cache.clear()
    caches["local"].clear()
    authcache.clear_local()
    # A transactional test may have re-created content types under new ids: never trust the cache.
    ContentType.objects.clear_cache()


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language. A test client request in English leaves English
    active in the thread (LocaleMiddleware activates it and nothing resets it), so names a later
    test makes with gettext (a plan called "灭火器 · 月度检查") would come out in English."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture
def world(db) -> World:
    return make_world()


@pytest.fixture
def login():
    """``login(user)`` → a test client with that user's session (``None`` → anonymous)."""

    def _login(user) -> Client:
        client = Client()
        if user is not None:
            assert client.login(username=user.username, password=PASSWORD)
        return client

    return _login


@pytest.fixture(params=PERSONAS)
def persona(request) -> str:
    return request.param
