from django.urls import path

from . import documents, letter_views, stats_views, trip_views, views

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

urlpatterns += [
    path("letters/", letter_views.letter_list, name="letters"),
    path("letters/template/", letter_views.letter_template, name="letter_template"),
    path("persons/<uuid:uuid>/letter/", letter_views.letter_new, name="letter_new"),
    path("letters/<uuid:uuid>/", letter_views.letter_detail, name="letter"),
    path("letters/<uuid:uuid>/move/", letter_views.letter_move, name="letter_move"),
]

urlpatterns += [
    path("cases/<uuid:uuid>/pdf/", documents.case_pdf, name="case_pdf"),
    path("letters/<uuid:uuid>/pdf/", documents.letter_pdf, name="letter_pdf"),
]

urlpatterns += [path("statistics/", stats_views.statistics, name="stats")]
urlpatterns += [path("export/", views.export, name="export")]
