"""The transactional outbox: events between apps that are never lost and never done twice.

``emit`` writes one :class:`~shuangfang.core.models.OutboxEvent` row per consumer of the kind
(``shuangfang/events.py``) in the caller's transaction: if the change rolls back, so does the event.
After the commit a kick asks the worker to drain at once (the normal path stays fast); a periodic
drain every minute picks up anything a lost kick or a dead worker left behind.

``drain`` takes one due row at a time (the due rows of an urgent consumer together: ``run_next``),
locked (``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL, so two workers never take the same row;
SQLite runs every transaction ``IMMEDIATE``, one writer at a time), runs the consumer in a savepoint
and marks the row done **in the same transaction**. A worker
killed in the middle rolls the whole transaction back and the row is due again: the consumer's
effect happens exactly once. A consumer that raises is rolled back alone, the row gets the error and
a next attempt with exponential backoff, and after ``OUTBOX_MAX_ATTEMPTS`` it is given up: it shows
on the operations page (``/ops/outbox/``) and in the health check until an administrator retries it.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import traceback
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Case, Value, When
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy

from shuangfang.events import KINDS, URGENT_CONSUMERS, Payload

from . import audit
from .models import OutboxEvent

audit.register_actions({"outbox.retry": gettext_lazy("Failed events retried")})

log = logging.getLogger(__name__)

Consumer = Callable[[str, Any], None]
_consumers: dict[str, Consumer] = {}


def max_attempts() -> int:
    return int(getattr(settings, "OUTBOX_MAX_ATTEMPTS", 8))


def backoff(attempts: int) -> dt.timedelta:
    """Wait before attempt ``attempts + 1``: 10 s, 20 s, 40 s … at most an hour."""
    base = float(getattr(settings, "OUTBOX_BACKOFF_SECONDS", 10))
    return dt.timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), 3600))


def payload_for(kind: str, fields: dict[str, Any]) -> Payload:
    """The typed payload of ``kind`` from keyword fields; an unknown kind or a field that does not
    fit its type is a programming error and raises here, in the producer's transaction."""
    try:
        spec = KINDS[kind]
    except KeyError:
        raise LookupError(f"event kind {kind!r} is not listed in shuangfang/events.py") from None
    return spec.payload.model_validate(fields)


def emit(kind: str, payload: Payload) -> None:
    """Write ``payload`` for every consumer of ``kind`` in the current transaction, and kick the
    worker after it commits. Publishing the same fact twice (same origin) writes it once."""
    spec = KINDS[kind]
    if not isinstance(payload, spec.payload):
        raise TypeError(f"{kind} takes {spec.payload.__name__}, not {type(payload).__name__}")
    data = payload.model_dump(mode="json", by_alias=True)
    origin = payload.origin(kind)
    OutboxEvent.objects.bulk_create(
        [
            OutboxEvent(kind=kind, consumer=consumer, payload=data, origin_key=origin)
            for consumer in spec.consumers
        ],
        ignore_conflicts=True,
    )
    transaction.on_commit(kick)


# Set while a drain is queued and not yet started: a burst of commits queues one drain, not one
# each. It expires by itself, so a lost drain task holds back the next kick for seconds at most.
KICK_PENDING = "outbox:drain-queued"
KICK_PENDING_SECONDS = 5


def enqueue_once(key: str, task: str, what: str, seconds: int = KICK_PENDING_SECONDS) -> None:
    """Enqueue the worker task at dotted path ``task`` unless one is queued and not yet started
    (the task deletes ``key`` when it starts), so a burst of commits queues one run, not one each.
    The key expires by itself: a lost task holds back the next one for ``seconds`` at most. A
    failure to enqueue loses nothing: the rows are in the database and the periodic run of the
    same work takes them."""
    try:
        from django.core.cache import cache

        if not cache.add(key, 1, timeout=seconds):
            return  # one is queued and has not started: it will see this commit's rows
        import_string(task)()
    except Exception:
        log.exception("could not enqueue %s; its periodic run will pick it up", what)


def kick() -> None:
    """Ask the worker to drain now (the periodic drain takes the rows within a minute otherwise)."""
    enqueue_once(KICK_PENDING, "shuangfang.core.tasks.drain_outbox_now", "the outbox drain")


def consumer(path: str) -> Consumer:
    fn = _consumers.get(path)
    if fn is None:
        fn = _consumers[path] = import_string(path)
    return fn


def drain(*, limit: int = 1000) -> int:
    """Run due rows until none is left (or ``limit``); returns how many were run."""
    count = 0
    while count < limit:
        ran = run_next()
        if not ran:
            break
        count += ran
    return count


# Due rows of the urgent consumers first (an alarm's incident before its hazard, webhook, upload).
_URGENT_FIRST = Case(When(consumer__in=sorted(URGENT_CONSUMERS), then=Value(0)), default=Value(1))
# Due rows of the urgent consumers run together in one transaction, at most this many: in a storm
# one commit for many incidents, and the lookups they share made once (``batch_memo``).
URGENT_BATCH = 20

_batch = threading.local()


def batch_memo() -> dict[Any, Any]:
    """A dict shared by the consumers of the rows that one drain transaction runs (what they look up
    alike: the roster, the policy, the providers), gone with it; a fresh one outside a drain."""
    memo = getattr(_batch, "memo", None)
    return memo if memo is not None else {}


def run_next() -> int:
    """Run the oldest due row (an urgent consumer's first), if any; an urgent one with the other due
    urgent rows (up to ``URGENT_BATCH``) in the same transaction. Returns how many rows were run."""
    now = timezone.now()
    _batch.memo = {}
    try:
        with transaction.atomic():
            due = (
                OutboxEvent.objects.pending()
                .filter(next_attempt_at__lte=now)
                .select_for_update(skip_locked=True)
            )
            row = due.order_by(_URGENT_FIRST, "next_attempt_at", "id").first()
            if row is None:
                return 0
            rows = [row]
            if row.consumer in URGENT_CONSUMERS and URGENT_BATCH > 1:
                more = due.filter(consumer__in=sorted(URGENT_CONSUMERS)).exclude(pk=row.pk)
                rows += more.order_by("next_attempt_at", "id")[: URGENT_BATCH - 1]
            for row in rows:
                _run(row, now)
        # The consumers' after-commit work (``transaction.on_commit``) has run, with the memo.
        return len(rows)
    finally:
        _batch.memo = None


def _run(row: OutboxEvent, now: dt.datetime) -> None:
    """Run one locked row's consumer in a savepoint and mark the row, in the caller's transaction."""
    row.attempts += 1
    try:
        with transaction.atomic():
            fn = consumer(row.consumer)
            fn(row.kind, payload_for(row.kind, row.payload))
    except Exception as exc:
        row.last_error = "".join(traceback.format_exception_only(exc)).strip()[:2000]
        if row.attempts >= max_attempts():
            row.failed_at = now
            log.error("outbox: %s gave up after %d attempts: %s", row, row.attempts, row.last_error)
        else:
            row.next_attempt_at = now + backoff(row.attempts)
            log.warning("outbox: %s attempt %d failed: %s", row, row.attempts, row.last_error)
        row.save(update_fields=["attempts", "last_error", "failed_at", "next_attempt_at"])
    else:
        row.processed_at = timezone.now()
        row.save(update_fields=["attempts", "processed_at"])


def retry(rows: Iterable[OutboxEvent], *, actor) -> int:
    """An administrator sends given-up rows round again (audited, with the error they had)."""
    from . import audit

    n = 0
    with transaction.atomic():
        for row in OutboxEvent.objects.failed().filter(pk__in=[r.pk for r in rows]).select_for_update():
            audit.record(
                actor=actor,
                action="outbox.retry",
                obj=row,
                organization=None,
                before={"attempts": row.attempts, "error": row.last_error},
            )
            row.attempts = 0
            row.failed_at = None
            row.next_attempt_at = timezone.now()
            row.save(update_fields=["attempts", "failed_at", "next_attempt_at"])
            n += 1
    if n:
        transaction.on_commit(kick)
    return n


def backlog() -> dict[str, Any]:
    """For the operations page and the health check: due, waiting for a retry, given up, and the
    age of the oldest due row in seconds."""
    now = timezone.now()
    pending = OutboxEvent.objects.pending()
    oldest = (
        pending.filter(next_attempt_at__lte=now).order_by("created_at").values_list("created_at", flat=True)
    )
    first = oldest.first()
    return {
        "due": pending.filter(next_attempt_at__lte=now).count(),
        "retrying": pending.filter(attempts__gt=0).count(),
        "failed": OutboxEvent.objects.failed().count(),
        "oldest_due_seconds": round((now - first).total_seconds(), 1) if first else 0.0,
    }


def prune(*, older_than: dt.timedelta = dt.timedelta(days=30)) -> int:
    """Remove done rows older than ``older_than`` (given-up rows stay until retried or handled)."""
    cutoff = timezone.now() - older_than
    deleted, _ = OutboxEvent.objects.filter(processed_at__lt=cutoff).delete()
    return deleted
