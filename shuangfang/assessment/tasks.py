"""Huey tasks: this month's score snapshots for the dashboards, refreshed every few minutes and
right after a bureau's scheme changes (``snapshots.py``)."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_task

from shuangfang.core.schedule import periodic

log = logging.getLogger(__name__)


@periodic(crontab(minute="*/5"))
def refresh_score_snapshots() -> None:
    """Every five minutes (``snapshots.INTERVAL_MINUTES``): every active institution's score."""
    from .snapshots import refresh

    refresh()


@db_task()
def refresh_bureau_snapshots(bureau_id: int) -> None:
    from shuangfang.orgs.models import Organization

    from .snapshots import refresh_under

    bureau = Organization.objects.filter(pk=bureau_id).first()
    if bureau is not None:
        refresh_under(bureau)


def kick_bureau(bureau_id: int) -> None:
    """After commit: refresh the snapshots below a bureau whose scheme changed. Until it has run
    the dashboards compute those scores live (a snapshot of another scheme is never shown)."""
    try:
        refresh_bureau_snapshots(bureau_id)
    except Exception:  # the periodic refresh will catch up
        log.exception("could not enqueue the score refresh of bureau %s", bureau_id)
