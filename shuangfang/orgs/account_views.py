"""Logging in and out, one's own password, and personal API tokens."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.core.exceptions import ValidationError
from django.forms.utils import ErrorDict
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from shuangfang.core.types import AuthedRequest

from . import services, workapp_views
from .forms import LanguageForm, TokenForm
from .login_guard import LoginGuard
from .models import ApiToken, TokenScope, User


@login_not_required
@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def login_view(request: HttpRequest) -> HttpResponse:
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    if request.user.is_authenticated:
        return redirect(next_url or settings.LOGIN_REDIRECT_URL)
    form = AuthenticationForm(request, data=request.POST or None)
    if request.method == "GET" and next_url and settings.SESSION_COOKIE_NAME in request.COOKIES:
        messages.info(request, _("Your session has expired. Please log in again."))
    if request.method == "POST":
        guard = LoginGuard(request, request.POST.get("username", ""))
        refusal = guard.refusal()
        if refusal:
            # Refused before the password is hashed: hammering costs the server nothing.
            form._errors, form.cleaned_data = ErrorDict(), {}  # type: ignore[attr-defined]
            form.add_error(None, refusal)
        elif form.is_valid():
            login(request, form.get_user())
            response = redirect(next_url or settings.LOGIN_REDIRECT_URL)
            if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
                # No language chosen on this browser: the person's own language from now on.
                _language_cookie(response, form.get_user().language)
            guard.succeeded(response)
            return response
        else:
            guard.failed()
    sso = (
        (settings.OIDC_LOGIN_LABEL or _("Log in with your organisation's account"))
        if settings.OIDC_ENABLED
        else ""
    )
    ctx = {"form": form, "next": next_url, "sso_label": sso, "sso_failed": request.GET.get("sso") == "failed"}
    ctx.update(workapp_views.login_context(request))
    return render(request, "orgs/login.html", ctx)


@require_POST
def logout_view(request: AuthedRequest) -> HttpResponse:
    logout(request)
    return redirect("login")


@sensitive_post_parameters()
def password_change(request: AuthedRequest) -> HttpResponse:
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.change_own_password(actor=request.user, new_password=form.cleaned_data["new_password1"])
        update_session_auth_hash(request, request.user)
        messages.success(request, _("Your password was changed."))
        return redirect("home")
    if request.user.must_change_password and request.method == "GET":
        messages.warning(request, _("Please choose a new password before you go on."))
    return render(request, "orgs/form.html", {"form": form, "title": _("Change password")})


def _language_cookie(response: HttpResponse, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        secure=settings.LANGUAGE_COOKIE_SECURE,
    )


def _language(request: AuthedRequest) -> HttpResponse:
    form = LanguageForm(request.POST, instance=User.objects.get(pk=request.user.pk))
    if not form.is_valid():
        messages.error(request, _("Unknown language."))
        return redirect("profile")
    services.set_own_language(actor=request.user, language=form.cleaned_data["language"])
    response = redirect("profile")
    _language_cookie(response, request.user.language)
    return response


def profile(request: AuthedRequest) -> HttpResponse:
    if request.method == "POST" and request.POST.get("form") == "language":
        return _language(request)
    form = TokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, new_token = services.issue_api_token(
                actor=request.user,
                name=form.cleaned_data["name"],
                expires_at=form.cleaned_data["expires_at"],
                scope=form.cleaned_data["scope"] or TokenScope.READ,
            )
        except ValidationError as exc:
            for m in exc.messages:
                form.add_error(None, m)
        else:
            form = TokenForm()
    memberships = request.user.active_memberships().select_related("organization", "post")
    tokens = ApiToken.objects.filter(user=request.user)
    return render(
        request,
        "orgs/profile.html",
        {
            "form": form,
            "tokens": tokens,
            "new_token": new_token,
            "memberships": memberships,
            "language_form": LanguageForm(instance=request.user),
        },
    )


@require_POST
def token_revoke(request: AuthedRequest, uuid) -> HttpResponse:
    token = get_object_or_404(ApiToken, uuid=uuid, user=request.user)
    services.revoke_api_token(actor=request.user, token=token)
    messages.success(request, _("The token was revoked."))
    return redirect("profile")
