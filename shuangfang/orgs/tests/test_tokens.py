"""API tokens: scopes, a default expiry, and death on deactivation (issue 13)."""

import datetime as dt
import uuid

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client, override_settings

from shuangfang.core.models import AuditEntry
from shuangfang.orgs import services
from shuangfang.orgs.models import ApiToken, TokenScope

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def bearer(raw: str) -> dict:
    return {"Authorization": f"Bearer {raw}"}


def test_a_read_only_token_reads_but_every_write_is_403_with_the_reason(world):
    _t, raw = services.issue_api_token(actor=world.users["staff"], name="dashboard")
    client = Client(headers=bearer(raw))
    assert client.get("/api/v1/orgs/me").status_code == 200
    for method, path in (
        ("post", "/api/v1/hazards/hazards"),
        ("patch", f"/api/v1/risks/points/{uuid.uuid4()}"),
    ):
        r = getattr(client, method)(path, {}, content_type="application/json")
        assert r.status_code == 403, (method, r.status_code)
        assert "只读" in r.json()["detail"]


def test_a_read_write_token_may_write(world):
    _t, raw = services.issue_api_token(actor=world.users["staff"], name="app", scope=TokenScope.READ_WRITE)
    r = Client(headers=bearer(raw)).post("/api/v1/hazards/hazards", {}, content_type="application/json")
    assert r.status_code not in (401, 403)


def test_a_new_token_is_read_only_and_expires_after_the_default_lifetime(world):
    with time_machine.travel(NOW, tick=False), override_settings(API_TOKEN_DEFAULT_DAYS=90):
        token, raw = services.issue_api_token(actor=world.users["staff"], name="x")
    assert token.scope == TokenScope.READ
    assert token.expires_at == NOW + dt.timedelta(days=90)
    with time_machine.travel(NOW + dt.timedelta(days=89), tick=False):
        assert Client(headers=bearer(raw)).get("/api/v1/orgs/me").status_code == 200
    with time_machine.travel(NOW + dt.timedelta(days=90, seconds=1), tick=False):
        assert Client(headers=bearer(raw)).get("/api/v1/orgs/me").status_code == 401


def test_an_expiry_in_the_past_or_beyond_the_maximum_is_refused(world):
    staff = world.users["staff"]
    with time_machine.travel(NOW, tick=False), override_settings(API_TOKEN_MAX_DAYS=365):
        with pytest.raises(ValidationError, match="过去"):
            services.issue_api_token(actor=staff, name="x", expires_at=NOW - dt.timedelta(hours=1))
        with pytest.raises(ValidationError, match="365"):
            services.issue_api_token(actor=staff, name="x", expires_at=NOW + dt.timedelta(days=366))
    assert not ApiToken.objects.filter(user=staff).exists()


def test_the_token_form_offers_scope_and_the_default_expiry(world, login):
    client = login(world.users["staff"])
    with time_machine.travel(NOW, tick=False):
        body = client.get("/account/").content.decode()
        assert 'name="scope"' in body
        assert 'value="2026-05-31T17:00"' in body  # NOW + 90 days, Asia/Shanghai
        client.post("/account/", {"name": "巡检 App", "scope": "read_write", "expires_at": ""})
    token = ApiToken.objects.get(user=world.users["staff"])
    assert token.scope == TokenScope.READ_WRITE
    assert token.expires_at == NOW + dt.timedelta(days=90)


def test_deactivation_revokes_tokens_for_good(world):
    cook, head = world.users["staff"], world.users["institution_head"]
    _t, raw = services.issue_api_token(actor=cook, name="x")
    services.update_person(actor=head, person=cook, is_active=False)
    services.update_person(actor=head, person=cook, is_active=True)
    r = Client(headers=bearer(raw)).get("/api/v1/orgs/me")
    assert r.status_code == 401
    assert ApiToken.objects.get(user=cook).revoked_at is not None
    entry = AuditEntry.objects.filter(action="person.update").order_by("-id")[1]
    assert "1" in entry.note


def test_deactivation_leaves_other_peoples_tokens_alone(world):
    _t, raw = services.issue_api_token(actor=world.users["safety_officer"], name="x")
    head, cook = world.users["institution_head"], world.users["staff"]
    services.update_person(actor=head, person=cook, is_active=False)
    assert Client(headers=bearer(raw)).get("/api/v1/orgs/me").status_code == 200
