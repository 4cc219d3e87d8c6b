"""Counting failures in the shared cache (login throttling), and the real client address.

Counters live ``LOGIN_LOCKOUT_SECONDS`` from their first failure. A *delay* is a moment before which
an identity may not try again (progressive delay, see ``orgs.login_guard``); it is stored as a
timestamp so that it holds whatever the cache's own clock.
"""

from __future__ import annotations

import hashlib
import ipaddress
import time
from functools import lru_cache

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


def _key(scope: str, ident: str) -> str:
    return f"throttle:{scope}:{hashlib.sha256(ident.encode()).hexdigest()[:32]}"


def failures(scope: str, ident: str) -> int:
    return int(cache.get(_key(scope, ident), 0))


def is_locked(scope: str, ident: str, limit: int | None = None) -> bool:
    return failures(scope, ident) >= (limit or settings.LOGIN_FAILURE_LIMIT)


def add_failure(scope: str, ident: str) -> int:
    key = _key(scope, ident)
    if cache.add(key, 1, settings.LOGIN_LOCKOUT_SECONDS):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, settings.LOGIN_LOCKOUT_SECONDS)
        return 1


def reset(scope: str, ident: str) -> None:
    cache.delete(_key(scope, ident))


def delay(scope: str, ident: str, seconds: int) -> None:
    """No attempt for ``ident`` before ``seconds`` from now."""
    cache.set(_key(f"{scope}:until", ident), time.time() + seconds, seconds + 1)


def wait_seconds(scope: str, ident: str) -> int:
    """Seconds ``ident`` must still wait (0: may try now)."""
    until = cache.get(_key(f"{scope}:until", ident))
    if until is None:
        return 0
    return max(0, int(float(until) - time.time() + 0.999))


@lru_cache(maxsize=8)
def _networks(cidrs: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(c, strict=False) for c in cidrs)


def _is_trusted(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    return any(address in net for net in _networks(tuple(settings.TRUSTED_PROXIES)))


def client_ip(request: HttpRequest) -> str:
    """The address of the client. ``X-Forwarded-For`` counts only when the request comes from a proxy
    in ``TRUSTED_PROXIES``: then the header is read from the right, skipping trusted proxies, and the
    first address that is not one of them is the client (what the client wrote itself, further left,
    is ignored). From anyone else the header is ignored: it is the client's own claim."""
    remote = request.META.get("REMOTE_ADDR", "")
    try:
        current = ipaddress.ip_address(remote)
    except ValueError:
        return remote
    if not _is_trusted(current):
        return remote
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    for hop in reversed(hops):
        try:
            address = ipaddress.ip_address(hop)
        except ValueError:
            break  # garbage: the last proxy we trust is the best we know
        current = address
        if not _is_trusted(address):
            break
    return str(current)
