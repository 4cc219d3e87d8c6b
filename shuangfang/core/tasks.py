"""The outbox drain: kicked after each commit that wrote events, and every minute as a safety net
(a lost kick, a worker killed mid-way, a retry whose backoff has passed)."""

from __future__ import annotations

import datetime as dt

from django.core.cache import cache
from huey import crontab
from huey.contrib.djhuey import db_task

from .schedule import periodic


@db_task()
def drain_outbox_now() -> int:
    from .outbox import KICK_PENDING, drain

    # Taken before draining: a commit from now on kicks again; one from before is drained here.
    cache.delete(KICK_PENDING)
    return drain()


@db_task()
def run_job(job_id: int) -> None:
    """A person's background job (``core.jobs``), queued after the commit that wrote it."""
    from .jobs import run
    from .models import Job

    job = Job.objects.filter(pk=job_id, status=Job.QUEUED).select_related("owner").first()
    if job is not None:
        run(job)


@periodic(crontab(minute="*"))
def drain_outbox_periodic() -> int:
    from .outbox import drain

    return drain()


@periodic(crontab(hour="19", minute="10"))
def prune_outbox() -> int:
    """Nightly (03:10 Shanghai): done outbox rows and schedule claims older than 30 days."""
    from django.utils import timezone

    from .models import ScheduledRun
    from .outbox import prune

    ScheduledRun.objects.filter(slot__lt=timezone.now() - dt.timedelta(days=30)).delete()
    return prune()


# 18:15 UTC is 02:15 in Asia/Shanghai: after the night's reports (02:40 is later, so they land in
# the next night's archive), before the outbox prune.
@periodic(crontab(hour="18", minute="15"))
def nightly_backup() -> str | None:
    """With BACKUP_DAILY: one archive a night, the BACKUP_KEEP newest kept."""
    from django.conf import settings

    from .backup import make_backup, prune_backups

    if not settings.BACKUP_DAILY:
        return None
    made = make_backup(settings.BACKUP_DIR)
    prune_backups(settings.BACKUP_DIR, settings.BACKUP_KEEP)
    return str(made.archive)


@periodic(crontab(hour="19", minute="20"))
def prune_jobs() -> int:
    """Nightly (03:20 Shanghai): finished background jobs older than JOB_KEEP_DAYS, with their files."""
    from .jobs import prune

    return prune()
