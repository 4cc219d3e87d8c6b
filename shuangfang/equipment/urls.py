from django.urls import path

from . import video_views, views

app_name = "equipment"

urlpatterns = [
    path("", views.equipment_list, name="list"),
    path("new/", views.create, name="create"),
    path("labels.pdf", views.labels_pdf, name="labels"),
    path("<uuid:uuid>/", views.detail, name="detail"),
    path("<uuid:uuid>/edit/", views.edit, name="edit"),
    path("<uuid:uuid>/report/", views.report, name="report"),
    path("<uuid:uuid>/label.png", views.label_png, name="label"),
    path("<uuid:uuid>/documents/new/", views.add_document, name="document_add"),
    path("<uuid:uuid>/visits/new/", views.add_visit, name="visit_add"),
    path("<uuid:uuid>/retire/", views.retire, name="retire"),
    path("documents/<uuid:uuid>/", views.document, name="document"),
    path("cameras/", video_views.cameras, name="cameras"),
    path("cameras/new/", video_views.camera_create, name="camera_create"),
    path("cameras/<uuid:uuid>/", video_views.camera, name="camera"),
    path("recorders/new/", video_views.recorder_create, name="recorder_create"),
]
