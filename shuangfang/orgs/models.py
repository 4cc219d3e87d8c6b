from __future__ import annotations

import uuid
from datetime import date

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shuangfang.core.tenancy import TenantQuerySet, scope_orgs

from .roles import Role


class OrgKind(models.TextChoices):
    BUREAU = "bureau", _("Civil-affairs bureau")
    DISTRICT_BUREAU = "district_bureau", _("District bureau")
    INSTITUTION = "institution", _("Institution")
    DEPARTMENT = "department", _("Department")


BUREAU_KINDS = (OrgKind.BUREAU, OrgKind.DISTRICT_BUREAU)


class InstitutionType(models.TextChoices):
    RELIEF_STATION = "relief_station", _("Relief station")
    ELDERLY_CARE = "elderly_care", _("Elderly-care home")
    CHILD_WELFARE = "child_welfare", _("Child-welfare home")
    OTHER = "other", _("Other institution")


# Which kinds may sit directly below which: bureau → district bureau → institution → department.
ALLOWED_PARENTS: dict[str, set[str | None]] = {
    OrgKind.BUREAU: {None, OrgKind.BUREAU},
    OrgKind.DISTRICT_BUREAU: {OrgKind.BUREAU},
    OrgKind.INSTITUTION: {OrgKind.BUREAU, OrgKind.DISTRICT_BUREAU},
    OrgKind.DEPARTMENT: {OrgKind.INSTITUTION, OrgKind.DEPARTMENT},
}


class OrganizationQuerySet(models.QuerySet["Organization"]):
    def for_user(self, user, perm: str = "org.view") -> OrganizationQuerySet:
        scope = scope_orgs(user, perm)
        return self if scope is None else self.filter(id__in=scope)

    def subtree(self, org: Organization) -> OrganizationQuerySet:
        return self.filter(path__startswith=org.path)

    def institutions(self) -> OrganizationQuerySet:
        return self.filter(kind=OrgKind.INSTITUTION)

    def bureaus_and_institutions(self) -> OrganizationQuerySet:
        """The nodes a page for "my bureau or my institution" can start from."""
        return self.filter(kind__in=[*BUREAU_KINDS, OrgKind.INSTITUTION])


class Organization(models.Model):
    """A node of the organisation tree. ``path`` ("/1/4/9/") makes subtree queries one indexed
    prefix match; ``institution`` points at the enclosing institution (itself for one)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=20, choices=OrgKind.choices)
    institution_type = models.CharField(
        _("institution type"), max_length=20, choices=InstitutionType.choices, blank=True
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )
    institution = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    code = models.CharField(_("unit code"), max_length=40, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("duty phone"), max_length=30, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        ordering = ["path"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="institution", institution_type__gt="") | ~Q(kind="institution"),
                name="institution_has_type",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        creating = self.pk is None
        super().save(*args, **kwargs)
        if creating or not self.path:
            self.refresh_path()

    def refresh_path(self) -> None:
        parent_path = self.parent.path if self.parent_id and self.parent else "/"
        self.path = f"{parent_path}{self.pk}/"
        self.depth = self.path.count("/") - 2
        if self.kind == OrgKind.INSTITUTION:
            self.institution_id = self.pk
        elif self.kind == OrgKind.DEPARTMENT and self.parent:
            self.institution_id = self.parent.institution_id
        else:
            self.institution_id = None
        Organization.objects.filter(pk=self.pk).update(
            path=self.path, depth=self.depth, institution_id=self.institution_id
        )

    @property
    def ancestor_ids(self) -> list[int]:
        return [int(p) for p in self.path.strip("/").split("/") if p]

    def ancestors(self) -> list[Organization]:
        """Root first, self last: the breadcrumb."""
        ids = self.ancestor_ids
        by_id = {o.pk: o for o in Organization.objects.filter(pk__in=ids)}
        return [by_id[i] for i in ids if i in by_id]

    def is_within(self, other: Organization) -> bool:
        return self.path.startswith(other.path)

    @property
    def is_institution(self) -> bool:
        return self.kind == OrgKind.INSTITUTION


def institutions_under(org: Organization) -> list[Organization]:
    """The active institutions in ``org``'s subtree (itself if it is one). One query."""
    return list(
        Organization.objects.subtree(org)
        .filter(kind=OrgKind.INSTITUTION, is_active=True)
        .select_related("parent")
        .order_by("path")
    )


class PostQuerySet(TenantQuerySet["Post"]):
    pass


class Post(models.Model):
    """A job position (岗位) in an institution: cook, guard, electrician, carer, duty officer."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="posts", verbose_name=_("institution")
    )
    department = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="department_posts",
        verbose_name=_("department"),
    )
    name = models.CharField(_("post"), max_length=60)
    duties = models.TextField(_("duties"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = PostQuerySet.as_manager()

    class Meta:
        ordering = ["organization", "name"]
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        constraints = [models.UniqueConstraint(fields=["organization", "name"], name="post_unique_name")]

    def __str__(self) -> str:
        return self.name


class PersonQuerySet(models.QuerySet["User"]):
    def for_user(self, viewer, perm: str = "people.view") -> PersonQuerySet:
        scope = scope_orgs(viewer, perm)
        if scope is None:
            return self.all()
        # One IN over memberships (oneself included): an OR with pk=… would defeat the index.
        members = Membership.objects.filter(Q(organization__in=scope) | Q(user_id=viewer.pk))
        return self.filter(pk__in=members.values("user_id"))


class PersonManager(UserManager.from_queryset(PersonQuerySet)):  # type: ignore[misc]
    pass


class User(AbstractUser):
    """A person who logs in. Chinese names are one field, so ``name`` replaces first/last name."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("full name"), max_length=60)
    phone = models.CharField(_("mobile phone"), max_length=20, blank=True)
    must_change_password = models.BooleanField(default=False)
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=[("zh-hans", "简体中文"), ("en", "English")],
        default="zh-hans",
        help_text=_(
            "The language of the pages after logging in and of the SMS, emails and calls sent to you."
        ),
    )

    objects = PersonManager()  # type: ignore[misc]

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name or self.username

    def get_full_name(self) -> str:
        return self.name or self.username

    def get_short_name(self) -> str:
        return self.name or self.username

    def active_memberships(self) -> models.QuerySet[Membership]:
        return Membership.objects.active().filter(user=self)


class MembershipQuerySet(TenantQuerySet["Membership"]):
    def active(self, on: date | None = None) -> MembershipQuerySet:
        today = on or timezone.localdate()
        return self.filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=today),
            Q(valid_until__isnull=True) | Q(valid_until__gte=today),
            user__is_active=True,
        )

    def staff_of(self, org: Organization) -> MembershipQuerySet:
        """Active memberships of the people who work at ``org`` (or below): the ones a task, a
        hazard or a measure can be given to. A third-party assessor reviews; they are not staff."""
        return self.active().filter(organization__path__startswith=org.path).exclude(role=Role.ASSESSOR)


class Membership(models.Model):
    """A person's role at a node of the tree. A third-party assessor's membership is limited in time
    and to one institution."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("person")
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("organisation")
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    post = models.ForeignKey(
        Post,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("post"),
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["organization__path", "role"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "organization", "role"], name="membership_unique_role"),
            models.CheckConstraint(
                condition=~Q(role="assessor") | Q(valid_until__isnull=False),
                name="assessor_access_is_time_limited",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.organization} · {self.get_role_display()}"

    def is_active_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_until is None or self.valid_until >= day
        )


class TokenScope(models.TextChoices):
    READ = "read", _("Read only")
    READ_WRITE = "read_write", _("Read and write")


class ApiToken(models.Model):
    """A per-user API token. Only a SHA-256 of the secret is stored; the secret is shown once. A
    read-only token may only use GET/HEAD/OPTIONS; every token expires; deactivating its owner revokes
    it for good."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=60)
    prefix = models.CharField(max_length=12, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    scope = models.CharField(_("scope"), max_length=12, choices=TokenScope.choices, default=TokenScope.READ)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > timezone.now())
