"""The JSON API at /api/v1/. Each domain app's ``api.py`` exposes ``router``; it is mounted at
``/api/v1/<app label>/`` (listed at the end). Authentication: a personal API token
(``Authorization: Bearer sf_…``) or the browser session (with CSRF)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.security import SessionAuth

from shuangfang.core.api import DENIED, NOT_FOUND, StrictParser, declare_errors
from shuangfang.orgs.api_auth import TokenAuth, TokenScopeDenied, docs_require_login

api = NinjaAPI(
    title="Shuangfang API",
    version="1",
    urls_namespace="api",
    auth=[TokenAuth(), SessionAuth()],
    docs_url="/docs",
    # The schema and the docs page need a login (or API_DOCS_PUBLIC=true): docs/security.md.
    docs_decorator=docs_require_login,
)


@api.exception_handler(PermissionDenied)
def _denied(request, exc):
    return api.create_response(request, {"detail": str(DENIED)}, status=403)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return api.create_response(request, {"detail": str(NOT_FOUND)}, status=404)


@api.exception_handler(TokenScopeDenied)
def _scope_denied(request, exc):
    return api.create_response(request, {"detail": exc.message}, status=403)


@api.exception_handler(ValidationError)
def _invalid(request, exc):
    return api.create_response(request, {"detail": " ".join(exc.messages)}, status=400)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    message = getattr(exc, "message", "")
    if not message or message == "Unauthorized":
        message = _("Log in or send a valid API token.")
    return api.create_response(request, {"detail": message}, status=401)


# The domain apps' routers, one line an app, at /api/v1/<app label>/.
api.add_router("/orgs/", "shuangfang.orgs.api.router")
api.add_router("/assessment/", "shuangfang.assessment.api.router")
api.add_router("/criteria/", "shuangfang.criteria.api.router")
api.add_router("/dashboards/", "shuangfang.dashboards.api.router")
api.add_router("/duty/", "shuangfang.duty.api.router")
api.add_router("/equipment/", "shuangfang.equipment.api.router")
api.add_router("/food/", "shuangfang.food.api.router")
api.add_router("/hazards/", "shuangfang.hazards.api.router")
api.add_router("/inspections/", "shuangfang.inspections.api.router")
api.add_router("/monitoring/", "shuangfang.monitoring.api.router")
api.add_router("/notifications/", "shuangfang.notifications.api.router")
api.add_router("/outreach/", "shuangfang.outreach.api.router")
api.add_router("/publicreports/", "shuangfang.publicreports.api.router")
api.add_router("/relief/", "shuangfang.relief.api.router")
api.add_router("/readiness/", "shuangfang.readiness.api.router")
api.add_router("/reports/", "shuangfang.reports.api.router")
api.add_router("/risks/", "shuangfang.risks.api.router")


# Shared by every endpoint (shuangfang.core.api): strict JSON, and the error answers in the schema.
api.parser = StrictParser()
declare_errors(api)
