"""``django.contrib.admin`` with this project's site (superusers only, the product's login): listed in
``INSTALLED_APPS`` instead of it. Kept apart from ``admin_site`` so loading the app imports no model."""

from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig


class AdminConfig(DjangoAdminConfig):
    default_site = "shuangfang.orgs.admin_site.SuperuserAdminSite"
