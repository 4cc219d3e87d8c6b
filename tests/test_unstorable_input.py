"""Issue 13, text a database cannot keep in page input: a NUL character or a lone surrogate in any
form value is refused in one place (``core.middleware.UnstorableInputMiddleware``) with a 400 page
in the user's language, and nothing is stored."""

from __future__ import annotations

import io
import uuid

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from shuangfang.hazards.models import Hazard
from shuangfang.notifications.models import Provider
from shuangfang.risks.models import RiskPoint
from shuangfang.risks.tests.fixtures import risk_world

MIDDLEWARE = "shuangfang.core.middleware.UnstorableInputMiddleware"
NUL_REASON_ZH = "不能包含 NUL 字符"


def test_the_check_is_installed_where_it_sees_the_user_and_the_language():
    chain = settings.MIDDLEWARE
    assert MIDDLEWARE in chain
    position = chain.index(MIDDLEWARE)
    assert chain.index("django.middleware.locale.LocaleMiddleware") < position
    assert chain.index("shuangfang.core.middleware.AuthenticationMiddleware") < position


@pytest.mark.django_db
def test_a_nul_in_the_snap_report_is_a_400_in_chinese_and_nothing_is_stored(world, login):
    client = login(world.users["staff"])
    r = client.post(
        reverse("hazards:report"),
        {"description": "消防通道\x00堆放杂物", "location": "二楼走廊", "source": "snap"},
    )
    assert r.status_code == 400
    assert NUL_REASON_ZH in r.content.decode()
    assert not Hazard.objects.exists()


@pytest.mark.django_db
def test_a_nul_in_the_snap_report_is_explained_in_english_for_an_english_user(world, login):
    client = login(world.users["staff"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    r = client.post(reverse("hazards:report"), {"description": "Leak\x00", "source": "snap"})
    assert r.status_code == 400
    assert "Text may not contain NUL characters." in r.content.decode()


@pytest.mark.django_db
def test_a_nul_in_the_risk_point_edit_form_is_a_400_and_the_point_is_unchanged(world, login):
    point = risk_world(world).point
    client = login(world.users["safety_officer"])
    r = client.post(reverse("risks:point_edit", args=[point.uuid]), {"name": "厨房\x00", "kind": point.kind})
    assert r.status_code == 400
    assert NUL_REASON_ZH in r.content.decode()
    assert RiskPoint.objects.get(pk=point.pk).name == point.name


@pytest.mark.django_db
def test_a_lone_surrogate_written_as_json_in_a_form_value_is_refused(world, login):
    """Form values cannot carry a lone surrogate (Django decodes them with replacement), but a value
    that holds JSON can: ``"\\ud800"`` decodes to one (the provider form's parameters, say)."""
    client = login(world.users["admin"])
    r = client.post(
        reverse("hazards:report"),
        {"description": '{"a": "\\ud800"}', "source": "snap"},
    )
    assert r.status_code == 400
    assert "ud800" not in r.content.decode()
    assert not Hazard.objects.exists()
    assert not Provider.objects.exists()


@pytest.mark.django_db
def test_a_nul_in_the_query_string_of_a_page_is_a_400(world, login):
    r = login(world.users["admin"]).get(reverse("hazards:list"), {"q": "a\x00"})
    assert r.status_code == 400


@pytest.mark.django_db
def test_a_json_body_with_a_lone_surrogate_is_a_400(world, client):
    r = client.post("/notifications/nowhere/", b'[{"sid": "\\udc00"}]', content_type="application/json")
    assert r.status_code == 400


def _routes(resolver=None, prefix: str = ""):
    for entry in (resolver or get_resolver()).url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _routes(entry, route)
        elif isinstance(entry, URLPattern):
            yield route


def _example(route: str) -> str:
    """An address for ``route`` with made-up converters (the check runs before the view)."""
    import re

    route = route.lstrip("^").rstrip("$")
    route = re.sub(r"<uuid:\w+>", str(uuid.uuid4()), route)
    route = re.sub(r"<int:\w+>", "1", route)
    route = re.sub(r"<(str:|slug:|path:)?\w+>", "x", route)
    return "/" + route


@pytest.mark.django_db
def test_every_page_that_takes_form_input_refuses_a_nul(world, login):
    """Introspection: every route of the site outside the JSON API (which has its own check, a 400
    with ``detail``), hence every form it shows, answers a NUL in posted form data with the 400
    page, before any view, form or service sees it."""
    client = login(world.users["admin"])
    routes = [r for r in _routes() if not r.startswith(("api/", "static/"))]
    assert len(routes) > 50
    wrong = []
    for route in routes:
        path = _example(route)
        r = client.post(path, {"field": "x\x00"})
        if r.status_code != 400 or NUL_REASON_ZH not in r.content.decode():
            wrong.append((path, r.status_code))
    assert not wrong, wrong


@pytest.mark.django_db
def test_text_stored_before_the_check_is_repaired_by_a_command_and_the_page_shows_again(world, login):
    """A lone surrogate stored in a factor's accident types (fuzzing, before the checks) made the risk
    point page a 500 ``UnicodeEncodeError``; ``core_repair_text`` repairs it."""
    from django.core.management import call_command
    from django.db import connection

    from shuangfang.risks.models import HazardFactor

    if connection.vendor == "postgresql":
        pytest.skip("PostgreSQL never stored such text (it refuses NUL and lone surrogates)")

    rw = risk_world(world)
    HazardFactor.objects.filter(pk=rw.factor.pk).update(accident_types=["火灾\ud800"], consequence="a\x00b")
    out = io.StringIO()
    call_command("core_repair_text", "--dry-run", stdout=out)
    assert "would repair 2 field(s)" in out.getvalue()
    call_command("core_repair_text", stdout=io.StringIO())
    factor = HazardFactor.objects.get(pk=rw.factor.pk)
    assert factor.accident_types == ["火灾\ufffd"] and factor.consequence == "ab"
    r = login(world.users["admin"]).get(reverse("risks:point", args=[rw.point.uuid]))
    assert r.status_code == 200
