from django.urls import path

from . import views

app_name = "monitoring"

urlpatterns = [
    path("", views.monitor, name="monitor"),
    path("live/", views.live, name="live"),
    path("devices/", views.device_list, name="devices"),
    path("devices/new/", views.device_create, name="device_new"),
    path("devices/<uuid:uuid>/", views.device_detail, name="device"),
    path("devices/<uuid:uuid>/readings.json", views.device_readings, name="device_readings"),
    path("devices/<uuid:uuid>/rotate-token/", views.device_rotate, name="device_rotate"),
    path("alarms/", views.alarm_list, name="alarms"),
    path("alarms/<uuid:uuid>/", views.alarm_detail, name="alarm"),
    path("alarms/<uuid:uuid>/acknowledge/", views.alarm_acknowledge, name="alarm_acknowledge"),
    path("alarms/<uuid:uuid>/clear/", views.alarm_clear, name="alarm_clear"),
    path("rules/", views.rule_list, name="rules"),
    path("rules/tighten/", views.rule_tighten, name="rule_tighten"),
    path("rules/criterion/", views.rule_criterion, name="rule_criterion"),
]
