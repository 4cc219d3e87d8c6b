from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest
from django.utils.functional import Promise

if TYPE_CHECKING:
    from shuangfang.orgs.models import User

Label = str | Promise


class AuthedRequest(HttpRequest):
    """A request behind the login: ``user`` is a person, never anonymous."""

    user: User
