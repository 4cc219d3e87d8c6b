from django.urls import path

from . import trip_views, views

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

urlpatterns += [
    path("trips/", trip_views.trip_list, name="trips"),
    path("trips/new/", trip_views.trip_new, name="trip_new"),
    path("trips/<uuid:uuid>/", trip_views.trip_detail, name="trip"),
    path("trips/<uuid:uuid>/move/", trip_views.trip_move, name="trip_move"),
    path("trips/<uuid:uuid>/checkin/", trip_views.trip_checkin, name="trip_checkin"),
    path("trips/<uuid:uuid>/receipt/", trip_views.trip_receipt, name="trip_receipt"),
]
