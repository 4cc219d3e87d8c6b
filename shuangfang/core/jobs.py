"""Long work in the background, with progress: a big export runs on a worker, the page shows a
progress bar, the person may leave and is told in the inbox when the file is ready.

A list's ``?export=xlsx`` over ``EXPORT_IMMEDIATE_ROWS`` rows (``core.listing``) calls
:func:`start` instead of answering itself: a :class:`~shuangfang.core.models.Job` is written with the
page's URL (filters included), the requester and the language, and a worker **replays the same
GET** as that person (:func:`run`): the view checks the person's rights again and builds exactly the
rows the page would have exported, counting them into ``done``/``total`` as it goes. So every list
gains background export without code of its own, and a job can never show more than its owner may
see. The file is kept ``JOB_KEEP_DAYS`` days (nightly prune); only the owner can see the job or
fetch its file (404 for anyone else).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.urls import resolve, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from . import events
from .models import Job
from .workflow import Transition, Workflow

log = logging.getLogger(__name__)
PROGRESS_EVERY = 500  # rows between two progress writes


def _started(job: Job, actor: Any, ctx: dict[str, Any]) -> None:
    job.started_at = timezone.now()


def _finished(job: Job, actor: Any, ctx: dict[str, Any]) -> None:
    job.finished_at = timezone.now()
    job.error = ctx.get("error", "")


def _tell_owner(job: Job, actor: Any, ctx: dict[str, Any]) -> None:
    if job.organization_id is None:
        return
    events.publish(
        "job.finished",
        organization_id=job.organization_id,
        object_uuid=str(job.uuid),
        title=(gettext("Ready: %(title)s") if job.status == Job.DONE else gettext("Failed: %(title)s"))
        % {"title": job.title},
        url=reverse("core:job", kwargs={"uuid": job.uuid}),
        recipient_ids=[job.owner_id],
    )


FLOW: Workflow[Job] = Workflow(
    Job,
    [
        Transition(Job.QUEUED, "start", Job.RUNNING, effects=[_started]),
        Transition(Job.RUNNING, "finish", Job.DONE, effects=[_finished], then=[_tell_owner]),
        Transition([Job.QUEUED, Job.RUNNING], "fail", Job.FAILED, effects=[_finished], then=[_tell_owner]),
    ],
    unaudited="system moves of a person's own job; the row records its times and error",
)


def _home_org(user) -> Any:
    membership = user.memberships.select_related("organization").order_by("pk").first()
    return membership.organization if membership else None


def start(request: HttpRequest, title: str) -> HttpResponse:
    """Queue the current GET as a job for the requester; send them to its progress page."""
    with transaction.atomic():
        job = Job.objects.create(
            owner=request.user,  # type: ignore[misc]  # list pages need a login
            organization=_home_org(request.user),
            title=title[:200],
            path=request.get_full_path()[:2000],
            language=translation.get_language() or settings.LANGUAGE_CODE,
        )
        from .tasks import run_job

        transaction.on_commit(lambda: run_job(job.pk))
    return redirect("core:job", uuid=job.uuid)


def is_replay(request: HttpRequest) -> bool:
    return getattr(request, "job", None) is not None


def count_rows(request: HttpRequest, total: int, rows: Iterable[Any]) -> Iterator[Any]:
    """Pass ``rows`` through, writing the job's progress every ``PROGRESS_EVERY`` rows."""
    job: Job | None = getattr(request, "job", None)
    if job is None:
        yield from rows
        return
    Job.objects.filter(pk=job.pk).update(total=total)
    n = 0
    for row in rows:
        n += 1
        if n % PROGRESS_EVERY == 0:
            Job.objects.filter(pk=job.pk).update(done=n)
        yield row
    Job.objects.filter(pk=job.pk).update(done=n)


def _replay(job: Job) -> HttpResponse:
    parts = urlsplit(job.path)
    request = HttpRequest()
    request.method = "GET"
    request.path = request.path_info = parts.path
    request.GET = QueryDict(parts.query)
    site = urlsplit(settings.SITE_URL)
    request.META = {
        "SERVER_NAME": site.hostname or "localhost",
        "SERVER_PORT": str(site.port or (443 if site.scheme == "https" else 80)),
        "HTTP_HOST": site.netloc,
        "REQUEST_METHOD": "GET",
        "QUERY_STRING": parts.query,
    }
    request.user = job.owner
    request.job = job  # type: ignore[attr-defined]
    match = resolve(parts.path)
    with translation.override(job.language):
        return match.func(request, *match.args, **match.kwargs)


def _content(response: HttpResponse) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)  # type: ignore[attr-defined]
    return response.content


def _reason(exc: Exception) -> str:
    """What the owner reads on the job's page (the details are in the log, never on the page)."""
    if isinstance(exc, PermissionDenied):
        return gettext("You may no longer open this page, so it was not exported.")
    if isinstance(exc, Http404):
        return gettext("The page or its records are gone.")
    return gettext("The job could not be completed; the operators can see why in the log.")


def run(job: Job) -> Job:
    """Do one queued job: replay its page as its owner and keep the file it answers with."""
    job = FLOW.move(job, "start", actor=None)
    try:
        response = _replay(job)
        if response.status_code == 403:
            raise PermissionDenied
        if response.status_code != 200:
            raise RuntimeError(f"the page answered {response.status_code}")
        disposition = response.get("Content-Disposition", "")
        name = disposition.split("''", 1)[1] if "''" in disposition else f"{job.uuid}.bin"
        job.filename = unquote(name)[:200]
        job.content_type = response.get("Content-Type", "application/octet-stream")[:100]
        job.file.save(job.filename, ContentFile(_content(response)), save=False)
        Job.objects.filter(pk=job.pk).update(
            file=job.file.name, filename=job.filename, content_type=job.content_type
        )
    except Exception as exc:
        log.exception("job %s failed", job.uuid)
        job.refresh_from_db()
        with translation.override(job.language):
            return FLOW.move(job, "fail", actor=None, error=_reason(exc))
    job.refresh_from_db()
    return FLOW.move(job, "finish", actor=None)


def prune(now: dt.datetime | None = None) -> int:
    """Delete finished jobs (and their files) older than ``JOB_KEEP_DAYS``."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=settings.JOB_KEEP_DAYS)
    old = list(Job.objects.filter(created_at__lt=cutoff, status__in=[Job.DONE, Job.FAILED]))
    for job in old:
        if job.file:
            job.file.delete(save=False)
    Job.objects.filter(pk__in=[j.pk for j in old]).delete()
    return len(old)
