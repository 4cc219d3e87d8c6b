"""People and roles kept by an outside identity provider (``orgs.oidc``, ``orgs.ldap``): the one service that
creates or refreshes a person and their mapped roles from a login's claims. The audit trail names no
person as actor (the provider made the change), with a note saying so."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import transaction

from shuangfang.core import audit
from shuangfang.core.tenancy import forget_scope

from .models import Membership, Organization, User
from .roles import Role
from .services import MEMBERSHIP_FIELDS, PERSON_FIELDS, USERNAME_RE, normalize_phone, role_fits

log = logging.getLogger(__name__)
NOTE = "identity provider ({source})"


@dataclass(frozen=True)
class Rule:
    group: str
    role: str
    organization: str  # UUID or exact name


def parse_rules(text: str, setting: str) -> list[Rule]:
    """``group=role@organisation`` rules separated by ``;`` (``OIDC_ROLE_MAP``, ``LDAP_ROLE_MAP``);
    a malformed rule is a configuration error."""
    out = []
    for part in filter(None, (p.strip() for p in text.split(";"))):
        group, sep, target = part.partition("=")
        role, at, org = target.partition("@")
        if not (sep and at and group.strip() and role.strip() and org.strip()):
            raise ImproperlyConfigured(f"{setting}: {part!r} is not group=role@organisation")
        out.append(Rule(group.strip(), role.strip(), org.strip()))
    return out


def _organization(ref: str) -> Organization | None:
    try:
        return Organization.objects.filter(uuid=uuid.UUID(ref)).first()
    except ValueError:
        return Organization.objects.filter(name=ref).first()


def _grants(groups: set[str], rules: Iterable[Rule]) -> tuple[dict, set]:
    """(the (organisation, role) pairs the groups grant, every pair some rule mentions)."""
    wanted: dict[tuple[int, str], Organization] = {}
    mentioned: set[tuple[int, str]] = set()
    for rule in rules:
        org = _organization(rule.organization)
        if org is None or rule.role not in Role.values or rule.role == Role.ADMIN:
            log.error("OIDC_ROLE_MAP: %s=%s@%s cannot be used", rule.group, rule.role, rule.organization)
            continue
        try:
            role_fits(org, rule.role)
        except ValidationError:
            log.error("OIDC_ROLE_MAP: %s does not belong at %s", rule.role, org)
            continue
        mentioned.add((org.pk, rule.role))
        if rule.group in groups:
            wanted[(org.pk, rule.role)] = org
    return wanted, mentioned


def _person(user: User | None, *, username: str, name: str, email: str, phone: str, note: str) -> User | None:
    try:
        phone = normalize_phone(phone) if phone else ""
    except ValidationError:
        phone = ""
    fields = {"name": name.strip()[:100] or username, "email": email.strip()[:254], "phone": phone}
    if user is None:
        if not USERNAME_RE.match(username) or User.objects.filter(username=username).exists():
            log.warning("single sign-on refused for %r: unusable or taken (inactive) user name", username)
            return None
        user = User(username=username, must_change_password=False, **fields)
        user.set_unusable_password()
        user.save()
        audit.record(
            actor=None, action="person.create", obj=user, after=audit.snapshot(user, PERSON_FIELDS), note=note
        )
        return user
    changed = {k: v for k, v in fields.items() if v and getattr(user, k) != v}
    if changed:
        before = audit.snapshot(user, PERSON_FIELDS)
        for k, v in changed.items():
            setattr(user, k, v)
        user.save(update_fields=list(changed))
        audit.record(
            actor=None,
            action="person.update",
            obj=user,
            before=before,
            after=audit.snapshot(user, PERSON_FIELDS),
            note=note,
        )
    return user


@transaction.atomic
def sync_identity(
    *,
    user: User | None,
    username: str,
    name: str,
    email: str,
    phone: str,
    groups: set[str],
    rules: Iterable[Rule],
    source: str = "OpenID Connect",
) -> User | None:
    """The person for this login, with the mapped roles their groups grant now; ``None`` when they
    have no role here at all (a new person is then not created)."""
    wanted, mentioned = _grants(groups, rules)
    if user is None and not wanted:
        return None
    note = NOTE.format(source=source)
    person = _person(user, username=username, name=name, email=email, phone=phone, note=note)
    if person is None:
        return None
    have = {(m.organization_id, m.role): m for m in person.memberships.select_related("organization")}
    for key, org in wanted.items():
        if key not in have:
            m = Membership.objects.create(user=person, organization=org, role=key[1])
            audit.record(
                actor=None,
                action="membership.add",
                obj=m,
                organization=org,
                after=audit.snapshot(m, MEMBERSHIP_FIELDS),
                note=note,
            )
    for key in mentioned - wanted.keys():
        gone = have.get(key)
        if gone is not None:
            audit.record(
                actor=None,
                action="membership.end",
                obj=person,
                organization=gone.organization,
                before=audit.snapshot(gone, MEMBERSHIP_FIELDS),
                note=note,
            )
            gone.delete()
    forget_scope(person)
    # No role left (a group withdrawn): the roles' end is kept, the login refused.
    return person if person.memberships.exists() else None
