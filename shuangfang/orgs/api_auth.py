from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer

from shuangfang.core import authcache

from .models import ApiToken, TokenScope
from .services import TOKEN_RE, hash_token

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class TokenScopeDenied(Exception):
    """A read-only token used for a write: the API answers 403 with the reason."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class TokenAuth(HttpBearer):
    """``Authorization: Bearer sf_…``. A malformed, unknown, revoked or expired token is a 401 with a
    reason (ninja then does not try the other authenticators); a read-only token sent with a write
    method is a 403 with the reason."""

    def authenticate(self, request, token: str):
        if not TOKEN_RE.match(token):
            raise AuthenticationError(message=_("The API token is malformed: it should start with sf_."))
        entry = cached_token(hash_token(token))
        if entry is None or not entry.user.is_active:
            raise AuthenticationError(message=_("The API token is not valid."))
        if not entry.is_usable:
            raise AuthenticationError(message=_("The API token was revoked or has expired."))
        if entry.scope != TokenScope.READ_WRITE and request.method not in READ_METHODS:
            raise TokenScopeDenied(
                _("This API token is read-only: create a read-write token to change data.")
            )
        now = timezone.now()
        if entry.last_used_at is None or (now - entry.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=entry.pk).update(last_used_at=now)
            entry.last_used_at = now
            authcache.put("token", entry.key_hash, entry)
        request.user = entry.user
        return entry.user


def cached_token(key_hash: str) -> ApiToken | None:
    """The token with this hash and its user, from core.authcache (a miss reads the database and
    remembers; orgs.signals moves the cache's stamp the moment the token or its owner changes).
    Unknown hashes are not remembered: nothing to invalidate when such a token is created."""
    return authcache.remembered(
        "token", key_hash, lambda: ApiToken.objects.select_related("user").filter(key_hash=key_hash).first()
    )


def docs_require_login(view):
    """The API's schema and docs pages: readable with a session or a valid token, unless
    ``API_DOCS_PUBLIC`` is set (read per request). Without either, the schema answers 401 with a
    reason and the docs page sends the browser to the login page."""

    @wraps(view)
    def guarded(request, *args, **kwargs):
        if settings.API_DOCS_PUBLIC or request.user.is_authenticated:
            return view(request, *args, **kwargs)
        header = request.headers.get("Authorization", "")
        if header.lower().startswith("bearer "):
            try:
                if TokenAuth().authenticate(request, header[7:].strip()):
                    return view(request, *args, **kwargs)
            except AuthenticationError as exc:
                return JsonResponse({"detail": exc.message}, status=401)
        if request.path.endswith(".json"):
            return JsonResponse({"detail": _("Log in or send a valid API token.")}, status=401)
        return redirect_to_login(request.get_full_path())

    return guarded
