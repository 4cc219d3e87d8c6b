"""State changes of organisations, posts, people, memberships and API tokens.

Each function takes a keyword-only ``actor``, checks the actor may make the change, runs in one
transaction and writes an audit row. Errors the user can fix are raised as ``ValidationError`` with a
translated message.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shuangfang.core import audit, authcache
from shuangfang.core.tenancy import can, forget_scope, require

from .models import ALLOWED_PARENTS, ApiToken, Membership, Organization, OrgKind, Post, TokenScope, User
from .roles import Role

ORG_FIELDS = ["name", "kind", "institution_type", "parent", "code", "address", "phone", "is_active"]
POST_FIELDS = ["name", "department", "duties", "is_active"]
PERSON_FIELDS = ["username", "name", "phone", "email", "is_active", "language"]
MEMBERSHIP_FIELDS = ["user", "organization", "role", "post", "valid_from", "valid_until"]

audit.register_actions(
    {
        "org.create": gettext_lazy("Unit created"),
        "org.update": gettext_lazy("Unit changed"),
        "post.create": gettext_lazy("Post created"),
        "post.update": gettext_lazy("Post changed"),
        "person.create": gettext_lazy("Person added"),
        "person.update": gettext_lazy("Person changed"),
        "person.reset_password": gettext_lazy("Password reset"),
        "person.change_password": gettext_lazy("Password changed"),
        "person.language": gettext_lazy("Language changed"),
        "membership.add": gettext_lazy("Role added"),
        "membership.end": gettext_lazy("Role removed"),
        "api_token.issue": gettext_lazy("API token issued"),
        "api_token.revoke": gettext_lazy("API token revoked"),
    }
)

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
USERNAME_RE = re.compile(r"^[A-Za-z0-9_.@+-]{3,40}$")


def normalize_phone(phone: str) -> str:
    """A mainland mobile number in its 11-digit form ('' stays '')."""
    digits = re.sub(r"[\s-]", "", phone or "")
    if digits.startswith("+86"):
        digits = digits[3:]
    if digits and not MOBILE_RE.match(digits):
        raise ValidationError(
            _("%(phone)s is not a mainland mobile number (11 digits starting with 1).") % {"phone": phone}
        )
    return digits


# --- Organisations -------------------------------------------------------------------------------


def _check_parent(kind: str, parent: Organization | None) -> None:
    allowed = ALLOWED_PARENTS[kind]
    parent_kind = parent.kind if parent else None
    if parent_kind not in allowed:
        raise ValidationError(
            _("A %(kind)s cannot be placed under %(parent)s.")
            % {"kind": OrgKind(kind).label, "parent": parent.name if parent else _("the top of the tree")}
        )


@transaction.atomic
def create_organization(
    *, actor: User, parent: Organization | None, name: str, kind: str, **fields
) -> Organization:
    if parent is None:
        if not actor.is_superuser:
            raise PermissionDenied("org.manage")
    else:
        require(actor, "org.manage", parent)
    _check_parent(kind, parent)
    if kind == OrgKind.INSTITUTION and not fields.get("institution_type"):
        raise ValidationError(_("Choose the institution type."))
    if kind != OrgKind.INSTITUTION:
        fields["institution_type"] = ""
    org = Organization(parent=parent, name=name.strip(), kind=kind, **fields)
    org.full_clean(exclude=["path"])
    org.save()
    audit.record(
        actor=actor, action="org.create", obj=org, organization=org, after=audit.snapshot(org, ORG_FIELDS)
    )
    return org


@transaction.atomic
def update_organization(*, actor: User, org: Organization, **changes) -> Organization:
    require(actor, "org.manage", org)
    org = Organization.objects.select_for_update().get(pk=org.pk)
    before = audit.snapshot(org, ORG_FIELDS)
    for key in ("kind", "parent"):
        changes.pop(key, None)  # moving a node is not an edit
    if org.kind != OrgKind.INSTITUTION:
        changes["institution_type"] = ""
    for key, value in changes.items():
        setattr(org, key, value)
    if org.kind == OrgKind.INSTITUTION and not org.institution_type:
        raise ValidationError(_("Choose the institution type."))
    org.full_clean(exclude=["path"])
    org.save()
    audit.record(
        actor=actor,
        action="org.update",
        obj=org,
        organization=org,
        before=before,
        after=audit.snapshot(org, ORG_FIELDS),
    )
    return org


# --- Posts ---------------------------------------------------------------------------------------


def _check_department(institution: Organization, department: Organization | None) -> None:
    if department is not None and (
        department.kind != OrgKind.DEPARTMENT or department.institution_id != institution.pk
    ):
        raise ValidationError(
            _("The department must belong to %(institution)s.") % {"institution": institution.name}
        )


@transaction.atomic
def create_post(
    *, actor: User, institution: Organization, name: str, department=None, duties: str = ""
) -> Post:
    require(actor, "org.manage", institution)
    if institution.kind != OrgKind.INSTITUTION:
        raise ValidationError(_("Posts belong to an institution."))
    _check_department(institution, department)
    if Post.objects.filter(organization=institution, name=name.strip()).exists():
        raise ValidationError(
            _("%(institution)s already has a post named %(name)s.")
            % {"institution": institution, "name": name}
        )
    post = Post.objects.create(
        organization=institution, name=name.strip(), department=department, duties=duties
    )
    audit.record(
        actor=actor,
        action="post.create",
        obj=post,
        organization=institution,
        after=audit.snapshot(post, POST_FIELDS),
    )
    return post


@transaction.atomic
def update_post(*, actor: User, post: Post, **changes) -> Post:
    require(actor, "org.manage", post.organization)
    before = audit.snapshot(post, POST_FIELDS)
    _check_department(post.organization, changes.get("department", post.department))
    name = changes.get("name", post.name).strip()
    if Post.objects.filter(organization=post.organization, name=name).exclude(pk=post.pk).exists():
        raise ValidationError(
            _("%(institution)s already has a post named %(name)s.")
            % {"institution": post.organization, "name": name}
        )
    for key, value in changes.items():
        setattr(post, key, value)
    post.name = name
    post.save()
    audit.record(
        actor=actor,
        action="post.update",
        obj=post,
        organization=post.organization,
        before=before,
        after=audit.snapshot(post, POST_FIELDS),
    )
    return post


# --- People and memberships ----------------------------------------------------------------------


def _home_org(user: User) -> Organization | None:
    m = user.memberships.select_related("organization").order_by("organization__depth").first()
    return m.organization if m else None


def _require_manage_person(actor: User, person: User) -> None:
    if actor.is_superuser:
        return
    orgs = [m.organization for m in person.memberships.select_related("organization")]
    if not orgs or not any(can(actor, "org.manage", o) for o in orgs):
        raise PermissionDenied("org.manage")


def validate_membership(
    *, actor: User, organization: Organization, role: str, post: Post | None, valid_until: date | None
) -> None:
    require(actor, "org.manage", organization)
    if role not in Role.values:
        raise ValidationError(_("Unknown role %(role)s.") % {"role": role})
    if role == Role.ADMIN and not actor.is_superuser and not _holds_admin_over(actor, organization):
        raise ValidationError(_("Only an administrator can appoint an administrator."))
    role_fits(organization, role)
    if role == Role.ASSESSOR:
        if valid_until is None:
            raise ValidationError(_("A third-party assessor's access needs an end date."))
        if valid_until < timezone.localdate():
            raise ValidationError(_("The end date of the access is in the past."))
    if post is not None and post.organization_id != organization.institution_id:
        raise ValidationError(_("The post must belong to the same institution."))


def role_fits(organization: Organization, role: str) -> None:
    """Refuse a role at a kind of unit it does not belong to."""
    if role == Role.BUREAU_SUPERVISOR and organization.kind not in (OrgKind.BUREAU, OrgKind.DISTRICT_BUREAU):
        raise ValidationError(_("A bureau supervisor belongs to a bureau."))
    if (
        role in (Role.INSTITUTION_HEAD, Role.SAFETY_OFFICER, Role.ASSESSOR)
        and organization.kind != OrgKind.INSTITUTION
    ):
        raise ValidationError(_("This role belongs to an institution."))
    if role == Role.DEPARTMENT_HEAD and organization.kind != OrgKind.DEPARTMENT:
        raise ValidationError(_("A department head belongs to a department."))
    if role == Role.STAFF and organization.kind not in (OrgKind.INSTITUTION, OrgKind.DEPARTMENT):
        raise ValidationError(_("Staff belong to an institution or one of its departments."))


def _holds_admin_over(actor: User, org: Organization) -> bool:
    return any(
        m.role == Role.ADMIN and org.path.startswith(m.organization.path)
        for m in actor.memberships.select_related("organization")
    )


@transaction.atomic
def add_membership(
    *,
    actor: User,
    person: User,
    organization: Organization,
    role: str,
    post: Post | None = None,
    valid_from: date | None = None,
    valid_until: date | None = None,
) -> Membership:
    validate_membership(actor=actor, organization=organization, role=role, post=post, valid_until=valid_until)
    if Membership.objects.filter(user=person, organization=organization, role=role).exists():
        raise ValidationError(_("%(person)s already has this role there.") % {"person": person})
    m = Membership.objects.create(
        user=person,
        organization=organization,
        role=role,
        post=post,
        valid_from=valid_from,
        valid_until=valid_until,
    )
    audit.record(
        actor=actor,
        action="membership.add",
        obj=m,
        organization=organization,
        after=audit.snapshot(m, MEMBERSHIP_FIELDS),
    )
    forget_scope(person)
    return m


@transaction.atomic
def end_membership(*, actor: User, membership: Membership) -> None:
    require(actor, "org.manage", membership.organization)
    if membership.user_id == actor.pk and membership.role == Role.ADMIN:
        raise ValidationError(_("You cannot remove your own administrator role."))
    audit.record(
        actor=actor,
        action="membership.end",
        obj=membership.user,
        organization=membership.organization,
        before=audit.snapshot(membership, MEMBERSHIP_FIELDS),
    )
    membership.delete()
    forget_scope(membership.user)


@dataclass
class NewMembership:
    organization: Organization
    role: str
    post: Post | None = None
    valid_until: date | None = None


def _check_person_fields(username: str, phone: str, exclude_pk: int | None = None) -> str:
    if not USERNAME_RE.match(username):
        raise ValidationError(
            _("The login name must be 3–40 letters, digits or . _ @ + - (got %(name)s).") % {"name": username}
        )
    if User.objects.filter(username__iexact=username).exclude(pk=exclude_pk).exists():
        raise ValidationError(_("The login name %(name)s is taken.") % {"name": username})
    return normalize_phone(phone)


def generate_password(user: User | None = None) -> str:
    """A random password that passes the validators for ``user`` (easy to read out over the phone:
    no 0/O or 1/l)."""
    alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    while True:
        password = "".join(secrets.choice(alphabet) for _ in range(10))
        try:
            validate_password(password, user)
        except ValidationError:
            continue
        return password


@transaction.atomic
def create_person(
    *,
    actor: User,
    username: str,
    name: str,
    membership: NewMembership,
    phone: str = "",
    email: str = "",
    password: str | None = None,
) -> tuple[User, str]:
    """Create a person with a first membership. Returns the person and the initial password, which
    they must change at first login."""
    username = username.strip()
    phone = _check_person_fields(username, phone)
    validate_membership(
        actor=actor,
        organization=membership.organization,
        role=membership.role,
        post=membership.post,
        valid_until=membership.valid_until,
    )
    if not name.strip():
        raise ValidationError(_("The name is required."))
    person = User(
        username=username, name=name.strip(), phone=phone, email=email.strip(), must_change_password=True
    )
    password = password or generate_password(person)
    validate_password(password, person)
    person.set_password(password)
    person.save()
    audit.record(
        actor=actor,
        action="person.create",
        obj=person,
        organization=membership.organization,
        after=audit.snapshot(person, PERSON_FIELDS),
    )
    add_membership(
        actor=actor,
        person=person,
        organization=membership.organization,
        role=membership.role,
        post=membership.post,
        valid_until=membership.valid_until,
    )
    return person, password


@transaction.atomic
def update_person(*, actor: User, person: User, **changes) -> User:
    _require_manage_person(actor, person)
    before = audit.snapshot(person, PERSON_FIELDS)
    if "phone" in changes or "username" in changes:
        changes["phone"] = _check_person_fields(
            changes.get("username", person.username), changes.get("phone", person.phone), exclude_pk=person.pk
        )
    if changes.get("is_active") is False and person.pk == actor.pk:
        raise ValidationError(_("You cannot deactivate yourself."))
    for key, value in changes.items():
        setattr(person, key, value.strip() if isinstance(value, str) else value)
    person.save()
    revoked = revoke_tokens_of_inactive(person)
    audit.record(
        actor=actor,
        action="person.update",
        obj=person,
        organization=_home_org(person),
        before=before,
        after=audit.snapshot(person, PERSON_FIELDS),
        note=_("%(count)d API tokens revoked.") % {"count": revoked} if revoked else "",
    )
    return person


def revoke_tokens_of_inactive(person: User) -> int:
    """A deactivated person's tokens are revoked for good: reactivating them does not bring the
    tokens back. Called by every path that can deactivate someone (services, the Django admin)."""
    if person.is_active:
        return 0
    live = ApiToken.objects.filter(user=person, revoked_at__isnull=True)
    authcache.forget("token", *live.values_list("key_hash", flat=True))
    return live.update(revoked_at=timezone.now())


@transaction.atomic
def reset_password(*, actor: User, person: User) -> str:
    """An administrator sets a temporary password; the person must change it at next login."""
    _require_manage_person(actor, person)
    password = generate_password(person)
    person.set_password(password)
    person.must_change_password = True
    person.save(update_fields=["password", "must_change_password"])
    audit.record(actor=actor, action="person.reset_password", obj=person, organization=_home_org(person))
    return password


@transaction.atomic
def change_own_password(*, actor: User, new_password: str) -> None:
    validate_password(new_password, actor)
    actor.set_password(new_password)
    actor.must_change_password = False
    actor.save(update_fields=["password", "must_change_password"])
    audit.record(actor=actor, action="person.change_password", obj=actor, organization=_home_org(actor))


def set_own_language(*, actor: User, language: str) -> None:
    """One's own language: the pages' after logging in, and the outgoing messages'."""
    if language not in {code for code, _label in User._meta.get_field("language").choices}:  # type: ignore[union-attr]
        raise ValidationError(_("Unknown language."))
    before = audit.snapshot(actor, ["language"])
    actor.language = language
    actor.save(update_fields=["language"])
    audit.record(
        actor=actor,
        action="person.language",
        obj=actor,
        organization=_home_org(actor),
        before=before,
        after=audit.snapshot(actor, ["language"]),
    )


# --- API tokens ----------------------------------------------------------------------------------

TOKEN_RE = re.compile(r"^sf_[A-Za-z0-9_-]{40,60}$")


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def default_token_expiry() -> datetime:
    return timezone.now() + timedelta(days=settings.API_TOKEN_DEFAULT_DAYS)


@transaction.atomic
def issue_api_token(
    *, actor: User, name: str, expires_at: datetime | None = None, scope: str = TokenScope.READ
) -> tuple[ApiToken, str]:
    """A new token for ``actor``: read-only unless asked otherwise; it expires after
    ``API_TOKEN_DEFAULT_DAYS`` unless an earlier time is given (never later than ``API_TOKEN_MAX_DAYS``)."""
    if not name.strip():
        raise ValidationError(_("Give the token a name, e.g. the program that will use it."))
    if scope not in TokenScope.values:
        raise ValidationError(_("Unknown token scope %(scope)s.") % {"scope": scope})
    now = timezone.now()
    expires_at = expires_at or default_token_expiry()
    if expires_at <= now:
        raise ValidationError(_("The expiry time of the token is in the past."))
    if expires_at > now + timedelta(days=settings.API_TOKEN_MAX_DAYS):
        raise ValidationError(
            _("A token can be valid for at most %(days)d days.") % {"days": settings.API_TOKEN_MAX_DAYS}
        )
    raw = "sf_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=actor,
        name=name.strip(),
        prefix=raw[:10],
        key_hash=hash_token(raw),
        expires_at=expires_at,
        scope=scope,
    )
    audit.record(actor=actor, action="api_token.issue", obj=token, organization=_home_org(actor))
    return token, raw


@transaction.atomic
def revoke_api_token(*, actor: User, token: ApiToken) -> None:
    if token.user_id != actor.pk:
        raise PermissionDenied
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit.record(actor=actor, action="api_token.revoke", obj=token, organization=_home_org(actor))
