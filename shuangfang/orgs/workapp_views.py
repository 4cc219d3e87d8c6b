"""Scan-to-log-in with WeCom (企业微信) or DingTalk (钉钉) (``orgs.workapps``): the login page's
button sends the browser to the provider's QR page with a one-time ``state`` kept in the session;
the provider sends it back with a code, exchanged server-side for the person's user id there, which
is matched to an active person here who has a role (``WECOM_MATCH`` / ``DINGTALK_MATCH``). Anything
else (a forged or replayed state, an unknown person, a provider failure) goes back to the login page
with a clear message and nobody logged in. Off (404) unless the app is configured."""

from __future__ import annotations

import logging
import secrets

from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache

from . import workapps
from .models import Membership, User

log = logging.getLogger(__name__)
SESSION_KEY = "workapp_login"
LABELS = {workapps.WECOM: "WECOM_LOGIN", workapps.DINGTALK: "DINGTALK_LOGIN"}


def login_offered(app: str) -> bool:
    return workapps.enabled(app) and bool(getattr(settings, LABELS[app]))


def _app(app: str) -> str:
    if app not in LABELS or not login_offered(app):
        raise Http404
    return app


@login_not_required
@never_cache
def start(request: HttpRequest, app: str) -> HttpResponse:
    _app(app)
    next_url = request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    state = secrets.token_urlsafe(24)
    request.session[SESSION_KEY] = {"app": app, "state": state, "next": next_url}
    back = request.build_absolute_uri(reverse("workapp_login_callback", kwargs={"app": app}))
    return redirect(workapps.login_url(app, back, state))


def _failed(reason: str) -> HttpResponse:
    return redirect(f"{reverse('login')}?workapp={reason}")


def _person(app: str, who: workapps.Identity) -> User | None:
    match = settings.WECOM_MATCH if app == workapps.WECOM else settings.DINGTALK_MATCH
    people = User.objects.filter(is_active=True)
    if match == "mobile":
        if not who.mobile:
            return None
        found = list(people.filter(phone=who.mobile)[:2])
        person = found[0] if len(found) == 1 else None  # two people with one phone: nobody
    else:
        person = people.filter(username__iexact=who.userid).first()
    if person is None or not Membership.objects.active().filter(user=person).exists():
        return None
    return person


@login_not_required
@never_cache
def callback(request: HttpRequest, app: str) -> HttpResponse:
    _app(app)
    pending = request.session.pop(SESSION_KEY, None) or {}
    state = request.GET.get("state", "")
    code = request.GET.get("code" if app == workapps.WECOM else "authCode", "")
    if (
        not code
        or not state
        or pending.get("app") != app
        or not secrets.compare_digest(state, pending.get("state", ""))
    ):
        return _failed("state")
    try:
        who = workapps.identity_from_code(app, code)
    except workapps.WorkAppError as exc:
        log.warning("%s login: %s", app, exc)
        return _failed("provider")
    person = _person(app, who)
    if person is None:
        log.info("%s login: no person here for user id %s", app, who.userid)
        return _failed("unknown")
    login(request, person, backend="django.contrib.auth.backends.ModelBackend")
    return redirect(pending.get("next") or settings.LOGIN_REDIRECT_URL)


def login_context(request: HttpRequest) -> dict:
    """The login page's work-app buttons and the reason a scan did not log anyone in."""
    from django.utils.translation import gettext as _

    buttons = [
        (app, label)
        for app, label in (
            (workapps.WECOM, _("Scan with WeCom")),
            (workapps.DINGTALK, _("Scan with DingTalk")),
        )
        if login_offered(app)
    ]
    reasons = {
        "state": _("The scan expired or did not come from this page. Try again."),
        "provider": _("The work app could not be reached. Try again, or log in with your password."),
        "unknown": _(
            "Your work app account does not match a person with a role here. "
            "Ask your institution's administrator."
        ),
    }
    return {"workapp_buttons": buttons, "workapp_failed": reasons.get(request.GET.get("workapp", ""), "")}
