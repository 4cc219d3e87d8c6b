"""Provider secrets sealed by the former home-made scheme (``v1.``: HMAC-CTR and an HMAC tag, keys
derived from SECRET_KEY) are re-encrypted with Fernet under FIELD_ENCRYPTION_KEYS.

The former scheme is copied here (frozen) to read them. A value that no longer opens with the
current SECRET_KEY is left as it is and logged: the product then reports it as unreadable and the
institution re-enters the secret. Reversible: going back seals them the old way again.
"""

import base64
import hashlib
import hmac
import logging
import secrets

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import migrations

log = logging.getLogger("shuangfang.notifications")

LEGACY = "v1."


def _legacy_key(purpose: bytes) -> bytes:
    return hmac.new(
        settings.SECRET_KEY.encode(), b"shuangfang.notifications.seal." + purpose, hashlib.sha256
    ).digest()


def _legacy_stream(nonce: bytes, length: int) -> bytes:
    key = _legacy_key(b"enc")
    out = bytearray()
    counter = 0
    while len(out) < length:
        out += hmac.new(key, nonce + counter.to_bytes(8, "big"), hashlib.sha256).digest()
        counter += 1
    return bytes(out[:length])


def legacy_unseal(sealed: str) -> str | None:
    try:
        raw = base64.urlsafe_b64decode(sealed[len(LEGACY) :].encode())
    except ValueError:
        return None
    if len(raw) < 48:
        return None
    nonce, ct, tag = raw[:16], raw[16:-32], raw[-32:]
    want = hmac.new(_legacy_key(b"mac"), nonce + ct, hashlib.sha256).digest()
    if not hmac.compare_digest(tag, want):
        return None
    return bytes(a ^ b for a, b in zip(ct, _legacy_stream(nonce, len(ct)), strict=True)).decode()


def legacy_seal(plain: str) -> str:
    data = plain.encode()
    nonce = secrets.token_bytes(16)
    ct = bytes(a ^ b for a, b in zip(data, _legacy_stream(nonce, len(data)), strict=True))
    tag = hmac.new(_legacy_key(b"mac"), nonce + ct, hashlib.sha256).digest()
    return LEGACY + base64.urlsafe_b64encode(nonce + ct + tag).decode()


def _fernet() -> MultiFernet:
    keys = list(getattr(settings, "FIELD_ENCRYPTION_KEYS", []))
    if not keys:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS is not set: stored provider secrets cannot be re-encrypted "
            "(set it, or FIELD_ENCRYPTION_KEYS_FILE, before migrating)"
        )
    return MultiFernet([Fernet(k) for k in keys])


def forwards(apps, schema_editor):
    Provider = apps.get_model("notifications", "Provider")
    rows = list(Provider.objects.filter(secret_sealed__startswith=LEGACY).only("pk", "secret_sealed"))
    if not rows:
        return
    fernet = _fernet()
    for row in rows:
        plain = legacy_unseal(row.secret_sealed)
        if plain is None:
            log.warning(
                "provider %s: its stored secret does not open with the current SECRET_KEY; "
                "left as it is (re-enter it)",
                row.pk,
            )
            continue
        Provider.objects.filter(pk=row.pk).update(secret_sealed=fernet.encrypt(plain.encode()).decode())


def backwards(apps, schema_editor):
    Provider = apps.get_model("notifications", "Provider")
    rows = list(Provider.objects.exclude(secret_sealed="").exclude(secret_sealed__startswith=LEGACY))
    if not rows:
        return
    fernet = _fernet()
    for row in rows:
        try:
            plain = fernet.decrypt(row.secret_sealed.encode()).decode()
        except InvalidToken:
            continue
        Provider.objects.filter(pk=row.pk).update(secret_sealed=legacy_seal(plain))


class Migration(migrations.Migration):
    dependencies = [("notifications", "0004_outbox")]

    operations = [migrations.RunPython(forwards, backwards)]
