"""The role × tenant permission matrix over every URL and every API operation.

Cases are declared per app in ``<app>/tests/matrix.py`` (see ``shuangfang.core.matrix``). A URL or an
API operation without a case fails ``test_every_url_has_a_case`` / ``test_every_api_operation_has_a_case``.
"""

from __future__ import annotations

from importlib import import_module
from importlib.util import find_spec

import pytest
from django.apps import apps
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from shuangfang.config.api import api
from shuangfang.core.matrix import ApiCase, Case, PublicCase, expected
from shuangfang.orgs import services
from shuangfang.orgs.tests.factories import PERSONAS

# Reachable without logging in, or outside the matrix by design.
PUBLIC = {
    "login",
    "logout",
    "set_language",
    "javascript-catalog",
    "core:health",
    "core:health_ready",
    "core:manifest",  # the installable app: manifest and service worker, no personal data
    "core:sw",
    "oidc_authentication_init",  # single sign-on: the round trip to the identity provider
    "oidc_authentication_callback",
    "workapp_login",  # scan-to-log-in with WeCom / DingTalk: the same round trip (orgs.workapp_views)
    "workapp_login_callback",
}
EXCLUDED_NAMESPACES = {"admin", "api"}
# A person's own background jobs: the owner check is the permission (404 for anyone else).
OWN_PAGES = {"core:jobs", "core:job", "core:job_file"}


def _matrix_modules():
    for config in apps.get_app_configs():
        name = f"{config.name}.tests.matrix"
        if (
            config.name.startswith("shuangfang.")
            and find_spec(f"{config.name}.tests") is not None
            and find_spec(name) is not None
        ):
            yield import_module(name)


CASES: list[Case] = [c for m in _matrix_modules() for c in getattr(m, "CASES", [])]
# An app's pages that are public by design (its matrix.py ``PUBLIC``), each opened by every persona
# through its ``PUBLIC_CASES`` (test_public_pages).
APP_PUBLIC = {name for m in _matrix_modules() for name in getattr(m, "PUBLIC", set())}
PUBLIC |= APP_PUBLIC
PUBLIC_CASES: list[PublicCase] = [c for m in _matrix_modules() for c in getattr(m, "PUBLIC_CASES", [])]
API_CASES: list[ApiCase] = [c for m in _matrix_modules() for c in getattr(m, "API_CASES", [])]


def _url_names(patterns=None, ns: str = "") -> set[str]:
    names: set[str] = set()
    for p in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(p, URLResolver):
            if p.namespace in EXCLUDED_NAMESPACES:
                continue
            inner = f"{ns}{p.namespace}:" if p.namespace else ns
            names |= _url_names(p.url_patterns, inner)
        elif isinstance(p, URLPattern) and p.name:
            names.add(f"{ns}{p.name}")
    return names


def test_every_url_has_a_case():
    covered = {c.url_name for c in CASES}
    missing = sorted(_url_names() - covered - PUBLIC)
    assert not missing, f"URLs without a permission-matrix case: {missing}"


def test_every_public_page_has_a_case():
    missing = sorted(APP_PUBLIC - {c.url_name for c in PUBLIC_CASES})
    assert not missing, f"public pages without a PublicCase: {missing}"


def test_every_api_operation_has_a_case():
    schema = api.get_openapi_schema(path_prefix="/api/v1")
    operations = {(method, path) for path, ops in schema["paths"].items() for method in ops}
    covered = {(c.method, c.path) for c in API_CASES}
    missing = sorted(operations - covered)
    assert not missing, f"API operations without a permission-matrix case: {missing}"


def test_every_page_view_declares_its_permission():
    from django.urls import resolve

    undeclared = []
    for case in CASES:
        if case.url_name in {"home", "profile", "password_change", "token_revoke", *OWN_PAGES}:
            continue  # one's own pages: login is the only requirement
        path = _placeholder_path(case)
        func = resolve(path).func
        if not hasattr(func, "required_permission"):
            undeclared.append(case.url_name)
    assert not undeclared, f"views without @require_perm: {undeclared}"


def _placeholder_path(case: Case) -> str:
    """The case's URL with made-up parameters: a UUID for ``uuid``, a token for any other."""
    import uuid

    from django.urls import NoReverseMatch

    if case.kwargs is None:
        return reverse(case.url_name)
    some = uuid.uuid4()
    for kwargs in (
        {"uuid": some},
        {"uuid": some, "key": "placeholder"},
        {"uuid": some, "name": "x"},
        {"uuid": some, "fmt": "pdf"},
        {"name": "x"},
    ):
        try:
            return reverse(case.url_name, kwargs=kwargs)
        except NoReverseMatch:
            continue
    raise NoReverseMatch(case.url_name)


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.url_name}:{c.method}")
@pytest.mark.parametrize("who", PERSONAS)
def test_page_permissions(world, login, case: Case, who: str):
    client = login(world.user(who))
    url = reverse(case.url_name, kwargs=case.kwargs(world) if case.kwargs else None)
    response = client.get(url) if case.method == "get" else client.post(url, case.data(world))
    want = expected(case, who, api=False)
    assert response.status_code in want, (
        f"{who} {case.method.upper()} {url}: {response.status_code}, want {want}"
    )
    if who == "anonymous":
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("case", API_CASES, ids=lambda c: f"{c.method}:{c.path}")
@pytest.mark.parametrize("who", PERSONAS)
def test_api_permissions(world, case: ApiCase, who: str):
    client = Client()
    headers = {}
    user = world.user(who)
    if user is not None:
        _token, raw = services.issue_api_token(actor=user, name="matrix", scope="read_write")
        headers["Authorization"] = f"Bearer {raw}"
    path = case.path.format(**case.params(world))
    call = getattr(client, case.method)
    if case.body is not None:
        response = call(path, case.body(world), content_type="application/json", headers=headers)
    else:
        response = call(path, headers=headers)
    want = expected(case, who, api=True)
    assert response.status_code in want, (
        f"{who} {case.method.upper()} {path}: {response.status_code}, want {want}"
    )


@pytest.mark.parametrize("case", PUBLIC_CASES, ids=lambda c: c.url_name)
@pytest.mark.parametrize("who", PERSONAS)
def test_public_pages(world, login, case: PublicCase, who: str):
    """A public page answers everyone alike and shows no other report and no internal names."""
    kwargs, secrets = case.prepare(world)
    user = world.user(who)
    response = login(user).get(reverse(case.url_name, kwargs=kwargs))
    assert response.status_code == case.ok, f"{who} {case.url_name}: {response.status_code}"
    text = response.content.decode()
    own = {user.name, user.username} if user is not None else set()  # the persona's own top bar
    shown = [s for s in secrets if s not in own and s in text]
    assert not shown, f"{who} {case.url_name} shows {shown}"
