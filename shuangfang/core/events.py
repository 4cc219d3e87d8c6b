"""Domain events between apps, without imports between them.

An app publishes what happened (``publish("hazard.assigned", hazard_id=…, organization_id=…)``)
inside its service; subscribers run after the transaction commits (never for a rolled-back change).
The notifications app subscribes to turn events into messages; apps that publish need not know it.
Handlers take ids, not objects, and must be idempotent (a worker may run them again).

Subscribe in an app's ``events.py`` (imported at start by ``core.apps``):

    @subscribe("hazard.*")
    def on_hazard(kind: str, payload: dict) -> None: ...
"""

from __future__ import annotations

import fnmatch
import logging
from collections.abc import Callable
from typing import Any

from django.db import transaction

log = logging.getLogger(__name__)

Handler = Callable[[str, dict[str, Any]], None]
_SUBSCRIBERS: list[tuple[str, Handler]] = []


def subscribe(pattern: str) -> Callable[[Handler], Handler]:
    def decorator(fn: Handler) -> Handler:
        if (pattern, fn) not in _SUBSCRIBERS:
            _SUBSCRIBERS.append((pattern, fn))
        return fn

    return decorator


def handlers_for(kind: str) -> list[Handler]:
    return [fn for pattern, fn in _SUBSCRIBERS if fnmatch.fnmatchcase(kind, pattern)]


def dispatch(kind: str, payload: dict[str, Any]) -> None:
    for fn in handlers_for(kind):
        try:
            fn(kind, payload)
        except Exception:  # one failing subscriber must not stop the others
            log.exception("event handler %s failed for %s", getattr(fn, "__name__", fn), kind)


def publish(kind: str, **payload: Any) -> None:
    """Run the subscribers of ``kind`` after the current transaction commits."""
    transaction.on_commit(lambda: dispatch(kind, payload))
