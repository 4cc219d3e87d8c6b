from django.urls import path

from . import public_views, views

app_name = "publicreports"

urlpatterns = [
    # Without an account (the QR poster's code, the visitor's follow-up code).
    path("p/<str:code>/", public_views.report, name="report"),
    path("f/", public_views.follow_lookup, name="follow_lookup"),
    path("f/<str:code>/", public_views.follow, name="follow"),
    # The officer's pages.
    path("", views.queue, name="queue"),
    path("<uuid:uuid>/", views.detail, name="detail"),
    path("<uuid:uuid>/act/", views.act, name="act"),
    path("photos/<uuid:uuid>/", views.photo, name="photo"),
    path("posters/", views.posters, name="posters"),
    path("posters/make/", views.posters_make, name="posters_make"),
    path("posters/<uuid:uuid>/poster.pdf", views.poster_pdf, name="poster_pdf"),
    path("posters/<uuid:uuid>/switch/", views.poster_switch, name="poster_switch"),
]
