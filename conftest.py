"""Root fixtures: the personas' world and logged-in clients. App fixtures live in each app's tests."""

from __future__ import annotations

import pytest
from django.test import Client

from shuangfang.orgs.tests.factories import PASSWORD, PERSONAS, World, make_world


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
