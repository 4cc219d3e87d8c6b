from django.urls import path

from . import selfcheck_views, views

app_name = "criteria"

urlpatterns = [
    path("", views.library, name="list"),
    path("import/", views.import_file, name="import"),
    path("standards/<uuid:uuid>/", views.standard, name="standard"),
    path("selfchecks/", selfcheck_views.selfchecks, name="selfchecks"),
    path("selfchecks/new/", selfcheck_views.selfcheck_new, name="selfcheck_new"),
    path("selfchecks/<uuid:uuid>/", selfcheck_views.selfcheck, name="selfcheck"),
]
