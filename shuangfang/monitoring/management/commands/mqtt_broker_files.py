from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from shuangfang.monitoring.broker_acl import broker_files
from shuangfang.monitoring.models import Device
from shuangfang.monitoring.mqtt import DEFAULT_ROOT


class Command(BaseCommand):
    help = (
        "Write Mosquitto's password_file and acl_file: one user per active device (it may publish only "
        "to its own topic) and the listener's user (reads everything). Reload the broker after."
    )

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, help="folder for passwd and acl")
        parser.add_argument("--listener-user", default="shuangfang")
        parser.add_argument("--root", default=DEFAULT_ROOT)

    def handle(self, *args, **options):
        password = settings.MQTT_PASSWORD
        if not password:
            raise CommandError("Set MQTT_PASSWORD (the listener's broker password) first.")
        devices = Device.objects.filter(is_active=True).select_related("organization").order_by("code")
        passwd, acl = broker_files(
            devices, listener_user=options["listener_user"], listener_password=password, root=options["root"]
        )
        out = Path(options["out"])
        out.mkdir(parents=True, exist_ok=True)
        for name, text in (("passwd", passwd), ("acl", acl)):
            path = out / name
            path.write_text(text)
            path.chmod(0o600)
        self.stdout.write(f"{devices.count()} devices written to {out}/passwd and {out}/acl")
