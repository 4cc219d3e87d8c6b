from django.urls import path

from . import views

app_name = "dashboards"

urlpatterns = [
    path("", views.index, name="index"),
    path("institutions/<uuid:uuid>/", views.institution, name="institution"),
    path("bureaus/<uuid:uuid>/", views.bureau, name="bureau"),
    path("bureaus/<uuid:uuid>/screen/", views.screen, name="screen"),
]
