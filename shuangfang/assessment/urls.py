from django.urls import path

from . import views

app_name = "assessment"

urlpatterns = [
    path("", views.index, name="index"),
    path("bureaus/<uuid:uuid>/", views.bureau, name="bureau"),
    path("bureaus/<uuid:uuid>/scheme/", views.scheme, name="scheme"),
    path("institutions/<uuid:uuid>/", views.institution, name="institution"),
]
