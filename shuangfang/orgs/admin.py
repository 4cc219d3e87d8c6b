"""The Django admin (superusers only, see ``admin_site``): every change is audited like a service
change, and what tenancy rests on is read-only here (docs/security.md, "The Django admin").

Read-only: an organisation's place in the tree (parent, kind; path is derived), a membership's
person, organisation and role, a post's institution and department, a person's superuser and staff
flags, and API tokens. Those change through the product's pages, whose services check the rules.
Added, changed or deleted rows get an audit row (``admin.add`` / ``admin.change`` / ``admin.delete``)
with the actor and the fields before and after."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.db import models
from django.utils.translation import gettext_lazy as _

from shuangfang.core import audit
from shuangfang.core.tenancy import forget_scope

from .models import ApiToken, Membership, Organization, Post, User
from .services import revoke_tokens_of_inactive

audit.register_actions(
    {
        "admin.add": _("Added in the Django admin"),
        "admin.change": _("Changed in the Django admin"),
        "admin.delete": _("Deleted in the Django admin"),
        "admin.password": _("Password set in the Django admin"),
    }
)

NOT_AUDITED = {"password", "last_login"}


def _fields(obj: models.Model) -> list[str]:
    """The fields a person can set (derived ones, such as an organisation's path, follow them)."""
    return [
        f.name
        for f in obj._meta.concrete_fields
        if f.editable and not f.primary_key and f.name not in NOT_AUDITED
    ]


def _organization(obj: models.Model) -> Organization | None:
    if isinstance(obj, Organization):
        return obj
    if isinstance(obj, Membership | Post):
        return obj.organization
    user = obj.user if isinstance(obj, ApiToken) else obj
    if isinstance(user, User):
        m = user.memberships.select_related("organization").order_by("organization__depth").first()
        return m.organization if m else None
    return None


def _after_change(obj: models.Model) -> None:
    """What the services would also do: a person's scope is recomputed, a deactivated person's
    tokens die."""
    if isinstance(obj, Membership):
        forget_scope(obj.user)
    if isinstance(obj, User):
        revoke_tokens_of_inactive(obj)


class AuditedAdmin(admin.ModelAdmin):
    """Saves and deletes write an audit row (the admin's view runs them in one transaction)."""

    def save_model(self, request, obj, form, change) -> None:
        before: dict[str, Any] | None = None
        if change:
            before = audit.snapshot(type(obj)._default_manager.get(pk=obj.pk), _fields(obj))
        super().save_model(request, obj, form, change)
        _after_change(obj)
        audit.record(
            actor=request.user,
            action="admin.change" if change else "admin.add",
            obj=obj,
            organization=_organization(obj),
            before=before,
            after=audit.snapshot(obj, _fields(obj)),
        )

    def _record_delete(self, request, obj) -> None:
        audit.record(
            actor=request.user,
            action="admin.delete",
            obj=obj,
            organization=_organization(obj),
            before=audit.snapshot(obj, _fields(obj)),
        )

    def delete_model(self, request, obj) -> None:
        self._record_delete(request, obj)
        super().delete_model(request, obj)
        if isinstance(obj, Membership):
            forget_scope(obj.user)

    def delete_queryset(self, request, queryset) -> None:
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(User)
class PersonAdmin(AuditedAdmin, UserAdmin):
    list_display = ["username", "name", "phone", "is_active", "is_superuser"]
    search_fields = ["username", "name", "phone"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("Person"), {"fields": ["name", "phone", "email", "must_change_password"]}),
        (_("Access"), {"fields": ["is_active", "is_staff", "is_superuser", "last_login", "date_joined"]}),
    ]
    readonly_fields = ["is_staff", "is_superuser", "last_login", "date_joined"]
    filter_horizontal = []
    list_filter = ["is_active", "is_superuser"]

    def user_change_password(self, request, id, form_url=""):
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            person = User.objects.get(pk=id)
            audit.record(
                actor=request.user, action="admin.password", obj=person, organization=_organization(person)
            )
        return response


@admin.register(Organization)
class OrganizationAdmin(AuditedAdmin):
    list_display = ["name", "kind", "institution_type", "path"]
    readonly_fields = ["parent", "kind", "path"]

    def has_add_permission(self, request) -> bool:
        return False  # the tree grows through the product's pages (the service places the node)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Post)
class PostAdmin(AuditedAdmin):
    list_display = ["name", "organization"]
    readonly_fields = ["organization", "department"]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(Membership)
class MembershipAdmin(AuditedAdmin):
    list_display = ["user", "organization", "role", "valid_until"]
    readonly_fields = ["user", "organization", "role"]

    def has_add_permission(self, request) -> bool:
        return False  # roles are given on the person's page, where the rules are checked


@admin.register(ApiToken)
class ApiTokenAdmin(AuditedAdmin):
    list_display = ["name", "user", "prefix", "scope", "created_at", "expires_at", "revoked_at"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
