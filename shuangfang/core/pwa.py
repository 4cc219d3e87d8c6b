"""The installable app (issue 15): the web manifest and the service worker, both at the root so the
worker's scope is the whole site. Public: an anonymous browser must be able to install and update
them, and neither says anything about a person or an institution."""

from __future__ import annotations

import json
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import HttpRequest, HttpResponse
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET

THEME = "#0b3d62"

# Pages the app keeps for use without the network (the person's due tasks, their checkpoints and
# risk points, the snap report): each app registers ``fn(user) -> [url, ...]`` in its nav.py; the
# home page hands the list to the service worker (core/pwa.js → sw.js "pages").
OFFLINE_PAGES: list[Callable[..., list[str]]] = []


def register_offline_pages(fn: Callable[..., list[str]]) -> Callable[..., list[str]]:
    OFFLINE_PAGES.append(fn)
    return fn


def offline_pages(user) -> list[str]:
    urls = [reverse("home")]
    for fn in OFFLINE_PAGES:
        urls.extend(fn(user))
    return list(dict.fromkeys(urls))


def outbox_words(user) -> dict:
    """The settings and words of core/outbox.js (the phone's outbox), in the reader's language."""
    return {
        "user": str(user.uuid),
        "maxBytes": settings.UPLOAD_MAX_BYTES,
        "home": reverse("home"),
        "snap": pgettext("outbox", "Snap report"),
        "kept": _("Kept on this phone: it is sent by itself when the connection returns."),
        "offline": _("No connection."),
        "serverAway": _("The server did not answer."),
        "needLogin": _("Log in again to send it."),
        "needReload": _("Open the app again to send it."),
        "refused": pgettext("outbox", "Not accepted."),
        "tooBig": _("A photo is too large to send. Remove it and take it again."),
        "waiting": pgettext("outbox", "Waiting to be sent"),
        "sending": pgettext("outbox", "Sending…"),
        "refusedTitle": pgettext("outbox", "Not accepted"),
        "sent": pgettext("outbox", "Sent"),
        "open": pgettext("outbox", "Open"),
        "photos": pgettext("outbox", "%(n)s photos"),
        "retry": pgettext("outbox", "Send again"),
        "toSnap": _("Send as a snap report"),
        "remove": pgettext("outbox", "Delete"),
        "removeConfirm": _("Delete it from this phone? What was typed and the photos are lost."),
        "notSubmitted": _("the inspection could not be submitted"),
        "seePhotos": pgettext("outbox", "See the photos."),
        "colon": pgettext("punctuation", ": "),
        "semicolon": pgettext("punctuation", "; "),
        "openParen": pgettext("punctuation", " ("),
        "closeParen": pgettext("punctuation", ")"),
    }


@login_not_required
@require_GET
def manifest(request: HttpRequest) -> HttpResponse:
    data = {
        "name": _("Shuangfang · Dual prevention"),
        "short_name": _("Shuangfang"),
        "start_url": reverse("home"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": THEME,
        "lang": request.LANGUAGE_CODE,
        "icons": [
            {"src": static("core/icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("core/icons/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {
                "src": static("core/icons/icon-maskable-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
    }
    response = HttpResponse(json.dumps(data, ensure_ascii=False), content_type="application/manifest+json")
    response["Cache-Control"] = "no-cache"
    return response


@login_not_required
@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """core/sw.js, served from / (a worker's scope cannot be wider than the folder it comes from)."""
    path = finders.find("core/sw.js")
    if path:
        with open(path, "rb") as f:
            body = f.read()
    else:  # collected static files only
        with staticfiles_storage.open("core/sw.js") as f:
            body = f.read()
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    return response
