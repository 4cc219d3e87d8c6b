"""Huey tasks: a periodic sweep every minute, and a kick after each commit that created due work."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_task

from shuangfang.core.schedule import periodic


@periodic(crontab(minute="*"))
def sweep() -> None:
    from .engine import process_due

    process_due()


@db_task()
def process_due_task() -> None:
    from .engine import process_due

    process_due()


def enqueue_process_due() -> None:
    try:
        process_due_task()
    except Exception:  # the periodic sweep will pick the work up
        import logging

        logging.getLogger(__name__).exception("could not enqueue the notification sweep")
