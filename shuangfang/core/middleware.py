import json

from django.contrib.auth.middleware import AuthenticationMiddleware as _DjangoAuthentication
from django.contrib.auth.middleware import LoginRequiredMiddleware as _DjangoLoginRequired
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from shuangfang.core import authcache
from shuangfang.core.api import refuse_unstorable


class AuthStampMiddleware:
    """Opens ``core.authcache``'s request scope: whatever the request looks up of who is calling,
    the shared stamp is read once (first in the chain: the session and the API both need it)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with authcache.request_scope():
            return self.get_response(request)


class AuthenticationMiddleware(_DjangoAuthentication):
    """Django's, with the signed-in person read from ``core.authcache`` (dropped on any change to
    them): one database query less on every page."""

    def process_request(self, request):
        super().process_request(request)

        def user():
            if not hasattr(request, "_cached_user"):
                request._cached_user = authcache.session_user(request)
            return request._cached_user

        request.user = SimpleLazyObject(user)


class PasswordChangeRequiredMiddleware:
    """After an administrator reset a password, the person must choose a new one first."""

    allowed = ("password_change", "logout", "set_language")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and getattr(user, "must_change_password", False)
            and not request.path.startswith(("/static/", "/api/"))
            and request.path not in {reverse(name) for name in self.allowed}
        ):
            return redirect("password_change")
        return self.get_response(request)


class LoginRequiredMiddleware(_DjangoLoginRequired):
    """Every page needs a login unless marked ``@login_not_required``. The API authenticates on its
    own (token or session) and answers 401 rather than redirecting; device ingestion likewise."""

    exempt_prefixes = ("/api/",)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path.startswith(self.exempt_prefixes):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


class ContentSecurityPolicyMiddleware:
    """Sends ``settings.CONTENT_SECURITY_POLICY`` (a directive → sources mapping) on every response
    that has none yet, as ``Content-Security-Policy`` or, with ``CSP_REPORT_ONLY``, its report-only
    twin. The policy and why each source is there: docs/security.md."""

    def __init__(self, get_response):
        from django.conf import settings

        self.get_response = get_response
        policy = getattr(settings, "CONTENT_SECURITY_POLICY", {}) or {}
        self.header = (
            "Content-Security-Policy-Report-Only"
            if getattr(settings, "CSP_REPORT_ONLY", False)
            else "Content-Security-Policy"
        )
        self.value = "; ".join(" ".join([directive, *sources]) for directive, sources in policy.items())

    def __call__(self, request):
        response = self.get_response(request)
        if self.value and self.header not in response:
            response[self.header] = self.value
        return response


class UnstorableInputMiddleware:
    """The one place where page input is checked for text no database keeps (docs/security.md,
    "Text a database cannot keep"): a NUL character or a lone surrogate in any query or form value
    (every form of the product and every view that reads ``request.POST`` itself), in a form value
    that holds JSON (``"\\ud800"`` decodes to a lone surrogate), or in a JSON body is refused with a
    400 page in the user's language before any view runs. Nothing is stored; no page breaks later.
    The JSON API has its own check (``core.api.StrictParser``: a 400 with ``detail``)."""

    exempt_prefixes = ("/api/", "/static/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(self.exempt_prefixes):
            try:
                check_request(request)
            except ValueError as exc:
                from shuangfang.core.views import bad_request

                return bad_request(request, str(exc))
        return self.get_response(request)


def _check_value(value: str) -> None:
    refuse_unstorable(value)
    if value.lstrip()[:1] in ('"', "[", "{") and "\\u" in value:
        try:
            decoded = json.loads(value)
        except ValueError:
            return
        refuse_unstorable(decoded)


def check_request(request) -> None:
    """Raise ``ValueError`` (translated reason) for a NUL or a lone surrogate in ``request``'s input."""
    for data in (request.GET, request.POST) if request.method == "POST" else (request.GET,):
        for key, values in data.lists():
            refuse_unstorable(key)
            for value in values:
                _check_value(value)
    for upload in request.FILES.values() if request.method == "POST" else ():
        refuse_unstorable(upload.name)
    if request.content_type == "application/json" and request.body:
        try:
            body = request.body.decode()
        except UnicodeDecodeError:
            raise ValueError(_("Text must be valid Unicode (no lone surrogates).")) from None
        _check_value(body)
