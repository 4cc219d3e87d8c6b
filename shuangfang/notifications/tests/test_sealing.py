"""Provider secrets under MultiFernet (``cryptography``): keys from settings, independent of
SECRET_KEY, rotated by a command; a wrong key is a clear error, never a 500 page."""

from __future__ import annotations

import importlib
import io

import pytest
from cryptography.fernet import Fernet
from django.apps import apps
from django.core.checks import run_checks
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from shuangfang.core.models import AuditEntry
from shuangfang.notifications import engine, sealing
from shuangfang.notifications.channels import base
from shuangfang.notifications.choices import Channel, DeliveryStatus
from shuangfang.notifications.models import Delivery, Provider
from shuangfang.notifications.planning import notify
from shuangfang.notifications.providers import save_provider

from .receiver import SECRET

OLD, NEW, OTHER = (
    Fernet.generate_key().decode(),
    Fernet.generate_key().decode(),
    Fernet.generate_key().decode(),
)
migration = importlib.import_module("shuangfang.notifications.migrations.0005_fernet_secrets")


def _webhook(world, receiver, secret=SECRET) -> Provider:
    return save_provider(
        actor=world.root,
        organization=world.inst_a,
        kind="webhook",
        name="hook",
        endpoint=receiver.url + "/hook",
        secret=secret,
    )


def test_a_stored_secret_is_a_fernet_token_of_the_newest_key(world, receiver, settings):
    settings.FIELD_ENCRYPTION_KEYS = [NEW, OLD]
    provider = _webhook(world, receiver)
    assert SECRET not in provider.secret_sealed
    assert Fernet(NEW).decrypt(provider.secret_sealed.encode()).decode() == SECRET
    assert base.secret_of(provider) == SECRET


def test_changing_secret_key_keeps_stored_secrets_readable(world, receiver, settings):
    """The finding: the former sealing derived its keys from SECRET_KEY, so changing it lost every
    stored secret."""
    settings.FIELD_ENCRYPTION_KEYS = [OLD]
    provider = _webhook(world, receiver)
    settings.SECRET_KEY = "a-completely-different-secret-key-" * 2
    provider.refresh_from_db()
    assert base.secret_of(provider) == SECRET
    notes = notify(
        recipients=[],
        kind="hazard.overdue",
        title="隐患超期",
        url="/h/",
        severity="warning",
        organization=world.inst_a,
    )
    engine.send_due_deliveries()
    assert Delivery.objects.get(notification__in=notes, channel=Channel.WEBHOOK).status == DeliveryStatus.SENT
    assert [s.verdict for s in receiver.seen] == ["ok"]  # signed with the right secret


def test_rotation_old_key_reads_until_rotated_then_can_be_dropped(world, receiver, settings):
    settings.FIELD_ENCRYPTION_KEYS = [OLD]
    provider = _webhook(world, receiver)
    before = provider.secret_sealed
    settings.FIELD_ENCRYPTION_KEYS = [NEW, OLD]  # a new key in front: the old one still reads
    provider.refresh_from_db()
    assert base.secret_of(provider) == SECRET
    out = io.StringIO()
    call_command("rotate_field_keys", stdout=out)
    assert "re-encrypted 1" in out.getvalue()
    provider.refresh_from_db()
    assert provider.secret_sealed != before
    assert Fernet(NEW).decrypt(provider.secret_sealed.encode()).decode() == SECRET
    assert AuditEntry.objects.filter(action="notifications.provider_secret_rotated").count() == 1
    settings.FIELD_ENCRYPTION_KEYS = [NEW]  # the old key dropped
    assert base.secret_of(provider) == SECRET


def test_a_wrong_key_is_a_clear_error_not_a_500(world, receiver, settings, login):
    settings.FIELD_ENCRYPTION_KEYS = [OLD]
    provider = _webhook(world, receiver)
    settings.FIELD_ENCRYPTION_KEYS = [OTHER]  # the old key dropped before rotating
    page = login(world.users["institution_head"]).get(
        "/notifications/providers/", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert page.status_code == 200
    assert "无法用服务器的密钥解密" in page.content.decode()
    assert (
        login(world.users["institution_head"])
        .get(f"/notifications/providers/{provider.uuid}/edit/")
        .status_code
        == 200
    )
    # the worker: a permanent failure with the reason (no retries), the next channel follows
    notes = notify(
        recipients=[],
        kind="hazard.overdue",
        title="隐患超期",
        url="/h/",
        severity="warning",
        organization=world.inst_a,
    )
    engine.send_due_deliveries()
    delivery = Delivery.objects.get(notification__in=notes, channel=Channel.WEBHOOK)
    assert delivery.status == DeliveryStatus.FAILED and delivery.attempts == 1
    assert "cannot be decrypted" in delivery.last_error
    assert receiver.seen == []
    # the rotation command names it instead of failing with a traceback
    with pytest.raises(CommandError, match="hook"):
        call_command("rotate_field_keys")
    # re-entering the secret repairs it
    _webhook_again = save_provider(
        actor=world.root,
        organization=world.inst_a,
        provider=provider,
        kind="webhook",
        name="hook",
        endpoint=receiver.url + "/hook",
        secret=SECRET,
    )
    assert base.secret_of(_webhook_again) == SECRET


def test_without_keys_saving_a_secret_is_refused_with_a_reason(world, receiver, settings):
    settings.FIELD_ENCRYPTION_KEYS = []
    with pytest.raises(ValidationError, match="FIELD_ENCRYPTION_KEYS"):
        _webhook(world, receiver)
    assert not Provider.objects.exists()
    assert [
        e.id for e in run_checks(include_deployment_checks=True) if (e.id or "").startswith("notifications.")
    ] == ["notifications.E001"]
    settings.FIELD_ENCRYPTION_KEYS = ["not-a-key"]
    assert "notifications.E003" in [e.id for e in run_checks()]


def test_the_migration_re_encrypts_secrets_sealed_the_former_way(world, settings):
    settings.FIELD_ENCRYPTION_KEYS = [NEW]
    settings.SECRET_KEY = "the-key-before-" * 4
    lost = Provider.objects.create(
        organization=world.inst_a, kind="webhook", name="b", secret_sealed=migration.legacy_seal("x")
    )
    settings.SECRET_KEY = "the-key-now-" * 4
    legacy = migration.legacy_seal(SECRET)
    assert legacy.startswith("v1.")
    old = Provider.objects.create(organization=world.inst_a, kind="webhook", name="a", secret_sealed=legacy)
    migration.forwards(apps, None)
    old.refresh_from_db()
    lost.refresh_from_db()
    assert Fernet(NEW).decrypt(old.secret_sealed.encode()).decode() == SECRET
    assert lost.secret_sealed.startswith("v1.")  # does not open with this SECRET_KEY: left, logged
    assert not sealing.readable(lost.secret_sealed)
    migration.backwards(apps, None)
    old.refresh_from_db()
    assert migration.legacy_unseal(old.secret_sealed) == SECRET
