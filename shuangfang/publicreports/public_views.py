"""The pages a visitor opens without an account: the report form behind a poster's QR code and the
follow-up page of a report. They show the institution's name and the poster's place, never a
person, a hazard number, an officer's note or another visitor's report."""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from shuangfang.core.throttle import client_ip

from . import services
from .forms import PublicReportForm

DEVICE_COOKIE = "pr_device"
DEVICE_SALT = "publicreports.device"
DEVICE_AGE = 365 * 24 * 3600


def _device(request: HttpRequest) -> str:
    return request.get_signed_cookie(DEVICE_COOKIE, default="", salt=DEVICE_SALT) or ""


def _private(response: HttpResponse) -> HttpResponse:
    """No caching by proxies, no code in a Referer to another site, not indexed by search engines."""
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "same-origin"  # no-referrer would make the form post "Origin: null" (CSRF)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _with_device(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    if not _device(request):
        response.set_signed_cookie(
            DEVICE_COOKIE,
            secrets.token_urlsafe(16),
            salt=DEVICE_SALT,
            max_age=DEVICE_AGE,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure(),
        )
    return response


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest, code: str) -> HttpResponse:
    poster = services.active_poster(code)
    if poster is None:
        return _private(render(request, "publicreports/public_unknown.html", status=404))
    if not poster.is_active:
        return _private(render(request, "publicreports/public_off.html", {"poster": poster}, status=410))
    form = PublicReportForm()
    status = 200
    error = ""
    if request.method == "POST":
        form = PublicReportForm(request.POST, request.FILES)
        if not _device(request):
            # The phone's cookie comes with the form page: a bare POST (a script) is refused.
            error, status = (_("Open the page again from the QR code, then send the report.")), 400
        elif form.is_valid():
            try:
                sent = services.submit_report(
                    poster=poster,
                    text=form.cleaned_data["text"],
                    phone=form.cleaned_data["phone"],
                    photos=form.cleaned_data["photos"],
                    address=client_ip(request),
                    device=_device(request),
                )
            except services.Limited as exc:
                error, status = " ".join(exc.messages), 429
            except ValidationError as exc:
                error, status = " ".join(exc.messages), 400
            else:
                # A message, not a query flag: the follow-up URL the visitor keeps stays clean.
                messages.success(request, _("Thank you. Your report was received."))
                return _private(redirect(reverse("publicreports:follow", args=[sent.follow_code])))
        else:
            status = 400
    response = render(
        request,
        "publicreports/public_report.html",
        {"poster": poster, "form": form, "error": error},
        status=status,
    )
    if status == 429:
        response["Retry-After"] = str(max(services.cooling_wait(_device(request)), 60))
    return _private(_with_device(request, response))


@login_not_required
@never_cache
def follow_lookup(request: HttpRequest) -> HttpResponse:
    code = services.normalise_code(request.GET.get("code", ""))
    if code:
        return redirect("publicreports:follow", code=code)
    return _private(render(request, "publicreports/public_lookup.html"))


@login_not_required
@never_cache
def follow(request: HttpRequest, code: str) -> HttpResponse:
    if not services.follow_attempt(client_ip(request)):
        return _private(render(request, "publicreports/public_lookup.html", {"limited": True}, status=429))
    found = services.report_by_code(code)
    if found is None:
        return _private(render(request, "publicreports/public_lookup.html", {"unknown": True}, status=404))
    shown = services.public_status(found)
    return _private(
        render(
            request,
            "publicreports/public_follow.html",
            {
                "report": found,
                "shown": shown,
                "institution": found.organization.name,
                "place": found.poster.place,
            },
        )
    )
