"""Who a request is, remembered briefly: API tokens and memberships in the configured cache.

Every API request used to look its token up (with its user) and every scoped query its user's
memberships (with their organisations): a quarter and a sixth of an API request's time. Both are
kept here for ``AUTH_CACHE_SECONDS`` (60 by default; 0 turns the cache off) in Django's default
cache, which is Redis when ``REDIS_URL`` is set and so shared by every web process.

A change never waits for the entry to expire: whoever changes a token, a person or a membership
calls :func:`forget` (``orgs`` does it from model signals, so the admin, the services and the
sign-in sync are all covered), which deletes the entry at once and again when the transaction
commits (a request that read the old rows in between cannot put them back for long). A change to
the organisation tree (a node moved, an institution's type changed) moves one generation stamp that
every membership entry carries: all of them are stale from that moment.

Membership entries also carry the day they were read: a membership that starts or ends at midnight
is read again on the next request after it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

PREFIX = "sf:auth:"
TREE_GENERATION = PREFIX + "tree"


def enabled() -> bool:
    return settings.AUTH_CACHE_SECONDS > 0


def key(kind: str, ident: object) -> str:
    return f"{PREFIX}{kind}:{ident}"


def get(kind: str, ident: object) -> Any:
    if not enabled():
        return None
    return cache.get(key(kind, ident))


def put(kind: str, ident: object, value: Any) -> None:
    if enabled():
        cache.set(key(kind, ident), value, settings.AUTH_CACHE_SECONDS)


def forget(kind: str, *idents: object) -> None:
    """Drop entries now and again on commit (a concurrent reader may have refilled one)."""
    keys = [key(kind, i) for i in idents]
    if not keys:
        return
    cache.delete_many(keys)
    transaction.on_commit(lambda: cache.delete_many(keys))


def tree_changed() -> None:
    """The organisation tree changed: every cached membership list is stale."""
    cache.set(TREE_GENERATION, uuid.uuid4().hex, None)
    transaction.on_commit(lambda: cache.set(TREE_GENERATION, uuid.uuid4().hex, None))


def memberships(user_id: int, load: Callable[[], list]) -> list:
    """The user's active memberships, from the cache when the entry is of today and of the
    current tree; otherwise ``load()`` and remember. One cache round trip on a hit."""
    if not enabled():
        return load()
    entry_key = key("memberships", user_id)
    found = cache.get_many([entry_key, TREE_GENERATION])
    generation = found.get(TREE_GENERATION)
    if generation is None:
        generation = uuid.uuid4().hex
        if not cache.add(TREE_GENERATION, generation, None):
            generation = cache.get(TREE_GENERATION)
    today = timezone.localdate().isoformat()
    entry = found.get(entry_key)
    if entry is not None and entry[0] == generation and entry[1] == today:
        return entry[2]
    rows = load()
    cache.set(entry_key, (generation, today, rows), settings.AUTH_CACHE_SECONDS)
    return rows


def session_user(request):
    """``django.contrib.auth.get_user`` with the person read from the cache: the session must still
    name the same backend and carry the person's current session hash (a changed password logs the
    other sessions out as before). Anything unusual goes to Django's own ``get_user``."""
    from django.contrib import auth
    from django.utils.crypto import constant_time_compare

    session = request.session
    user_id = session.get(auth.SESSION_KEY)
    backend = session.get(auth.BACKEND_SESSION_KEY)
    if user_id is None or backend not in settings.AUTHENTICATION_BACKENDS:
        return auth.get_user(request)
    hit = get("user", user_id)
    if hit is not None and hit[0] == backend:
        session_hash = session.get(auth.HASH_SESSION_KEY)
        if session_hash and constant_time_compare(session_hash, hit[1].get_session_auth_hash()):
            return hit[1]
    user = auth.get_user(request)
    if user.is_authenticated:
        put("user", user_id, (backend, user))
    return user
