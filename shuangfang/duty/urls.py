from django.urls import path

from . import views

app_name = "duty"

urlpatterns = [
    path("", views.board, name="board"),
    path("institutions/<uuid:uuid>/roster/", views.roster, name="roster"),
    path("institutions/<uuid:uuid>/shifts/new/", views.shift_create, name="shift_create"),
    path("shifts/<uuid:uuid>/edit/", views.shift_edit, name="shift_edit"),
    path("shifts/<uuid:uuid>/override/", views.override_create, name="override_create"),
    path("shifts/<uuid:uuid>/handover/", views.handover_create, name="handover_create"),
    path("handovers/<uuid:uuid>/", views.handover_detail, name="handover_detail"),
    path("handovers/<uuid:uuid>/sign/", views.handover_sign, name="handover_sign"),
]
