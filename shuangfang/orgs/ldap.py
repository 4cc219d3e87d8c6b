"""Log in with the password of the institution's directory (LDAP, or Active Directory over LDAP),
with ``ldap3`` (pure Python: no C library to build on an intranet box; see docs/operations.md for
why not django-auth-ldap). Off unless ``LDAP_SERVER_URI`` is set.

The login form stays the same. With a user name and password, this backend binds with the service
account (``LDAP_BIND_DN``), finds exactly one entry with ``LDAP_USER_FILTER`` under
``LDAP_USER_BASE`` (the name escaped), binds **as that entry with the password typed** (so the
directory checks the password, its lockout and expiry rules), reads the person's groups
(``LDAP_GROUP_BASE`` + ``LDAP_GROUP_FILTER``), and gives the person and their mapped roles to
``orgs.identity.sync_identity`` (``LDAP_ROLE_MAP``: the same ``group=role@organisation`` rules as
single sign-on). An empty password is refused before any bind (an LDAP bind with an empty
password is an anonymous bind that "succeeds"). A directory that cannot be reached fails the
login with the usual message and a log line; people with a local password still log in.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import BaseBackend
from ldap3 import ALL_ATTRIBUTES, SUBTREE, Connection, Server
from ldap3.core.exceptions import LDAPException
from ldap3.utils.conv import escape_filter_chars

from . import identity
from .models import User
from .services import USERNAME_RE

log = logging.getLogger(__name__)


def _first(entry: Any, attr: str) -> str:
    values = entry["attributes"].get(attr) if attr else None
    if isinstance(values, list):
        return str(values[0]) if values else ""
    return str(values or "")


class Backend(BaseBackend):
    def _connection(self, user: str, password: str) -> Connection:
        server = Server(settings.LDAP_SERVER_URI, connect_timeout=settings.LDAP_TIMEOUT)
        conn = Connection(server, user=user, password=password, receive_timeout=settings.LDAP_TIMEOUT)
        if settings.LDAP_START_TLS:
            conn.open()
            conn.start_tls()
        return conn

    def _find(self, username: str) -> dict | None:
        service = self._connection(settings.LDAP_BIND_DN, settings.LDAP_BIND_PASSWORD)
        if not service.bind():
            log.error("LDAP: the service account could not bind: %s", service.result.get("description"))
            return None
        query = settings.LDAP_USER_FILTER % {"user": escape_filter_chars(username)}
        service.search(settings.LDAP_USER_BASE, query, SUBTREE, attributes=ALL_ATTRIBUTES, size_limit=2)
        entries = [e for e in service.response if e.get("type") == "searchResEntry"]
        if len(entries) != 1:
            service.unbind()
            return None
        entry = entries[0]
        groups: set[str] = set()
        if settings.LDAP_GROUP_BASE:
            gquery = settings.LDAP_GROUP_FILTER % {"dn": escape_filter_chars(entry["dn"])}
            service.search(settings.LDAP_GROUP_BASE, gquery, SUBTREE, attributes=["cn"])
            groups = {_first(g, "cn") for g in service.response if g.get("type") == "searchResEntry"}
        service.unbind()
        return {**entry, "groups": groups}

    def authenticate(self, request, username: str | None = None, password: str | None = None, **kw):
        if not settings.LDAP_SERVER_URI or not username or not password:
            return None
        username = username.strip()
        if not USERNAME_RE.match(username):
            return None
        try:
            entry = self._find(username)
            if entry is None:
                return None
            as_user = self._connection(entry["dn"], password)
            if not as_user.bind():  # the directory says whether the password is right
                return None
            as_user.unbind()
        except LDAPException as exc:
            log.error("LDAP: %s unreachable or refusing: %s", settings.LDAP_SERVER_URI, exc)
            return None
        existing = User.objects.filter(username=username, is_active=True).first()
        return identity.sync_identity(
            user=existing,
            username=username,
            name=_first(entry, settings.LDAP_ATTR_NAME) or username,
            email=_first(entry, settings.LDAP_ATTR_EMAIL),
            phone=_first(entry, settings.LDAP_ATTR_PHONE),
            groups=entry["groups"],
            rules=identity.parse_rules(settings.LDAP_ROLE_MAP, "LDAP_ROLE_MAP"),
            source="LDAP",
        )

    def get_user(self, user_id: int) -> User | None:
        return User.objects.filter(pk=user_id, is_active=True).first()
