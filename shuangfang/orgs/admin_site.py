"""The Django admin: for superusers only, entered through the product's throttled login page.

``admin_config.AdminConfig`` replaces ``django.contrib.admin`` in ``INSTALLED_APPS`` so that
``admin.site`` is a :class:`SuperuserAdminSite` (docs/security.md, "The Django admin")."""

from __future__ import annotations

from django.contrib.admin import AdminSite
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme


class SuperuserAdminSite(AdminSite):
    def has_permission(self, request) -> bool:
        return request.user.is_active and request.user.is_superuser

    @method_decorator(login_not_required)
    def login(self, request, extra_context=None):
        """No second login form: the admin's own form had no failure limit. A stranger is sent to
        the product's login page (which throttles); someone logged in without the right, refused."""
        index = reverse("admin:index", current_app=self.name)
        next_url = request.GET.get(REDIRECT_FIELD_NAME, "")
        if not next_url or not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
            next_url = index
        if request.user.is_authenticated:
            if not self.has_permission(request):
                raise PermissionDenied
            return redirect(next_url)
        return redirect_to_login(next_url, login_url=reverse("login"))
