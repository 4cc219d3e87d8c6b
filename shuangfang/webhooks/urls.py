from django.urls import path

from . import views

app_name = "webhooks"

urlpatterns = [
    path("", views.subscriptions, name="list"),
    path("mem/", views.mem_log, name="mem"),
    path("<uuid:uuid>/", views.detail, name="detail"),
    path("<uuid:uuid>/switch/", views.switch, name="switch"),
]
