"""URLs. Each domain app's ``urls.py`` is mounted at ``/<app label>/`` and its ``api.py`` router at
``/api/v1/<app label>/`` (see ``api.py``), so a new app needs no edit here."""

from importlib import import_module
from importlib.util import find_spec

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog, set_language

from shuangfang.core import views as core_views
from shuangfang.orgs import account_views

from .api import api

urlpatterns = [
    path("", core_views.home, name="home"),
    path("login/", account_views.login_view, name="login"),
    path("logout/", account_views.logout_view, name="logout"),
    path("account/", account_views.profile, name="profile"),
    path("account/password/", account_views.password_change, name="password_change"),
    path("account/tokens/<uuid:uuid>/revoke/", account_views.token_revoke, name="token_revoke"),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("jsi18n/", login_not_required(JavaScriptCatalog.as_view()), name="javascript-catalog"),
    path("api/v1/", api.urls),
    path("django-admin/", admin.site.urls),
    path("", include("shuangfang.core.urls")),
]

for dotted in settings.DOMAIN_APPS:
    label = dotted.rsplit(".", 1)[1]
    if label != "core" and find_spec(f"{dotted}.urls") is not None:
        urlpatterns.append(path(f"{label}/", include(import_module(f"{dotted}.urls"))))

handler403 = "shuangfang.core.views.permission_denied"
handler404 = "shuangfang.core.views.not_found"
