"""Publish realistic readings for N simulated devices over MQTT or HTTP, with injected alarms,
faults and silences (for demos and benchmarks)."""

from __future__ import annotations

import datetime as dt
import time
import urllib.request

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from shuangfang.monitoring.devices import register_device, rotate_token
from shuangfang.monitoring.models import Device
from shuangfang.monitoring.mqtt import DEFAULT_ROOT, broker, topic_for
from shuangfang.monitoring.simulator import Publisher, SimDevice, Traffic, encode
from shuangfang.orgs.models import Organization, User


class Command(BaseCommand):
    help = "Simulate N smart-electricity monitors sending readings (MQTT or HTTP)."

    def add_arguments(self, parser):
        parser.add_argument("--institution", required=True, help="institution name or uuid")
        parser.add_argument("--devices", type=int, default=20)
        parser.add_argument("--transport", choices=["mqtt", "http"], default="mqtt")
        parser.add_argument("--interval", type=float, default=5.0, help="seconds between rounds")
        parser.add_argument("--duration", type=float, default=60.0)
        parser.add_argument("--alarm-rate", type=float, default=0.01, help="chance a device starts an alarm")
        parser.add_argument("--fault-rate", type=float, default=0.002)
        parser.add_argument("--silence", type=float, default=0.05, help="share of devices that stay silent")
        parser.add_argument("--root", default=DEFAULT_ROOT)
        parser.add_argument("--url", default="http://127.0.0.1:8000", help="base URL for --transport http")

    def handle(self, *args, **o):
        if not o["url"].startswith(("http://", "https://")):
            raise CommandError("--url must be http(s)")
        insts = Organization.objects.filter(kind="institution")
        inst = insts.filter(name=o["institution"]).first()
        if inst is None:
            try:
                inst = insts.filter(uuid=o["institution"]).first()
            except Exception:  # not a uuid
                inst = None
        if inst is None:
            raise CommandError("institution not found")
        system = User.objects.filter(is_superuser=True).order_by("pk").first()
        if system is None:
            raise CommandError("a superuser is needed to register simulated devices")
        fleet: list[SimDevice] = []
        for i in range(o["devices"]):
            code = f"SIM-{inst.pk}-{i:04d}"
            device = Device.objects.select_related("organization").filter(code=code).first()
            if device is None:
                device, token = register_device(
                    actor=system,
                    organization=inst,
                    kind="electricity",
                    code=code,
                    name=f"模拟配电箱 {i + 1}",
                    building=f"{i // 20 + 1}号楼",
                    floor=f"{i % 20 // 5 + 1}F",
                    location=f"配电间 {i % 5 + 1}",
                    heartbeat_seconds=max(30, int(o["interval"] * 2)),
                )
            else:
                token = rotate_token(actor=system, device=device) if o["transport"] == "http" else ""
            fleet.append(SimDevice(code=code, topic=topic_for(device, o["root"]), token=token))
        traffic = Traffic(fleet, alarm_rate=o["alarm_rate"], fault_rate=o["fault_rate"], silence=o["silence"])
        host, port = broker()
        pub = Publisher(host, port) if o["transport"] == "mqtt" else None
        end = time.monotonic() + o["duration"]
        sent = 0
        rounds = traffic.rounds(timezone.now(), dt.timedelta(seconds=o["interval"]))
        while time.monotonic() < end:
            started = time.monotonic()
            batch = next(rounds)
            for d, msg in batch:
                if pub is not None:
                    pub.publish(d.topic, encode(msg))
                else:
                    req = urllib.request.Request(  # noqa: S310 - the operator's own server
                        o["url"] + "/api/v1/monitoring/ingest",
                        data=encode(msg),
                        headers={"Content-Type": "application/json", "Authorization": f"Bearer {d.token}"},
                    )
                    try:
                        urllib.request.urlopen(req, timeout=5).read()  # noqa: S310
                    except Exception as exc:  # keep going: the simulator reports, never stops
                        self.stderr.write(f"{d.code}: {exc}")
                sent += 1
            time.sleep(max(0.0, o["interval"] - (time.monotonic() - started)))
        if pub is not None:
            pub.close()
        silent = sum(1 for d in fleet if d.silent)
        self.stdout.write(f"sent {sent} messages from {len(fleet) - silent} devices ({silent} silent)")
