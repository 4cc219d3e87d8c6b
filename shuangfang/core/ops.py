"""Operations: the outbox page for administrators (what is waiting, what keeps failing, retry) and
the health checks for the operator's monitoring (unauthenticated, counts only)."""

from __future__ import annotations

import shutil

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from . import outbox
from .models import OutboxEvent
from .permissions import roles_with
from .tenancy import require_perm
from .types import AuthedRequest

# The outbox is late when its oldest due event has waited longer than this (seconds).
OUTBOX_LATE_SECONDS = 300


def is_operator(user) -> bool:
    """A superuser, or the holder of ``system.operate`` at the top of an organisation tree: the
    outbox carries every institution's events, so no one below the top sees it."""
    if user.is_superuser:
        return True
    return (
        user.active_memberships()
        .filter(role__in=roles_with("system.operate"), organization__parent__isnull=True)
        .exists()
    )


@require_perm("system.operate")
@require_http_methods(["GET", "POST"])
def outbox_page(request: AuthedRequest) -> HttpResponse:
    if not is_operator(request.user):
        raise PermissionDenied("system.operate")
    if request.method == "POST":
        ids = [int(x) for x in request.POST.getlist("retry") if x.isdigit()]
        n = outbox.retry(OutboxEvent.objects.failed().filter(pk__in=ids), actor=request.user)
        messages.success(request, _("%(n)d events sent round again.") % {"n": n})
        return redirect("core:outbox")
    failed = list(OutboxEvent.objects.failed().order_by("-failed_at")[:200])
    waiting = list(OutboxEvent.objects.pending().order_by("next_attempt_at", "id")[:50])
    recent = list(OutboxEvent.objects.filter(processed_at__isnull=False).order_by("-processed_at")[:20])
    return render(
        request,
        "core/outbox.html",
        {"stats": outbox.backlog(), "failed": failed, "waiting": waiting, "recent": recent},
    )


@login_not_required
@never_cache
def health(request: HttpRequest) -> HttpResponse:
    """Liveness: the process answers."""
    return JsonResponse({"status": "ok"})


def _queue_pending() -> int | None:
    """Tasks waiting in the worker queue (a Redis LLEN or one SQLite count); None if unreadable."""
    from huey.contrib.djhuey import HUEY

    try:
        return int(HUEY.pending_count())
    except Exception:
        return None


@login_not_required
@never_cache
def health_ready(request: HttpRequest) -> HttpResponse:
    """Readiness: the database answers, the outbox is drained in time and has nothing given up, the
    worker queue is not piling up, the listeners beat (with MQTT), the media folder has room. 503
    with the failing part named when not."""
    problems: list[str] = []
    body: dict[str, object] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        body["database"] = "ok"
    except Exception:
        body["database"] = "down"
        problems.append("database")
    if body["database"] == "ok":
        stats = outbox.backlog()
        body["outbox"] = stats
        if stats["failed"]:
            problems.append("outbox_failed")
        if stats["oldest_due_seconds"] > OUTBOX_LATE_SECONDS:
            problems.append("outbox_late")
        pending = _queue_pending()
        body["queue_pending"] = pending
        if pending is not None and pending > settings.HEALTH_QUEUE_MAX:
            problems.append("queue_backlog")
        for path in getattr(settings, "HEALTH_CHECKS", []):  # other apps' checks (MQTT listeners)
            problem, details = import_string(path)()
            body.update(details)
            if problem:
                problems.append(problem)
    try:
        free = shutil.disk_usage(settings.MEDIA_ROOT).free
        body["media_free_mb"] = free // 2**20
        if free < 512 * 2**20:
            problems.append("disk")
    except OSError:
        pass
    body["status"] = "ok" if not problems else "degraded"
    body["problems"] = problems
    return JsonResponse(body, status=200 if not problems else 503)
