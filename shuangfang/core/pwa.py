"""The installable app (issue 15): the web manifest and the service worker, both at the root so the
worker's scope is the whole site. Public: an anonymous browser must be able to install and update
them, and neither says anything about a person or an institution."""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_not_required
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import HttpRequest, HttpResponse
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

THEME = "#0b3d62"


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
