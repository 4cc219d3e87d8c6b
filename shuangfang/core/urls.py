from django.urls import path

from . import ops

app_name = "core"

urlpatterns = [
    path("ops/outbox/", ops.outbox_page, name="outbox"),
    path("health", ops.health, name="health"),
    path("health/ready", ops.health_ready, name="health_ready"),
]
