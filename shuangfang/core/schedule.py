"""Periodic jobs that run once per schedule, however many workers run the scheduler.

Every huey consumer process runs its own scheduler, so with two workers each periodic task is
enqueued twice. ``periodic(crontab)`` wraps ``db_periodic_task``: when the task runs it works out
the schedule slot it belongs to (the latest time at or before now that the crontab matches, in
huey's UTC) and claims ``(job, slot)`` with an insert that only one run can make; the others skip.
A run that starts late, even minutes after its slot, still counts for that slot. A run whose job
is still running from an earlier slot (a job longer than its interval) skips too, under
``core.locks.job_lock``. Every job is also written to be safe if it ever runs twice in a row
(``tests/test_periodic_twice.py`` runs each one twice over the demo and compares the data).
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from django.db import IntegrityError, transaction
from django.utils import timezone
from huey.contrib.djhuey import db_periodic_task

from .locks import job_lock
from .models import ScheduledRun

log = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])
_LOOKBACK_MINUTES = 60 * 24 * 32

# Every periodic job by name, undecorated: what the run-twice test calls.
JOBS: dict[str, Callable[..., Any]] = {}


def slot(validate: Callable[[dt.datetime], bool], now: dt.datetime | None = None) -> dt.datetime:
    """The latest minute at or before ``now`` (UTC) that the crontab ``validate`` matches."""
    now = (now or timezone.now()).astimezone(dt.UTC).replace(second=0, microsecond=0, tzinfo=None)
    for back in range(_LOOKBACK_MINUTES):
        t = now - dt.timedelta(minutes=back)
        if validate(t):
            return t.replace(tzinfo=dt.UTC)
    return now.replace(tzinfo=dt.UTC)


def claim(name: str, at: dt.datetime) -> bool:
    """Whether this run is the first for ``(name, at)``."""
    try:
        with transaction.atomic():
            ScheduledRun.objects.create(name=name, slot=at)
    except IntegrityError:
        return False
    return True


def once(name: str, validate: Callable[[dt.datetime], bool], fn: F) -> F:
    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> Any:
        at = slot(validate)
        if not claim(name, at):
            log.info("%s for %s already ran: skipped", name, at.isoformat())
            return None
        with job_lock(name) as mine:
            if not mine:
                log.warning("%s for %s skipped: the previous run is still going", name, at.isoformat())
                return None
            return fn(*args, **kwargs)

    return run  # type: ignore[return-value]


def periodic(validate: Callable[[dt.datetime], bool], **kwargs: Any) -> Callable[[F], Any]:
    """``@periodic(crontab(minute="5"))`` in place of ``@db_periodic_task(...)``."""

    def decorator(fn: F) -> Any:
        name = f"{fn.__module__}.{fn.__name__}"
        JOBS[name] = fn
        # huey names the task "<module>.<function>" itself (``once`` keeps both through ``wraps``).
        return db_periodic_task(validate, **kwargs)(once(name, validate, fn))

    return decorator
