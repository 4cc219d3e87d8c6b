"""Listen for device messages over MQTT and ingest them (run one or more; they share the load)."""

from __future__ import annotations

import logging
import signal
import threading
import time

from django.core.management.base import BaseCommand

from shuangfang.monitoring.mqtt import DEFAULT_ROOT, Listener

# The command's own lines go through logging like every other line of the process, so that with
# LOG_FORMAT=json each is one JSON object (a collector reads nothing else; issue 23).
log = logging.getLogger("shuangfang.monitoring.listen")


class Command(BaseCommand):
    help = (
        "Subscribe to device topics (shared subscription) and ingest messages. Run as many as needed: "
        "each gets its own client id and session unless --client-id / MQTT_CLIENT_ID fixes one."
    )

    def add_arguments(self, parser):
        parser.add_argument("--root", default=DEFAULT_ROOT, help="topic root (default: sf)")
        parser.add_argument(
            "--group", default=None, help="shared-subscription group (default: MQTT_GROUP, sf-ingest)"
        )
        parser.add_argument(
            "--client-id",
            default=None,
            help="fixed client id: a restart resumes its session; never give two running listeners "
            "the same id (default: MQTT_CLIENT_ID, or unique per process)",
        )
        parser.add_argument(
            "--session-expiry",
            type=int,
            default=None,
            help="seconds the broker keeps the session after the connection drops "
            "(default: MQTT_SESSION_EXPIRY, or 30 for a unique id and 3600 for a fixed one)",
        )
        parser.add_argument(
            "--no-share",
            action="store_true",
            help="plain subscription (one listener; survives broker restarts)",
        )
        parser.add_argument(
            "--protocol",
            default=None,
            help="5 or 3.1.1 (default: MQTT_PROTOCOL, or 5); 3.1.1 for brokers without MQTT 5",
        )
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument("--flush-ms", type=int, default=50)
        parser.add_argument("--duration", type=float, default=None, help="stop after so many seconds")
        parser.add_argument("--max-messages", type=int, default=None)
        parser.add_argument("--idle-exit", type=float, default=None, help="stop after so many idle seconds")
        parser.add_argument("--stats-every", type=float, default=30.0)

    def handle(self, *args, **opts):
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
        listener = Listener(
            root=opts["root"],
            group=opts["group"],
            client_id=opts["client_id"],
            session_expiry=opts["session_expiry"],
            batch_size=opts["batch_size"],
            flush_ms=opts["flush_ms"],
            shared=not opts["no_share"],
            protocol=opts["protocol"],
        )
        signal.signal(signal.SIGTERM, lambda *_: listener.stopping.set())
        signal.signal(signal.SIGINT, lambda *_: listener.stopping.set())

        def report() -> None:
            while not listener.stopping.wait(opts["stats_every"]):
                s = listener.stats
                log.info(
                    "received=%d accepted=%d duplicates=%d rejected=%d alarms=%d batches=%d errors=%d",
                    s.received,
                    s.accepted,
                    s.duplicates,
                    s.rejected,
                    s.alarms,
                    s.batches,
                    s.errors,
                )

        threading.Thread(target=report, daemon=True).start()
        log.info(
            "listening as %s on %s %s (session expiry %ss)",
            listener.client_id,
            listener.broker.url,
            listener.subscription,
            listener.session_expiry,
        )
        started = time.monotonic()
        stats = listener.run(
            duration=opts["duration"], max_messages=opts["max_messages"], idle_exit=opts["idle_exit"]
        )
        elapsed = time.monotonic() - started
        log.info(
            "done: received=%d accepted=%d duplicates=%d rejected=%d alarms=%d in %.1fs",
            stats.received,
            stats.accepted,
            stats.duplicates,
            stats.rejected,
            stats.alarms,
            elapsed,
        )
