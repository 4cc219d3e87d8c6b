from django.urls import path

from . import choosers, job_views, ops, pwa

app_name = "core"

urlpatterns = [
    path("ops/outbox/", ops.outbox_page, name="outbox"),
    path("health", ops.health, name="health"),
    path("manifest.webmanifest", pwa.manifest, name="manifest"),
    path("sw.js", pwa.service_worker, name="sw"),
    path("health/ready", ops.health_ready, name="health_ready"),
    path("choose/", choosers.suggest, name="choose"),
    path("jobs/", job_views.job_list, name="jobs"),
    path("imports/<str:name>/", job_views.import_choose, name="import_choose"),
    path("imports/<str:name>/<uuid:uuid>/", job_views.import_page, name="import"),
    path("jobs/<uuid:uuid>/", job_views.job_page, name="job"),
    path("jobs/<uuid:uuid>/file", job_views.job_file, name="job_file"),
]
