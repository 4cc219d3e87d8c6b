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

Work that is not a page (generating a report, importing a workbook) is a **task**: a function
registered by name in :data:`TASKS` (``"app.name": "dotted.path:function"``, imported only when a
worker runs it, so no app imports another to register). :func:`submit` writes the job with its
arguments (and the uploaded file, kept beside the job), the worker calls ``function(job, params)``
in the owner's language; the function reports its progress with :func:`progress` and answers with
an :class:`Outcome`: a file, a page to go to, or row errors (the job then fails and its page lists
them, nothing saved).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from importlib import import_module
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

# Task name -> "module:function" (see the module's docstring). Apps add theirs in their AppConfig.ready.
TASKS: dict[str, str] = {}


def register(name: str, target: str) -> None:
    TASKS[name] = target


@dataclass
class Outcome:
    """What a task answers: a file (``data``/``filename``), a page (``url``), a sentence for the job's
    page (``summary``), or the rows that stopped it (``errors``: row, column, message)."""

    data: bytes | None = None
    filename: str = ""
    content_type: str = "application/octet-stream"
    url: str = ""
    summary: str = ""
    errors: list[dict[str, Any]] = field(default_factory=list)


class TaskFailed(Exception):
    """A task's own refusal, in the owner's words (a ``ValidationError`` message): shown as is."""


def progress(job: Job | None, done: int, total: int) -> None:
    if job is not None:
        Job.objects.filter(pk=job.pk).update(done=done, total=total)


def submit(request: HttpRequest, task: str, title: str, params: dict[str, Any], upload=None) -> HttpResponse:
    """Queue the registered ``task`` for the requester (``upload`` kept as the job's input file) and
    send them to its progress page. The request returns at once."""
    if task not in TASKS:
        raise KeyError(task)
    with transaction.atomic():
        job = Job(
            owner=request.user,  # type: ignore[misc]  # the pages that submit need a login
            organization=_home_org(request.user),
            title=title[:200],
            path=request.get_full_path()[:2000],
            language=translation.get_language() or settings.LANGUAGE_CODE,
            task=task,
            params=params,
        )
        if upload is not None:
            upload.seek(0)
            job.input.save(getattr(upload, "name", "upload.bin")[-100:], upload, save=False)
        job.save()
        from .tasks import run_job

        transaction.on_commit(lambda: run_job(job.pk))
    return redirect("core:job", uuid=job.uuid)


def _call(job: Job) -> Outcome:
    module, _sep, name = TASKS[job.task].partition(":")
    func: Callable[[Job, dict[str, Any]], Outcome] = getattr(import_module(module), name)
    with translation.override(job.language):
        return func(job, job.params)


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


def offload(request: HttpRequest, rows: int, title: str, limit: int | None = None) -> HttpResponse | None:
    """A file page's answer when it is too big to make in the request: over ``limit`` rows
    (``PDF_IMMEDIATE_ROWS`` by default: typesetting is the slow kind) the page is queued as a job
    replayed by a worker (:func:`start`); None (make it now) below it and in the replay itself."""
    limit = settings.PDF_IMMEDIATE_ROWS if limit is None else limit
    if is_replay(request) or rows <= limit:
        return None
    return start(request, title)


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


def _keep(job: Job, outcome: Outcome) -> None:
    fields: dict[str, Any] = {
        "result_url": outcome.url[:2000],
        "result": {"summary": outcome.summary, "errors": outcome.errors},
    }
    if outcome.data is not None:
        job.filename = outcome.filename[:200] or f"{job.uuid}.bin"
        job.file.save(job.filename, ContentFile(outcome.data), save=False)
        fields.update(file=job.file.name, filename=job.filename, content_type=outcome.content_type[:100])
    Job.objects.filter(pk=job.pk).update(**fields)


def _run_task(job: Job) -> Job:
    try:
        outcome = _call(job)
    except Exception as exc:
        if not isinstance(exc, TaskFailed):
            log.exception("job %s failed", job.uuid)
        job.refresh_from_db()
        with translation.override(job.language):
            return FLOW.move(
                job, "fail", actor=None, error=str(exc) if isinstance(exc, TaskFailed) else _reason(exc)
            )
    _keep(job, outcome)
    job.refresh_from_db()
    if outcome.errors:
        with translation.override(job.language):
            n = len(outcome.errors)
            error = translation.ngettext(
                "%(n)d row has an error: nothing was saved.", "%(n)d rows have errors: nothing was saved.", n
            ) % {"n": n}
        return FLOW.move(job, "fail", actor=None, error=error)
    return FLOW.move(job, "finish", actor=None)


def run(job: Job) -> Job:
    """Do one queued job: call its task, or replay its page as its owner and keep the file it answers with."""
    job = FLOW.move(job, "start", actor=None)
    if job.task:
        return _run_task(job)
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
        if job.input:
            job.input.delete(save=False)
    Job.objects.filter(pk__in=[j.pk for j in old]).delete()
    return len(old)
