"""One-tap acknowledge links: short enough for an SMS, signed, expiring, usable without a login.

Token ``<incident id>.<user id>.<expiry>.<mac>`` (hex numbers; expiry in minutes since the epoch;
mac = first 16 base64url characters of HMAC-SHA256 over the rest). Short on purpose: SMS template
variables have length limits.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse

DEFAULT_MAX_AGE_MINUTES = 24 * 60


class BadLink(Exception):
    pass


class ExpiredLink(BadLink):
    pass


def _mac(payload: str) -> str:
    key = hmac.new(settings.SECRET_KEY.encode(), b"shuangfang.notifications.ack", hashlib.sha256).digest()
    digest = hmac.new(key, payload.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode()[:16]


def make_token(
    incident_id: int, user_id: int, *, now: float | None = None, max_age_minutes: int | None = None
) -> str:
    age = max_age_minutes or int(getattr(settings, "ACK_LINK_MAX_AGE_MINUTES", DEFAULT_MAX_AGE_MINUTES))
    expiry = int((now if now is not None else time.time()) // 60) + age
    payload = f"{incident_id:x}.{user_id:x}.{expiry:x}"
    return f"{payload}.{_mac(payload)}"


@dataclass
class AckClaim:
    incident_id: int
    user_id: int


def read_token(token: str, *, now: float | None = None) -> AckClaim:
    parts = token.split(".")
    if len(parts) != 4:
        raise BadLink(token)
    payload = ".".join(parts[:3])
    if not hmac.compare_digest(parts[3], _mac(payload)):
        raise BadLink(token)
    try:
        incident_id, user_id, expiry = (int(p, 16) for p in parts[:3])
    except ValueError as exc:
        raise BadLink(token) from exc
    if (now if now is not None else time.time()) // 60 > expiry:
        raise ExpiredLink(token)
    return AckClaim(incident_id, user_id)


def ack_path(token: str) -> str:
    return f"{reverse('notifications:inbox')}a/{token}/"


def ack_url(incident_id: int, user_id: int) -> str:
    return settings.SITE_URL + ack_path(make_token(incident_id, user_id))
