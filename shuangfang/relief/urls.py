from django.urls import path

from . import views

app_name = "relief"

urlpatterns = [
    path("", views.index, name="index"),
    path("register/", views.register, name="register"),
    path("cases/<uuid:uuid>/", views.case_detail, name="case"),
    path("cases/<uuid:uuid>/identity/", views.case_identity, name="case_identity"),
    path("cases/<uuid:uuid>/move/", views.case_move, name="case_move"),
    path("cases/<uuid:uuid>/record/", views.case_record, name="case_record"),
    path("cases/<uuid:uuid>/photo/", views.case_photo, name="case_photo"),
]
