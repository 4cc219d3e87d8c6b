"""Log in with the institution's identity provider (OpenID Connect, authorization-code flow), through
``mozilla-django-oidc``. Off unless ``OIDC_CLIENT_ID`` is set (docs/operations.md "Logins").

- A person is matched by their user name, taken from the ``OIDC_USERNAME_CLAIM`` claim
  (``preferred_username`` by default); their name, email and phone are refreshed at each login.
- Roles come from the provider's groups (``OIDC_GROUPS_CLAIM``, ``groups`` by default) through
  ``OIDC_ROLE_MAP``: ``group=role@organisation`` rules separated by ``;``, the organisation given by
  its UUID or its exact name. At each login a mapped role the person's groups grant is added, and
  a mapped role whose group is gone is ended: **mapped roles belong to the provider**. Roles that
  no rule mentions are left as the administrators set them.
- Someone with no role at all (no mapped group, no membership given by hand) is refused: an
  account at the provider is not by itself a right to this system.
- Every change is written to the audit trail as made by the identity provider (no person).
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import SuspiciousOperation
from django.http import Http404
from django.utils.decorators import method_decorator
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from . import identity
from .identity import Rule, parse_rules

log = logging.getLogger(__name__)


def rules() -> list[Rule]:
    return parse_rules(settings.OIDC_ROLE_MAP, "OIDC_ROLE_MAP")


class Backend(OIDCAuthenticationBackend):
    def verify_claims(self, claims: dict) -> bool:
        return bool(str(claims.get(settings.OIDC_USERNAME_CLAIM) or "").strip())

    def describe_user_by_claims(self, claims: dict) -> str:
        return f"user name {claims.get(settings.OIDC_USERNAME_CLAIM)!r}"

    def filter_users_by_claims(self, claims: dict):
        username = str(claims.get(settings.OIDC_USERNAME_CLAIM) or "").strip()
        return self.UserModel.objects.filter(username=username, is_active=True)

    def create_user(self, claims: dict):
        return self._sync(None, claims)

    def update_user(self, user, claims: dict):
        return self._sync(user, claims)

    def _sync(self, user, claims: dict):
        groups = claims.get(settings.OIDC_GROUPS_CLAIM) or []
        if isinstance(groups, str):
            groups = [groups]
        person = identity.sync_identity(
            user=user,
            username=str(claims.get(settings.OIDC_USERNAME_CLAIM)).strip(),
            name=str(claims.get("name") or claims.get(settings.OIDC_USERNAME_CLAIM)),
            email=str(claims.get("email") or ""),
            phone=str(claims.get("phone_number") or ""),
            groups={str(g) for g in groups},
            rules=rules(),
        )
        if person is None:
            raise SuspiciousOperation("no role in this system for this account")
        return person


class _Enabled:
    def dispatch(self, request, *args, **kwargs):
        if not settings.OIDC_ENABLED:
            raise Http404
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]


@method_decorator(login_not_required, name="dispatch")
class Start(_Enabled, OIDCAuthenticationRequestView):
    """Sends the browser to the provider's login page."""


@method_decorator(login_not_required, name="dispatch")
class Callback(_Enabled, OIDCAuthenticationCallbackView):
    """Where the provider sends the browser back with the code."""
