"""Monitoring's words for other apps' pages (loaded at start by ``core.apps``)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shuangfang.core import messages, origins

origins.register("alarm", _("Sensor alarm"), lambda uuid: reverse("monitoring:alarm", args=[uuid]))
origins.register("device", _("Device offline"), lambda uuid: reverse("monitoring:device", args=[uuid]))

# The watchdog's title (its module is loaded by the worker only; pages show the title too).
messages.register(
    {
        "ops.listener_down": _(
            "MQTT listeners down: no sign of life for over %(n)s seconds; device readings are waiting "
            "on the broker, restart the listeners"
        ),
        "ops.broker_dropped": _(
            "MQTT broker dropped %(n)s device messages: a queue was full; add listeners or raise the "
            "broker's max_queued_messages"
        ),
    }
)
