"""Counting failures in the shared cache: used to throttle repeated login failures."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache


def _key(scope: str, ident: str) -> str:
    return f"throttle:{scope}:{hashlib.sha256(ident.encode()).hexdigest()[:32]}"


def is_locked(scope: str, ident: str) -> bool:
    return int(cache.get(_key(scope, ident), 0)) >= settings.LOGIN_FAILURE_LIMIT


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
