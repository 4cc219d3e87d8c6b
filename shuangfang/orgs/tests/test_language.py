"""A person's language: chosen on their own account page or by an administrator, it becomes the
pages' language at login (unless this browser already chose one)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from shuangfang.orgs.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_own_account_page_sets_the_language_and_login_uses_it(world, login):
    officer = world.users["safety_officer"]
    c = login(officer)
    assert "English" in c.get("/account/").content.decode()
    r = c.post("/account/", {"form": "language", "language": "en"})
    assert r.status_code == 302 and r.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    officer.refresh_from_db()
    assert officer.language == "en"
    assert c.post("/account/", {"form": "language", "language": "fr"}).status_code == 302
    officer.refresh_from_db()
    assert officer.language == "en"  # an unknown language is refused, nothing changed

    fresh = Client()
    r = fresh.post("/login/", {"username": officer.username, "password": PASSWORD})
    assert r.status_code == 302 and r.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    chosen = Client()
    chosen.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    r = chosen.post("/login/", {"username": officer.username, "password": PASSWORD})
    assert settings.LANGUAGE_COOKIE_NAME not in r.cookies  # this browser's own choice is kept


def test_an_administrator_sets_a_persons_language(world, login):
    cook = world.users["staff"]
    c = login(world.root)
    r = c.post(
        f"/orgs/people/{cook.uuid}/edit/",
        {
            "username": cook.username,
            "name": cook.name,
            "phone": cook.phone,
            "email": cook.email,
            "language": "en",
        },
    )
    assert r.status_code == 302, r.content.decode()[:500]
    cook.refresh_from_db()
    assert cook.language == "en"
