"""Who may try a password now: the login throttle (docs/security.md, "Login throttling").

Three counters, and a cookie that recognises a browser someone already logged in with:

* **account + address** (or account + known browser): after ``LOGIN_FAILURE_LIMIT`` failures the pair
  is locked for ``LOGIN_LOCKOUT_SECONDS``. An attacker locks only themselves out.
* **address**, over all accounts: after ``LOGIN_ADDRESS_FAILURE_LIMIT`` failures the address is
  refused (one password tried across many names: spraying).
* **account**, over all addresses: beyond ``LOGIN_FAILURE_LIMIT`` failures each further try from a
  browser the account has not logged in with must wait 2, 4, 8 … seconds (at most
  ``LOGIN_MAX_DELAY_SECONDS``) after the last failure: many addresses guessing one password are slowed
  down, and the account is never locked.

A browser in which someone logged in successfully keeps a signed cookie naming that account (a hash),
so the owner is neither slowed by the account counter nor refused with an address shared with an
attacker (an office behind one NAT address): only the browser's own failures count against it.
"""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from shuangfang.core import throttle

COOKIE = "sf_login_device"
COOKIE_SALT = "shuangfang.orgs.login_guard"
COOKIE_AGE = 365 * 24 * 3600
MAX_ACCOUNTS = 10


def _account_hash(username: str) -> str:
    return hashlib.sha256(username.encode()).hexdigest()[:16]


class LoginGuard:
    def __init__(self, request: HttpRequest, username: str):
        self.request = request
        self.username = username.strip().lower()
        self.address = throttle.client_ip(request)
        self.device = self._read_cookie()

    def _read_cookie(self) -> dict:
        raw = self.request.COOKIES.get(COOKIE, "")
        try:
            data = signing.loads(raw, salt=COOKIE_SALT, max_age=COOKIE_AGE) if raw else {}
        except signing.BadSignature:
            data = {}
        if not isinstance(data, dict) or not isinstance(data.get("a"), list):
            return {}
        return data

    @property
    def known_device(self) -> bool:
        return _account_hash(self.username) in self.device.get("a", [])

    @property
    def _pair(self) -> str:
        where = f"device:{self.device['id']}" if self.known_device else self.address
        return f"{self.username}|{where}"

    def refusal(self) -> str | None:
        """Why this attempt is refused before the password is even checked, or None."""
        locked = _(
            "Too many failed attempts. Wait %(minutes)d minutes, "
            "or ask your administrator to reset your password."
        ) % {"minutes": max(1, settings.LOGIN_LOCKOUT_SECONDS // 60)}
        if throttle.is_locked("login", self._pair):
            return locked
        if self.known_device:
            return None
        if throttle.is_locked("login-address", self.address, settings.LOGIN_ADDRESS_FAILURE_LIMIT):
            return locked
        wait = throttle.wait_seconds("login-account", self.username)
        if wait:
            return _(
                "Too many failed attempts for this login name. Wait %(seconds)d seconds and try again."
            ) % {"seconds": wait}
        return None

    def failed(self) -> None:
        throttle.add_failure("login", self._pair)
        throttle.add_failure("login-address", self.address)
        n = throttle.add_failure("login-account", self.username)
        beyond = n - settings.LOGIN_FAILURE_LIMIT
        if beyond >= 0:
            seconds = min(2 ** (beyond + 1), settings.LOGIN_MAX_DELAY_SECONDS)
            throttle.delay("login-account", self.username, seconds)

    def succeeded(self, response: HttpResponse) -> None:
        """Clear the pair's failures and remember this browser for the account."""
        throttle.reset("login", self._pair)
        accounts = [a for a in self.device.get("a", []) if a != _account_hash(self.username)]
        value = {
            "id": self.device.get("id") or secrets.token_hex(8),
            "a": [_account_hash(self.username), *accounts][:MAX_ACCOUNTS],
        }
        response.set_cookie(
            COOKIE,
            signing.dumps(value, salt=COOKIE_SALT),
            max_age=COOKIE_AGE,
            httponly=True,
            secure=settings.SECURE_COOKIES,
            samesite="Lax",
        )
