"""Root fixtures: the personas' world and logged-in clients. App fixtures live in each app's tests."""

from __future__ import annotations

import pytest
from django.test import Client

from shuangfang.orgs.tests.factories import PASSWORD, PERSONAS, World, make_world


def pytest_configure(config):
    # The .mo files are build products (git ignores them): compile them so a bare `pytest` works.
    from shuangfang.core.i18n import compile_all

    compile_all()


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


@pytest.fixture(autouse=True)
def _clear_cache():
    """Login throttling counts in the cache (Redis in CI): start each test with a clean slate."""
    from django.contrib.contenttypes.models import ContentType
    from django.core.cache import cache

    cache.clear()
    # A transactional test may have re-created content types under new ids: never trust the cache.
    ContentType.objects.clear_cache()


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
