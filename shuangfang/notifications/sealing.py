"""Provider secrets stored sealed: encrypt-then-MAC with the standard library only.

The keystream is HMAC-SHA256(k_enc, nonce ‖ counter) (HMAC as a PRF in counter mode) and the tag
HMAC-SHA256(k_mac, nonce ‖ ciphertext); both keys derive from ``SECRET_KEY``. A sealed value is
``v1.<base64url(nonce ‖ ciphertext ‖ tag)>``. Rotating SECRET_KEY makes stored secrets unreadable:
re-enter them (or use ``secret_env``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from django.conf import settings


def _key(purpose: bytes) -> bytes:
    return hmac.new(
        settings.SECRET_KEY.encode(), b"shuangfang.notifications.seal." + purpose, hashlib.sha256
    ).digest()


def _stream(nonce: bytes, length: int) -> bytes:
    key = _key(b"enc")
    out = bytearray()
    counter = 0
    while len(out) < length:
        out += hmac.new(key, nonce + counter.to_bytes(8, "big"), hashlib.sha256).digest()
        counter += 1
    return bytes(out[:length])


def seal(plain: str) -> str:
    data = plain.encode()
    nonce = secrets.token_bytes(16)
    ct = bytes(a ^ b for a, b in zip(data, _stream(nonce, len(data)), strict=True))
    tag = hmac.new(_key(b"mac"), nonce + ct, hashlib.sha256).digest()
    return "v1." + base64.urlsafe_b64encode(nonce + ct + tag).decode()


def unseal(sealed: str) -> str:
    if not sealed.startswith("v1."):
        raise ValueError("not a sealed value")
    raw = base64.urlsafe_b64decode(sealed[3:].encode())
    nonce, ct, tag = raw[:16], raw[16:-32], raw[-32:]
    if not hmac.compare_digest(tag, hmac.new(_key(b"mac"), nonce + ct, hashlib.sha256).digest()):
        raise ValueError("sealed value was altered or SECRET_KEY changed")
    return bytes(a ^ b for a, b in zip(ct, _stream(nonce, len(ct)), strict=True)).decode()
