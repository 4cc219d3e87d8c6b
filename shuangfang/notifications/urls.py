from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    # The one-tap acknowledge link works without a login (signed, expiring token); it has no URL
    # name on purpose, which keeps it outside the logged-in permission matrix (tested on its own).
    path("a/<str:token>/", views.ack_link),
    # Delivery reports from SMS providers: public, authenticated by a per-provider token in the path.
    path("receipts/<uuid:uuid>/<str:token>/", views.receipt),
    path("messages/<uuid:uuid>/open/", views.inbox_open, name="inbox_open"),
    path("incidents/", views.incidents, name="incidents"),
    path("incidents/<uuid:uuid>/", views.incident_detail, name="incident"),
    path("incidents/<uuid:uuid>/ack/", views.incident_ack, name="incident_ack"),
    path("log/", views.delivery_log, name="log"),
    path("channels/", views.my_channels, name="channels"),
    path("providers/", views.providers, name="providers"),
    path("policies/", views.policies, name="policies"),
    path("policies/new/<uuid:uuid>/", views.policy_create, name="policy_create"),
    path("policies/<uuid:uuid>/edit/", views.policy_edit, name="policy_edit"),
    path("providers/new/<uuid:uuid>/", views.provider_create, name="provider_create"),
    path("providers/<uuid:uuid>/edit/", views.provider_edit, name="provider_edit"),
]
