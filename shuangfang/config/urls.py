"""URLs. Each domain app's ``urls.py`` is mounted at ``/<app label>/`` (listed below, one line an
app) and its ``api.py`` router at ``/api/v1/<app label>/`` (listed in ``api.py``)."""

from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog, set_language

from shuangfang.core import views as core_views
from shuangfang.orgs import account_views, oidc, workapp_views

from .api import api

urlpatterns = [
    path("", core_views.home, name="home"),
    path("login/", account_views.login_view, name="login"),
    path("logout/", account_views.logout_view, name="logout"),
    # Single sign-on (OpenID Connect): 404 unless OIDC_CLIENT_ID is set.
    path("oidc/authenticate/", oidc.Start.as_view(), name="oidc_authentication_init"),
    path("login/work/<str:app>/", workapp_views.start, name="workapp_login"),
    path("login/work/<str:app>/callback/", workapp_views.callback, name="workapp_login_callback"),
    path("oidc/callback/", oidc.Callback.as_view(), name="oidc_authentication_callback"),
    path("account/", account_views.profile, name="profile"),
    path("account/password/", account_views.password_change, name="password_change"),
    path("account/tokens/<uuid:uuid>/revoke/", account_views.token_revoke, name="token_revoke"),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("jsi18n/", login_not_required(JavaScriptCatalog.as_view()), name="javascript-catalog"),
    path("api/v1/", api.urls),
    path("django-admin/", admin.site.urls),
    # core: the operations page and the health checks; then the domain apps.
    path("", include("shuangfang.core.urls")),
    path("orgs/", include("shuangfang.orgs.urls")),
    path("assessment/", include("shuangfang.assessment.urls")),
    path("dashboards/", include("shuangfang.dashboards.urls")),
    path("duty/", include("shuangfang.duty.urls")),
    path("equipment/", include("shuangfang.equipment.urls")),
    path("food/", include("shuangfang.food.urls")),
    path("criteria/", include("shuangfang.criteria.urls")),
    path("hazards/", include("shuangfang.hazards.urls")),
    path("inspections/", include("shuangfang.inspections.urls")),
    path("monitoring/", include("shuangfang.monitoring.urls")),
    path("notifications/", include("shuangfang.notifications.urls")),
    path("relief/", include("shuangfang.relief.urls")),
    path("outreach/", include("shuangfang.outreach.urls")),
    path("readiness/", include("shuangfang.readiness.urls")),
    path("reports/", include("shuangfang.reports.urls")),
    path("risks/", include("shuangfang.risks.urls")),
    path("webhooks/", include("shuangfang.webhooks.urls")),
    path("publicreports/", include("shuangfang.publicreports.urls")),
]

handler403 = "shuangfang.core.views.permission_denied"
handler404 = "shuangfang.core.views.not_found"
