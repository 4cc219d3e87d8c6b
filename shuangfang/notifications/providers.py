"""Providers (the institution's SMS, voice, robot and webhook accounts): create or change one, and
the delivery receipts they report back."""

from __future__ import annotations

import contextlib
import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shuangfang.core import audit
from shuangfang.core.tenancy import require
from shuangfang.core.vocabulary import Severity
from shuangfang.core.workflow import IllegalTransition
from shuangfang.orgs.models import Organization, User

from . import deliveries
from .choices import DeliveryStatus, ProviderKind
from .models import (
    Delivery,
    Provider,
)
from .outbound import check_url
from .planning import institution_of, kick
from .sealing import KeysMissing, SecretUnreadable, reseal, seal

audit.register_actions(
    {
        "notifications.provider_save": gettext_lazy("Message provider saved"),
        "notifications.provider_secret_rotated": gettext_lazy("Message provider secret replaced"),
    }
)


@transaction.atomic
def save_provider(
    *,
    actor: User,
    organization: Organization,
    kind: str,
    name: str,
    provider: Provider | None = None,
    endpoint: str = "",
    access_key: str = "",
    secret: str = "",
    secret_env: str = "",
    params: dict | None = None,
    min_severity: str = Severity.INFO,
    is_active: bool = True,
) -> Provider:
    """Create or change a provider. An empty ``secret`` keeps the stored one; it is never shown."""
    inst = institution_of(organization)
    require(actor, "notifications.configure", inst)
    ProviderKind(kind)
    if kind == ProviderKind.WEBHOOK and not endpoint:
        raise ValidationError(_("A webhook needs an endpoint URL."))
    if endpoint.strip():
        check_url(endpoint.strip())  # refused for private, loopback, metadata … addresses
    provider = provider or Provider(organization=inst)
    provider.kind, provider.name, provider.endpoint = kind, name.strip(), endpoint.strip()
    provider.access_key, provider.secret_env = access_key.strip(), secret_env.strip()
    provider.params = params or {}
    provider.min_severity, provider.is_active = min_severity, is_active
    if secret:
        try:
            provider.secret_sealed = seal(secret)
        except KeysMissing as exc:
            raise ValidationError(
                _(
                    "The server has no key to encrypt secrets with (FIELD_ENCRYPTION_KEYS): ask the "
                    "operator, or read the secret from an environment variable."
                )
            ) from exc
    provider.save()
    audit.record(
        actor=actor,
        action="notifications.provider_save",
        obj=provider,
        organization=inst,
        after={
            "kind": kind,
            "name": name,
            "endpoint": endpoint,
            "secret": "(changed)" if secret else "(kept)",
            "params": provider.params,
        },
    )
    return provider


def rotate_secrets() -> tuple[int, list[Provider]]:
    """Re-encrypt every stored secret with the newest of ``FIELD_ENCRYPTION_KEYS`` (the operator's
    ``manage.py rotate_field_keys``). Returns how many were re-encrypted and the providers whose
    secret no configured key opens (left as they are: re-enter them). Each row is swapped only if
    it still holds what was read, so a secret saved meanwhile is never overwritten."""
    rotated, unreadable = 0, []
    for provider in Provider.objects.exclude(secret_sealed="").select_related("organization"):
        try:
            fresh = reseal(provider.secret_sealed)
        except SecretUnreadable:
            unreadable.append(provider)
            continue
        with transaction.atomic():
            swapped = Provider.objects.filter(pk=provider.pk, secret_sealed=provider.secret_sealed).update(
                secret_sealed=fresh
            )
            if swapped:
                rotated += 1
                audit.record(
                    actor=None,
                    action="notifications.provider_secret_rotated",
                    obj=provider,
                    organization=provider.organization,
                    note="re-encrypted with the newest FIELD_ENCRYPTION_KEYS key",
                )
    return rotated, unreadable


def receipt_token(provider: Provider) -> str:
    key = hashlib.sha256(f"{settings.SECRET_KEY}:receipt".encode()).digest()
    import hmac as _hmac

    return _hmac.new(key, str(provider.uuid).encode(), hashlib.sha256).hexdigest()[:32]


def record_receipt(*, provider: Provider, ref: str, delivered: bool, error: str = "") -> int:
    """The provider reports the fate of a message it accepted (Aliyun SmsReport, Tencent status
    callback). ``sent → delivered``, or ``sent → failed`` (then it falls through to the next
    channel). Idempotent: a repeated report changes nothing."""
    now = timezone.now()
    rows = list(
        Delivery.objects.filter(
            provider=provider, provider_ref=ref, status=DeliveryStatus.SENT
        ).select_related("notification")
    )
    for d in rows:
        with contextlib.suppress(IllegalTransition):  # a repeated report changes nothing
            deliveries.FLOW.move(d, "deliver" if delivered else "fail", actor=None, now=now, error=error)
    if rows and not delivered:
        kick()
    return len(rows)
