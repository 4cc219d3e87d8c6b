from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import ApiToken, Membership, Organization, Post, User


@admin.register(User)
class PersonAdmin(UserAdmin):
    list_display = ["username", "name", "phone", "is_active"]
    search_fields = ["username", "name", "phone"]
    fieldsets = [
        *(UserAdmin.fieldsets or []),
        ("Shuangfang", {"fields": ["name", "phone", "must_change_password"]}),
    ]


admin.site.register(Organization, list_display=["name", "kind", "institution_type", "path"])
admin.site.register(Post, list_display=["name", "organization"])
admin.site.register(Membership, list_display=["user", "organization", "role", "valid_until"])
admin.site.register(ApiToken, list_display=["name", "user", "prefix", "created_at", "revoked_at"])
