from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from . import nav
from .pwa import offline_pages
from .types import AuthedRequest


def home(request: AuthedRequest) -> HttpResponse:
    user = request.user
    memberships = list(
        user.active_memberships().select_related("organization", "organization__institution", "post")
    )
    for m in memberships:
        m.breadcrumb = m.organization.ancestors()  # type: ignore[attr-defined]
    return render(
        request,
        "core/home.html",
        {
            "memberships": memberships,
            "quick_items": nav.with_counts(user, nav.visible(user, quick=True)),
            "offline_pages": offline_pages(user),
        },
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(
        request,
        "core/error.html",
        {
            "title": _("The form has expired"),
            "message": _(
                "The page was open too long or your session ended. Go back, reload the page and try again."
            ),
        },
        status=403,
    )


def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    return render(
        request,
        "core/error.html",
        {
            "title": _("Not allowed"),
            "message": _("Your role does not allow this. Ask your safety officer if you need it."),
        },
        status=403,
    )


def not_found(request: HttpRequest, exception=None) -> HttpResponse:
    return render(
        request,
        "core/error.html",
        {"title": _("Not found"), "message": _("This page does not exist, or it is not yours to see.")},
        status=404,
    )


def bad_request(request: HttpRequest, error: ValidationError | str) -> HttpResponse:
    """A 400 page for an address the user can correct (a malformed ``?period=``, say), with the
    reason in the user's language."""
    message = " ".join(error.messages) if isinstance(error, ValidationError) else error
    return render(request, "core/error.html", {"title": _("Not understood"), "message": message}, status=400)
