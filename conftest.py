"""Root fixtures: the personas' world and logged-in clients. App fixtures live in each app's tests."""

from __future__ import annotations

import pytest
from django.test import Client

from shuangfang.orgs.tests.factories import PASSWORD, PERSONAS, World, make_world


def pytest_configure(config):
    # The .mo files are build products (git ignores them): compile them so a bare `pytest` works.
    from shuangfang.core.i18n import compile_all

    compile_all()


@pytest.fixture(autouse=True)
def _clear_cache():
    """Login throttling counts in the cache (Redis in CI): start each test with a clean slate."""
    from django.core.cache import cache

    cache.clear()
    return


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
