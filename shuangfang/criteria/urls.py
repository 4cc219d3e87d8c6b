from django.urls import path

from . import views

app_name = "criteria"

urlpatterns = [
    path("", views.library, name="list"),
    path("import/", views.import_file, name="import"),
    path("standards/<uuid:uuid>/", views.standard, name="standard"),
]
