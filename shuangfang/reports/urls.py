from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("organizations/<uuid:uuid>/", views.organization, name="organization"),
    path("organizations/<uuid:uuid>/generate/", views.generate, name="generate"),
    path("<uuid:uuid>/", views.detail, name="detail"),
    path("<uuid:uuid>/pdf/", views.pdf, name="pdf"),
    path("<uuid:uuid>/xlsx/", views.xlsx, name="xlsx"),
]
