from django.contrib.auth.middleware import LoginRequiredMiddleware as _DjangoLoginRequired
from django.shortcuts import redirect
from django.urls import reverse


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
