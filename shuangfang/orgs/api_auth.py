from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer

from .models import ApiToken
from .services import TOKEN_RE, hash_token


class TokenAuth(HttpBearer):
    """``Authorization: Bearer sf_…``. A malformed, unknown, revoked or expired token is a 401 with a
    reason (ninja then does not try the other authenticators)."""

    def authenticate(self, request, token: str):
        if not TOKEN_RE.match(token):
            raise AuthenticationError(message=_("The API token is malformed: it should start with sf_."))
        row = ApiToken.objects.select_related("user").filter(key_hash=hash_token(token)).first()
        if row is None or not row.user.is_active:
            raise AuthenticationError(message=_("The API token is not valid."))
        if not row.is_usable:
            raise AuthenticationError(message=_("The API token was revoked or has expired."))
        now = timezone.now()
        if row.last_used_at is None or (now - row.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
        request.user = row.user
        return row.user
