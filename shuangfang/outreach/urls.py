from django.urls import path

from . import views

app_name = "outreach"

urlpatterns = [
    path("", views.index, name="index"),
    path("patrols/start/", views.start, name="start"),
    path("patrols/<uuid:uuid>/", views.patrol_detail, name="patrol"),
    path("patrols/<uuid:uuid>/end/", views.patrol_end, name="patrol_end"),
    path("encounters/<uuid:uuid>/admit/", views.encounter_admit, name="admit"),
]
