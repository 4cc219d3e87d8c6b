from django.urls import path

from . import views

app_name = "hazards"

urlpatterns = [
    path("", views.hazard_list, name="list"),
    path("mine/", views.my_hazards, name="mine"),
    path("report/", views.report, name="report"),
    path("ledger.pdf", views.ledger_pdf, name="ledger_pdf"),
    path("statistics/", views.statistics, name="statistics"),
    path("<uuid:uuid>/", views.detail, name="detail"),
    path("<uuid:uuid>/act/", views.act, name="act"),
    path("<uuid:uuid>/file.pdf", views.special_file, name="file_pdf"),
    path("photos/<uuid:uuid>/", views.photo, name="photo"),
]
