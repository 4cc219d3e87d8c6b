"""A person's background jobs: the progress page (polled by htmx until the job ends), the file,
and the list of their recent jobs. Only the owner sees a job (404 for anyone else)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from .models import Job


def _own(request: HttpRequest, uuid) -> Job:
    return get_object_or_404(Job, uuid=uuid, owner=request.user)


@login_required
def job_page(request: HttpRequest, uuid) -> HttpResponse:
    job = _own(request, uuid)
    ctx = {"job": job}
    htmx = getattr(request, "htmx", None)
    return render(request, "core/_job.html" if htmx else "core/job.html", ctx)


@login_required
def job_file(request: HttpRequest, uuid) -> FileResponse:
    job = _own(request, uuid)
    if job.status != Job.DONE or not job.file:
        raise Http404
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=job.filename)


@login_required
def job_list(request: HttpRequest) -> HttpResponse:
    jobs = Job.objects.filter(owner=request.user)[:50]  # type: ignore[misc]  # login_required
    return render(request, "core/jobs.html", {"jobs": jobs})
