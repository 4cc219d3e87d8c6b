"""Idempotent form submissions (the phone's outbox, docs/field-app.md).

A form that the phone may send more than once (the snap report, an inspection) carries an
idempotency key: a version-4 UUID made on the phone when the person tapped submit, in the
``Idempotency-Key`` header (or an ``idempotency_key`` field). The view is wrapped with
:func:`idempotent`:

- the first request with a key claims it (a row of ``core.Submission``, unique key) in the same
  transaction as the view's own work; when the view refuses (the form is shown again), everything
  is rolled back, the key included, so the corrected form can be sent again under it;
- a replay (same key, same person, same fields and file bytes) gets the first answer back and
  changes nothing; two copies sent at once wait for each other on the unique key;
- a key that is not a version-4 UUID, or a key already used by someone else or for other content,
  is refused (400 / 409) without saying anything about the first submission.

A request sent by the outbox (``X-Queued: 1``) is answered in JSON: ``{"url": …}`` when done,
``{"detail": …}`` with a 4xx status when refused (the view names its reasons with :func:`refuse`).
A plain form post keeps its usual answer (a redirect, or the page with its errors).
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.utils.translation import gettext as _

from .models import Submission

HEADER = "Idempotency-Key"
FIELD = "idempotency_key"
SKIP = {"csrfmiddlewaretoken", FIELD}


def refuse(request: HttpRequest, *reasons: str) -> None:
    """Names why the view did not accept the submission (said to the phone's outbox)."""
    found: list[str] = getattr(request, "_refusals", [])
    found.extend(r for r in reasons if r and r not in found)
    request._refusals = found  # type: ignore[attr-defined]


def refuse_form(request: HttpRequest, form: Any) -> None:
    """:func:`refuse` with a form's errors, each with its field's label."""
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        for error in errors:
            refuse(request, _("%(field)s: %(error)s") % {"field": label, "error": error} if label else error)


def parse_key(raw: str) -> uuid.UUID | None:
    """The key if it is a canonical version-4 UUID, else None."""
    try:
        key = uuid.UUID(raw)
    except (ValueError, AttributeError, TypeError):
        return None
    if key.version != 4 or str(key) != raw.strip().lower():
        return None
    return key


def payload_digest(request: HttpRequest) -> str:
    """sha256 of the fields (but the CSRF token and the key) and of every file's bytes."""
    h = hashlib.sha256()
    for name in sorted(request.POST):
        if name in SKIP:
            continue
        for value in request.POST.getlist(name):
            h.update(f"f\0{name}\0{value}\0".encode())
    for name in sorted(request.FILES):
        for upload in request.FILES.getlist(name):
            h.update(f"u\0{name}\0{upload.size}\0".encode())
            for chunk in upload.chunks():
                h.update(chunk)
            upload.seek(0)
    return h.hexdigest()


def _queued(request: HttpRequest) -> bool:
    return request.headers.get("X-Queued") == "1"


def _refused(status: int, detail: str) -> JsonResponse:
    return JsonResponse({"detail": detail}, status=status)


def _key_taken() -> JsonResponse:
    return _refused(
        409, _("This submission key was already used for other content. Nothing was saved from this one.")
    )


def _done(request: HttpRequest, url: str, *, replay: bool) -> HttpResponse:
    if _queued(request):
        return JsonResponse({"url": url, "replay": replay}, status=200 if replay else 201)
    return HttpResponseRedirect(url)


def _replay(request: HttpRequest, key: uuid.UUID, digest: str) -> HttpResponse:
    first = Submission.objects.filter(key=key).first()
    if first is None:  # the other copy was refused and rolled back: this one may try again
        return _refused(409, _("The same submission is being sent twice at once. Try again."))
    if first.user_id != request.user.pk or first.digest != digest:
        return _key_taken()
    return _done(request, first.result_url, replay=True)


def _refusal_answer(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    if not _queued(request):
        return response
    reasons = getattr(request, "_refusals", [])
    detail = " ".join(reasons) or _("The form was not accepted. Open it again to see why.")
    status = response.status_code if 400 <= response.status_code < 500 else 422
    return _refused(status, detail)


def idempotent(kind: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Wraps a form view whose success is a redirect (see the module's docstring)."""

    def wrap(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            raw = request.headers.get(HEADER) or (
                request.POST.get(FIELD, "") if request.method == "POST" else ""
            )
            if request.method != "POST" or not raw:
                return view(request, *args, **kwargs)
            key = parse_key(raw)
            if key is None:
                return _refused(
                    400, _("The submission key is not valid. Open the form again and send it from there.")
                )
            try:
                return _first_time(request, key, kind, view, args, kwargs)
            except Http404:
                if not _queued(request):
                    raise
                return _refused(404, _("Not found, or not yours to do."))
            except PermissionDenied as exc:
                if not _queued(request):
                    raise
                return _refused(403, str(exc) or _("This is not yours to do."))

        return wrapper

    return wrap


def _first_time(request, key, kind, view, args, kwargs) -> HttpResponse:
    digest = payload_digest(request)
    if Submission.objects.filter(key=key).exists():
        return _replay(request, key, digest)
    with transaction.atomic():
        try:
            with transaction.atomic():
                Submission.objects.create(key=key, user=request.user, kind=kind, digest=digest)
        except IntegrityError:
            claimed = False
        else:
            claimed = True
        if claimed:
            response = view(request, *args, **kwargs)
            if response.status_code != 302:
                transaction.set_rollback(True)  # the key too: the corrected form may use it again
                return _refusal_answer(request, response)
            url = response["Location"]
            Submission.objects.filter(key=key).update(result_url=url[:300])
    if not claimed:
        return _replay(request, key, digest)
    return _done(request, url, replay=False)
