"""The JSON API at /api/v1/. Each domain app's ``api.py`` exposes ``router``; it is mounted at
``/api/v1/<app label>/``. Authentication: a personal API token (``Authorization: Bearer sf_…``) or
the browser session (with CSRF)."""

from importlib import import_module
from importlib.util import find_spec

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.security import SessionAuth

from shuangfang.orgs.api_auth import TokenAuth

api = NinjaAPI(
    title="Shuangfang API",
    version="1",
    urls_namespace="api",
    auth=[TokenAuth(), SessionAuth()],
    docs_url="/docs",
)


@api.exception_handler(PermissionDenied)
def _denied(request, exc):
    return api.create_response(request, {"detail": _("Your role does not allow this.")}, status=403)


@api.exception_handler(ValidationError)
def _invalid(request, exc):
    return api.create_response(request, {"detail": " ".join(exc.messages)}, status=400)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    message = getattr(exc, "message", "")
    if not message or message == "Unauthorized":
        message = _("Log in or send a valid API token.")
    return api.create_response(request, {"detail": message}, status=401)


for dotted in settings.DOMAIN_APPS:
    label = dotted.rsplit(".", 1)[1]
    if find_spec(f"{dotted}.api") is not None:
        api.add_router(f"/{label}/", import_module(f"{dotted}.api").router)
