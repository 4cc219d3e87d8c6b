"""Who a request is, remembered briefly in each web process: API tokens, signed-in people and
memberships, valid while one shared stamp says nothing has changed.

Every API request used to look its token up (with its user) and every scoped query its user's
memberships (with their organisations): a quarter and a sixth of an API request's time. Read from
Redis instead, they still cost two round trips a request (≈ 0.2 ms each through Django's cache
client) and the unpickling of model instances. Now each process keeps what it read, for
``AUTH_CACHE_SECONDS`` (60 by default; 0 turns the cache off), and a request asks the shared cache
(Redis when ``REDIS_URL`` is set, else the database cache) for one short value only: the **stamp**.

The stamp is a random text that every change moves. Whoever changes a token, a person, a membership
or the organisation tree calls :func:`forget` or :func:`tree_changed` (``orgs`` does it from model
signals, so the admin, the services and the sign-in sync are all covered), which writes a new stamp
at once and again when the transaction commits. An entry carries the stamp read *before* the rows
it holds were read, so a change that lands in between leaves the entry already stale: every process
reads the rows again on its next request after any change. Changes to who people are are rare
(an administrator's work); the requests between them pay one small round trip each.

The stamp is read once per request (:func:`request_scope`, opened by ``core.middleware``) and at
each call outside a request. Entries are kept pickled and unpickled per use: a model instance read
by one request is never the object another request holds (per-request caches live on them).
Membership entries also carry the day they were read: a membership that starts or ends at midnight
is read again on the next request after it.
"""

from __future__ import annotations

import pickle
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

PREFIX = "sf:auth:"
STAMP = PREFIX + "stamp"
_MAX_ENTRIES = 10_000  # per process; all dropped when full (a few hundred people use one install)

# key -> (stamp, monotonic expiry, pickled value)
_entries: dict[str, tuple[str, float, bytes]] = {}
_request = threading.local()


def enabled() -> bool:
    return settings.AUTH_CACHE_SECONDS > 0


def key(kind: str, ident: object) -> str:
    return f"{PREFIX}{kind}:{ident}"


@contextmanager
def request_scope() -> Iterator[None]:
    """Within it (one request), the stamp is read from the shared cache at most once."""
    _request.open, _request.stamp = True, None
    try:
        yield
    finally:
        _request.open, _request.stamp = False, None


def stamp() -> str:
    """The shared stamp: read once per request, at every call outside one."""
    current = getattr(_request, "stamp", None)
    if current is not None:
        return current
    current = cache.get(STAMP)
    if current is None:  # never set, or evicted: a new one makes every entry stale
        fresh = uuid.uuid4().hex
        current = fresh if cache.add(STAMP, fresh, None) else (cache.get(STAMP) or fresh)
    if getattr(_request, "open", False):
        _request.stamp = current
    return current


def _move_stamp() -> None:
    _request.stamp = None
    cache.set(STAMP, uuid.uuid4().hex, None)


def get(kind: str, ident: object, current: str | None = None) -> Any:
    """The entry if it was read under the current stamp (``current`` when the caller has just read
    it) and has not expired, else ``None``."""
    if not enabled():
        return None
    hit = _entries.get(key(kind, ident))
    if hit is None or hit[1] < time.monotonic() or hit[0] != (current or stamp()):
        return None
    return pickle.loads(hit[2])  # noqa: S301 (written by this process, below)


def put(kind: str, ident: object, value: Any, read_under: str | None = None) -> None:
    """Remember ``value``, read from the database under ``read_under`` (the stamp taken before the
    read; by default the request's, which was taken at its first lookup)."""
    if not enabled():
        return
    if len(_entries) >= _MAX_ENTRIES:
        _entries.clear()
    entry = (read_under or stamp(), time.monotonic() + settings.AUTH_CACHE_SECONDS, pickle.dumps(value, -1))
    _entries[key(kind, ident)] = entry


def forget(kind: str, *idents: object) -> None:
    """These entries changed: every process reads them (and everything else) again, now and once
    more after the commit (a concurrent reader may have read the rows before it)."""
    if not idents:
        return
    for ident in idents:
        _entries.pop(key(kind, ident), None)
    _move_stamp()
    transaction.on_commit(_move_stamp)


def tree_changed() -> None:
    """The organisation tree changed: every remembered scope is stale."""
    _move_stamp()
    transaction.on_commit(_move_stamp)


def clear_local() -> None:
    """Drop this process's entries (tests start from nothing)."""
    _entries.clear()
    _request.stamp = None


def memberships(user_id: int, load: Callable[[], list]) -> list:
    """The user's active memberships: remembered when read today under the current stamp,
    otherwise ``load()`` and remember."""
    if not enabled():
        return load()
    today = timezone.localdate().isoformat()
    current = stamp()
    entry = get("memberships", user_id, current)
    if entry is not None and entry[0] == today:
        return entry[1]
    rows = load()
    put("memberships", user_id, (today, rows), read_under=current)
    return rows


def remembered(kind: str, ident: object, load: Callable[[], Any]) -> Any:
    """The entry, or ``load()`` remembered under the stamp taken before it (``None`` is not kept:
    nothing to invalidate when such a row is created)."""
    current = stamp() if enabled() else ""
    value = get(kind, ident, current)
    if value is None:
        value = load()
        if value is not None:
            put(kind, ident, value, read_under=current)
    return value


def session_user(request):
    """``django.contrib.auth.get_user`` with the person remembered: the session must still name the
    same backend and carry the person's current session hash (a changed password logs the other
    sessions out as before). Anything unusual goes to Django's own ``get_user``."""
    from django.contrib import auth
    from django.utils.crypto import constant_time_compare

    session = request.session
    user_id = session.get(auth.SESSION_KEY)
    backend = session.get(auth.BACKEND_SESSION_KEY)
    if user_id is None or backend not in settings.AUTHENTICATION_BACKENDS:
        return auth.get_user(request)
    current = stamp() if enabled() else ""
    hit = get("user", user_id, current)
    if hit is not None and hit[0] == backend:
        session_hash = session.get(auth.HASH_SESSION_KEY)
        if session_hash and constant_time_compare(session_hash, hit[1].get_session_auth_hash()):
            return hit[1]
    user = auth.get_user(request)
    if user.is_authenticated:
        put("user", user_id, (backend, user), read_under=current)
    return user
