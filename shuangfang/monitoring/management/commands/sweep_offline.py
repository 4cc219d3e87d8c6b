"""Mark devices silent for three heartbeat intervals offline (also a periodic huey task)."""

from django.core.management.base import BaseCommand

from shuangfang.monitoring.devices import sweep_offline


class Command(BaseCommand):
    help = "Raise device-offline alarms for devices silent for three heartbeat intervals."

    def handle(self, *args, **opts):
        gone = sweep_offline()
        for device in gone:
            self.stdout.write(f"offline: {device.code} {device.name}")
        self.stdout.write(f"{len(gone)} device(s) went offline")
