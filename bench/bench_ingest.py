"""Ingest and alarm speed against a raw one-process prototype, on a broker started from the shipped
configuration (deploy/mosquitto/shuangfang.conf), in one run (issue 16):

1. **ingest**: the raw prototype (one process: paho MQTT 5 subscriber → ``json.loads`` → threshold
   check → ``COPY`` of each batch into a scratch table with the readings table's unique index →
   commit → acknowledge) and the product's listener (``monitoring.mqtt.Listener``), back to back,
   ``BENCH_PAIRS`` pairs, on the same messages (the canonical smart-electricity payload, 5 values,
   1 % of the devices in a residual-current alarm); the ratio listener / prototype per pair;
2. **reading → alarm committed** at ``BENCH_LATENCY_RATE`` readings/s (5,000): a fresh device
   reports an arc fault (a one-sample rule) five times a second; latency = the ``alarm.opened``
   outbox row (written in the alarm's transaction) − the MQTT publish; p50/p99;
3. **storm**: 100 devices go into alarm within 1 s (over background traffic of 1,000 readings/s);
   a real huey worker drains the outbox; the duty desk of ``bench_outbox`` (inbox + Aliyun-signed
   SMS to the person on duty) sends to a local receiver; figure = each device's first SMS arrival
   − the first alarm's publish;
4. **burst**: ``BENCH_BURST_FACTOR`` (3) × the listener's sustained rate of step 1 for
   ``BENCH_BURST_SECONDS`` (60), unique messages; the bench fails (exit 1) if any is lost; the
   listener's peak memory (VmHWM) and the broker's ``$SYS`` dropped count are printed.

``BENCH_TRACE=/tmp/trace`` writes, per listener, its MQTT pings and (re)connections and every batch
of over 1,500 messages or 0.5 s, with the inbox's length, to ``/tmp/trace.<tag>``: how the keepalive
disconnects of a burst's drain were traced to the broker's flood (docs/monitoring.md, "Bursts").

The load average is printed with each figure: the machine is shared, figures under load are lower,
compare the ratios. Only 127.0.0.1 is used; the database must have ``bench`` in its name:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sf_ingest_bench REDIS_URL=redis://127.0.0.1:6379/11 \\
        .venv/bin/python bench/bench_ingest.py
"""

# ruff: noqa: I001  (bench_outbox first: it checks the URLs, creates the database and sets up Django)
from __future__ import annotations

import datetime as dt
import json
import multiprocessing as mp
import os
import queue
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/sf_ingest_bench")
os.environ.setdefault("OUTBOUND_ALLOW", "127.0.0.1/32")  # the SMS provider is the local receiver

import bench_outbox as bo  # noqa: E402
import bench_monitoring as bm  # noqa: E402
import paho.mqtt.client as mqtt  # noqa: E402
from _setup import ROOT  # noqa: E402
from django.db import connection, connections  # noqa: E402
from django.utils import timezone  # noqa: E402
from paho.mqtt.enums import CallbackAPIVersion  # noqa: E402
from paho.mqtt.packettypes import PacketTypes  # noqa: E402
from paho.mqtt.properties import Properties  # noqa: E402

from shuangfang.core.models import OutboxEvent  # noqa: E402
from shuangfang.monitoring.devices import register_device  # noqa: E402
from shuangfang.monitoring.models import Device, Reading  # noqa: E402
from shuangfang.monitoring.mqtt import Listener, receive_maximum, set_nodelay, topic_for  # noqa: E402
from shuangfang.monitoring.simulator import Publisher, encode  # noqa: E402
from shuangfang.monitoring.tests.broker import free_port, port_open, shipped_settings  # noqa: E402
from shuangfang.orgs.models import Organization, User  # noqa: E402

HOST = "127.0.0.1"
PAIRS = int(os.environ.get("BENCH_PAIRS", 3))
LAT_RATE = int(os.environ.get("BENCH_LATENCY_RATE", 5000))
LAT_SECONDS = int(os.environ.get("BENCH_LATENCY_SECONDS", 30))
BURST_FACTOR = float(os.environ.get("BENCH_BURST_FACTOR", 3))
BURST_SECONDS = int(os.environ.get("BENCH_BURST_SECONDS", 60))
STORM = 100
BURST_PUBLISHERS = int(os.environ.get("BENCH_BURST_PUBLISHERS", 2))
STEPS = set(os.environ.get("BENCH_STEPS", "protocol,pairs,latency,storm,burst").split(","))
LAT_DEVICES = 160
# The prototype's threshold check: the same limits as the default electricity rules.
LIMITS = {"residual_current": 300.0, "arc_count_1s": 1.0}


def start(process: mp.Process) -> None:
    """Start a forked process with no database connection open in this one (a child closing an
    inherited connection would end this process's session)."""
    connections.close_all()
    process.start()


def wait_for_worker(pid: int, timeout: float = 120.0) -> None:
    """Until the huey consumer says it started (it takes seconds on a loaded box)."""
    log = ROOT / "bench" / "out" / "outbox_worker.log"
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if f"PID {pid} " in log.read_text(errors="replace"):
            time.sleep(1.0)
            return
        time.sleep(0.2)
    raise SystemExit("the huey worker did not start")


def cpu_seconds() -> float:
    """CPU time of this process, all threads (user + system): less sensitive to a shared box than
    the wall-clock rate."""
    t = os.times()
    return t.user + t.system


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


# --- the broker ----------------------------------------------------------------------------------


class BenchBroker:
    """Mosquitto from the shipped configuration (queue limits, persistence, sys_interval kept),
    anonymous on a free loopback port (the bench's publishers have no accounts)."""

    def __init__(self) -> None:
        import subprocess

        self.folder = Path(tempfile.mkdtemp(prefix="sf-bench-broker-"))
        self.port = free_port()
        lines = [x for x in shipped_settings() if not x.startswith("allow_anonymous")]
        lines += [
            "allow_anonymous true",
            "user root" if os.geteuid() == 0 else "",
            f"persistence_location {self.folder}/",
            f"log_dest file {self.folder / 'mosquitto.log'}",
            f"listener {self.port} {HOST}",
        ]
        (self.folder / "mosquitto.conf").write_text("\n".join(lines) + "\n")
        self.process = subprocess.Popen(  # noqa: S603
            ["mosquitto", "-c", str(self.folder / "mosquitto.conf")],  # noqa: S607
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        end = time.monotonic() + 10
        while not port_open(self.port):
            if self.process.poll() is not None or time.monotonic() > end:
                raise SystemExit("mosquitto did not start")
            time.sleep(0.05)

    def dropped(self) -> int:
        """The broker's ``$SYS/broker/publish/messages/dropped`` (retained, every sys_interval)."""
        got: queue.Queue[int] = queue.Queue()
        c = mqtt.Client(callback_api_version=CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
        c.on_connect = lambda cl, u, f, rc, p: cl.subscribe("$SYS/broker/publish/messages/dropped")
        c.on_message = lambda cl, u, m: got.put(int(m.payload))
        c.connect(HOST, self.port)
        c.loop_start()
        try:
            return got.get(timeout=12)
        except queue.Empty:
            return 0  # never published: nothing dropped yet
        finally:
            c.loop_stop()
            c.disconnect()

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)


# --- data ----------------------------------------------------------------------------------------


def spare_devices(prefix: str, name: str, n: int, start: int = 0) -> list[Device]:
    inst = Organization.objects.get(name=bo.INST_NAME)
    root = User.objects.filter(is_superuser=True).first()
    have = set(
        Device.objects.filter(organization=inst, code__startswith=prefix).values_list("code", flat=True)
    )
    for j in range(start, start + n):
        if f"{prefix}{j:03d}" not in have:
            register_device(
                actor=root,
                organization=inst,
                kind="electricity",
                code=f"{prefix}{j:03d}",
                name=f"{name}{j:03d}",
            )
    return list(
        Device.objects.select_related("organization")
        .filter(organization=inst, code__startswith=prefix)
        .order_by("code")[:n]
    )


def arc(device: Device, root: str, ts: dt.datetime) -> tuple[str, bytes]:
    body = {"device_id": device.code, "ts": ts.isoformat(), "channels": {"arc_count_1s": 20}}
    return topic_for(device, root), encode(body)


# --- processes -----------------------------------------------------------------------------------


def publish_proc(port: int, msgs: list[tuple[str, bytes]], rate: float | None, go: Any, result: Any) -> None:
    go.wait()
    pub = Publisher(HOST, port, window=1000)
    t0 = time.monotonic()
    for i, (topic, payload) in enumerate(msgs):
        if rate:
            delay = t0 + i / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
        pub.publish(topic, payload)
    pub.close()
    result.put(("published", len(msgs), time.monotonic() - t0))


def subscriber(sub: str, ready: Any) -> Any:
    """An on_connect callback: subscribe at QoS 1, then tell the bench we are ready."""

    def on_connect(cl: mqtt.Client, u: Any, f: Any, rc: Any, p: Any) -> None:
        cl.subscribe(sub, qos=1)
        ready.set()

    return on_connect


def prototype_proc(port: int, sub: str, n: int, ready: Any, result: Any) -> None:
    """The raw prototype: paho (MQTT 5, the listener's Receive Maximum, acknowledging after the
    commit) → json → threshold → COPY per batch → commit → ack."""
    import psycopg

    url = os.environ["DATABASE_URL"]
    ids = {d.code: d.pk for d in Device.objects.all().only("pk", "code")}
    db = psycopg.connect(url)
    inbox: queue.Queue[tuple[int, bytes]] = queue.Queue()
    c = mqtt.Client(
        callback_api_version=CallbackAPIVersion.VERSION2,
        client_id=f"bench-proto-{secrets.token_hex(3)}",
        protocol=mqtt.MQTTv5,
        manual_ack=True,
    )
    c.on_socket_open = set_nodelay
    c.on_message = lambda cl, u, m: inbox.put((m.mid, bytes(m.payload)))
    c.on_connect = subscriber(sub, ready)
    props = Properties(PacketTypes.CONNECT)
    props.ReceiveMaximum = receive_maximum()
    c.connect(HOST, port, properties=props)
    c.loop_start()
    got = breaches = 0
    first = last = 0.0
    while got < n:
        try:
            batch = [inbox.get(timeout=10)]
        except queue.Empty:
            break
        while len(batch) < 500:
            try:
                batch.append(inbox.get_nowait())
            except queue.Empty:
                break
        first = first or time.monotonic()
        rows = []
        for _mid, raw in batch:
            m = json.loads(raw)
            ts = dt.datetime.fromisoformat(m["ts"])
            dev = ids[m["device_id"]]
            for k, v in m["channels"].items():
                if isinstance(v, dict):
                    for ph, x in v.items():
                        rows.append((dev, f"{k}.{ph}", ts, x))
                else:
                    rows.append((dev, k, ts, v))
                    if k in LIMITS and v > LIMITS[k]:
                        breaches += 1
        with (
            db.cursor() as cur,
            cur.copy("COPY bench_raw_reading (device_id, channel, ts, value) FROM STDIN") as cp,
        ):
            for r in rows:
                cp.write_row(r)
        db.commit()
        for mid, _raw in batch:
            c.ack(mid, 1)
        got += len(batch)
        last = time.monotonic()
    c.loop_stop()
    c.disconnect()
    result.put(("prototype", got, last - first, breaches, cpu_seconds()))


def bare_proc(port: int, sub: str, n: int, v5: bool, ready: Any, result: Any) -> None:
    """paho receiving only (acknowledging on receipt), MQTT 5 or 3.1.1: what the protocol's decoding
    costs in paho (MQTT 5 decodes properties on every PUBLISH)."""
    got = [0, 0.0, 0.0]

    def on_message(cl: Any, u: Any, m: Any) -> None:
        now = time.monotonic()
        got[1] = got[1] or now
        got[0] += 1
        got[2] = now

    c = mqtt.Client(
        callback_api_version=CallbackAPIVersion.VERSION2,
        client_id=f"bench-bare-{secrets.token_hex(3)}",
        protocol=mqtt.MQTTv5 if v5 else mqtt.MQTTv311,
    )
    c.on_message = on_message
    c.on_connect = subscriber(sub, ready)
    if v5:
        props = Properties(PacketTypes.CONNECT)
        props.ReceiveMaximum = receive_maximum()
        c.connect(HOST, port, properties=props)
    else:
        c.connect(HOST, port)
    c.loop_start()
    end = time.monotonic() + 300
    while time.monotonic() < end and got[0] < n:
        if got[0] and time.monotonic() - got[2] > 3:
            break
        time.sleep(0.05)
    c.loop_stop()
    result.put(("bare", got[0], got[2] - got[1]))


def protocol_cost(broker: BenchBroker, devices: list[Device]) -> dict[str, float]:
    """Messages/s a bare paho subscriber receives with MQTT 5 and with MQTT 3.1.1, back to back."""
    out: dict[str, float] = {}
    for name, v5 in (("mqtt5", True), ("mqtt311", False), ("mqtt5_again", True)):
        root = f"bench/{secrets.token_hex(3)}"
        msgs = bm.messages(devices, root)
        ready, go = mp.Event(), mp.Event()
        result: mp.Queue[Any] = mp.Queue()
        p = mp.Process(target=bare_proc, args=(broker.port, f"{root}/+/+/up", len(msgs), v5, ready, result))
        start(p)
        ready.wait(30)
        pub = mp.Process(target=publish_proc, args=(broker.port, msgs, None, go, result))
        start(pub)
        go.set()
        outs = {o[0]: o[1:] for o in (result.get(timeout=600) for _ in range(2))}
        p.join()
        pub.join()
        got, secs = outs["bare"]
        out[name] = got / secs
        out[f"{name}_lost"] = len(msgs) - got
    out["load"] = load()  # type: ignore[assignment]
    return out


def trace(lst: Listener, path: str) -> None:
    """``BENCH_TRACE``: the listener's pings and connections, and its long or large batches."""
    out = open(path, "w")  # noqa: SIM115  (open for the listener's life)
    t0 = time.monotonic()

    def write(line: str) -> None:
        out.write(f"{time.monotonic() - t0:.3f} {line} inbox={lst.inbox.qsize()}\n")
        out.flush()

    def on_log(cl: Any, u: Any, level: Any, buf: str) -> None:
        if "PING" in buf or "CONN" in buf.upper():
            write(f"net {buf}")

    lst.client.on_log = on_log
    process = lst.process

    def traced(batch: list[Any]) -> None:
        began = time.monotonic()
        process(batch)
        took = time.monotonic() - began
        if took > 0.5 or len(batch) > 1500:
            write(f"batch n={len(batch)} took={took:.3f}")

    lst.process = traced  # type: ignore[method-assign]


def listener_proc(port: int, root: str, tag: str, ready: Any, result: Any, idle: float = 3.0) -> None:
    connections.close_all()
    lst = Listener(root=root, group=f"g{tag}", client_id=f"bench-{tag}", host=HOST, port=port)
    if os.environ.get("BENCH_TRACE"):
        trace(lst, f"{os.environ['BENCH_TRACE']}.{tag}")
    lst.start()
    lst.connected.wait(10)
    time.sleep(0.3)
    ready.set()
    profile = os.environ.get("BENCH_PROFILE")  # a file: the listener's main thread under cProfile
    if profile:
        import cProfile

        prof = cProfile.Profile()
        stats = prof.runcall(lst.run, idle_exit=idle, duration=900)
        prof.dump_stats(f"{profile}.{tag}")
    else:
        stats = lst.run(idle_exit=idle, duration=900)
    hwm = 0
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            hwm = int(line.split()[1]) // 1024
    result.put(
        (
            "listener",
            {
                "received": stats.received,
                "accepted": stats.accepted,
                "alarms": stats.alarms,
                "secs": stats.last_done - stats.first_rx,
                "last_done": stats.last_done,
                "cpu_s": cpu_seconds(),
                "rss_peak_mb": hwm,
                "broker_dropped": stats.broker_dropped,
                "disconnects": stats.disconnects,
                "inbox_waits": stats.inbox_waits,
            },
        )
    )


# --- measurements --------------------------------------------------------------------------------


def scratch_table() -> None:
    with connection.cursor() as c:
        c.execute("DROP TABLE IF EXISTS bench_raw_reading")
        c.execute(
            "CREATE TABLE bench_raw_reading (id bigserial primary key, device_id bigint not null,"
            " channel varchar(40) not null, ts timestamptz not null, value double precision not null,"
            " UNIQUE (device_id, channel, ts))"
        )
        c.execute("CREATE INDEX bench_raw_reading_ts ON bench_raw_reading (ts)")


def run_pair(broker: BenchBroker, devices: list[Device]) -> dict[str, Any]:
    out: dict[str, Any] = {"load": load()}
    # The prototype.
    bm.reset(devices)
    scratch_table()
    connections.close_all()
    root = f"bench/{secrets.token_hex(3)}"
    msgs = bm.messages(devices, root)
    ready, go = mp.Event(), mp.Event()
    result: mp.Queue[Any] = mp.Queue()
    p = mp.Process(target=prototype_proc, args=(broker.port, f"{root}/+/+/up", len(msgs), ready, result))
    start(p)
    ready.wait(30)
    pub = mp.Process(target=publish_proc, args=(broker.port, msgs, None, go, result))
    start(pub)
    go.set()
    outs = {o[0]: o[1:] for o in (result.get(timeout=600) for _ in range(2))}
    p.join()
    pub.join()
    got, secs, _breaches, cpu = outs["prototype"]
    out["prototype"] = got * bm.READINGS_PER_MSG / secs
    out["prototype_cpu_us_per_msg"] = cpu / max(got, 1) * 1e6
    out["prototype_lost"] = len(msgs) - got
    # The listener, right after, on the same messages (a fresh topic root).
    bm.reset(devices)
    connections.close_all()
    root = f"bench/{secrets.token_hex(3)}"
    msgs = bm.messages(devices, root)
    ready, go = mp.Event(), mp.Event()
    result = mp.Queue()
    lp = mp.Process(target=listener_proc, args=(broker.port, root, secrets.token_hex(3), ready, result))
    start(lp)
    ready.wait(30)
    pub = mp.Process(target=publish_proc, args=(broker.port, msgs, None, go, result))
    start(pub)
    go.set()
    outs = {o[0]: o[1:] for o in (result.get(timeout=600) for _ in range(2))}
    lp.join()
    pub.join()
    lst = outs["listener"][0]
    stored = Reading.objects.filter(device__in=devices).count()
    out["listener"] = stored / lst["secs"]
    out["listener_msgs_per_s"] = lst["received"] / lst["secs"]
    out["listener_lost"] = len(msgs) - lst["received"]
    out["ratio"] = out["listener"] / out["prototype"]
    out["listener_cpu_us_per_msg"] = lst["cpu_s"] / max(lst["received"], 1) * 1e6
    return out


def latency(broker: BenchBroker, devices: list[Device], spare: list[Device]) -> dict[str, Any]:
    bm.reset(devices + spare)
    connections.close_all()
    root = f"bench/{secrets.token_hex(3)}"
    background = bm.messages(devices, root)
    rate = LAT_RATE / bm.READINGS_PER_MSG
    n = int(rate * LAT_SECONDS)
    every = max(1, int(rate / 5))  # five alarms a second
    base = timezone.now() - dt.timedelta(minutes=30)
    msgs: list[tuple[str, bytes]] = []
    watch: dict[int, str] = {}
    k = 0
    for i in range(n):
        if i % every == every // 2 and k < len(spare):
            watch[len(msgs)] = str(spare[k].uuid)
            msgs.append(arc(spare[k], root, base + dt.timedelta(seconds=i / rate)))
            k += 1
        else:
            msgs.append(background[i % len(background)])
    ready, go = mp.Event(), mp.Event()
    result: mp.Queue[Any] = mp.Queue()
    lp = mp.Process(target=listener_proc, args=(broker.port, root, secrets.token_hex(3), ready, result))
    start(lp)
    ready.wait(30)
    pp = mp.Process(target=bo.pub_timed, args=(msgs, rate, watch, go, result), kwargs={})
    # pub_timed publishes to bench_outbox's broker port: point it at ours.
    bo.PORT = broker.port
    start(pp)
    go.set()
    outs = {o[0]: o[1:] for o in (result.get(timeout=LAT_SECONDS + 300) for _ in range(2))}
    pp.join()
    lp.join()
    sent: dict[str, float] = outs["published"][0]
    committed: dict[str, float] = {}
    for payload, created in OutboxEvent.objects.filter(kind="alarm.opened").values_list(
        "payload", "created_at"
    ):
        committed.setdefault(payload["device_uuid"], created.timestamp())
    lat = [(committed[u] - t) * 1000 for u, t in sent.items() if u in committed]
    return {**bo.summary(lat), "sent": len(sent), "load": load()}


def storm(broker: BenchBroker, devices: list[Device], storm_devs: list[Device]) -> dict[str, Any]:
    """100 devices alarm within 1 s over 1,000 readings/s of background traffic."""
    bm.reset(devices + storm_devs)
    connections.close_all()
    bo.settle()
    bo.Receiver.arrivals = {}
    root = f"bench/{secrets.token_hex(3)}"
    background = bm.messages(devices, root)
    rate = 1000 / bm.READINGS_PER_MSG + STORM  # messages/s during the storm second
    base = timezone.now() - dt.timedelta(minutes=30)
    msgs: list[tuple[str, bytes]] = []
    watch: dict[int, str] = {}
    seconds = 4
    k = 0
    for i in range(int(rate * seconds)):
        in_storm = rate <= i < 2 * rate  # the second second
        if in_storm and i % 3 == 0 and k < len(storm_devs):
            watch[len(msgs)] = storm_devs[k].name
            msgs.append(arc(storm_devs[k], root, base + dt.timedelta(seconds=i / rate)))
            k += 1
        else:
            msgs.append(background[i % len(background)])
    ready, go = mp.Event(), mp.Event()
    result: mp.Queue[Any] = mp.Queue()
    lp = mp.Process(target=listener_proc, args=(broker.port, root, secrets.token_hex(3), ready, result))
    start(lp)
    ready.wait(30)
    bo.PORT = broker.port
    pp = mp.Process(target=bo.pub_timed, args=(msgs, rate, watch, go, result))
    start(pp)
    go.set()
    outs = {o[0]: o[1:] for o in (result.get(timeout=300) for _ in range(2))}
    pp.join()
    lp.join()
    sent: dict[str, float] = outs["published"][0]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not all(name in bo.Receiver.arrivals for name in sent):
        time.sleep(0.1)
    arrivals = dict(bo.Receiver.arrivals)
    first = min(sent.values())
    span = (max(sent.values()) - first) * 1000
    after_first = [(arrivals[n] - first) * 1000 for n in sent if n in arrivals]
    own = [(arrivals[n] - t) * 1000 for n, t in sent.items() if n in arrivals]
    return {
        "alarms_sent": len(sent),
        "sent_within_ms": span,
        "delivered": len(after_first),
        "last_sms_after_first_alarm_ms": max(after_first) if after_first else float("nan"),
        "each": bo.summary(own),
        "load": load(),
    }


class RawPublisher:
    """A bare MQTT 3.1.1 QoS 1 publisher on a socket: packets built in bulk and written with one
    ``sendall`` per tick, PUBACKs counted by a reader thread (paho's per-message bookkeeping capped
    a Python publisher at ≈ 4,500 msg/s, a third of the burst's target). At most ``window``
    messages are unacknowledged (packet ids are reused only after their PUBACK)."""

    def __init__(self, port: int, window: int = 30_000) -> None:
        import socket
        import struct
        import threading

        self.struct = struct
        self.window = window
        self.sock = socket.create_connection((HOST, port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        client_id = f"bench-raw-{secrets.token_hex(4)}".encode()
        body = b"\x00\x04MQTT\x04\x02\x00\x00" + struct.pack("!H", len(client_id)) + client_id  # keepalive 0
        self.sock.sendall(b"\x10" + self.length(len(body)) + body)
        connack = self.sock.recv(4)
        if connack[:1] != b"\x20" or connack[3:4] != b"\x00":
            raise SystemExit(f"the broker refused the raw publisher: {connack!r}")
        self.sent = 0
        self.acked = 0
        self.reader = threading.Thread(target=self.read, daemon=True)
        self.reader.start()

    @staticmethod
    def length(n: int) -> bytes:
        out = bytearray()
        while True:
            n, digit = divmod(n, 128)
            out.append(digit | (128 if n else 0))
            if not n:
                return bytes(out)

    def read(self) -> None:
        pending = b""
        while True:
            data = self.sock.recv(65536)
            if not data:
                return
            pending += data
            whole = len(pending) // 4 * 4
            if pending[:1] != b"\x40":
                raise SystemExit(f"unexpected packet from the broker: {pending[:8]!r}")
            self.acked += whole // 4
            pending = pending[whole:]

    def publish_many(self, messages: list[tuple[bytes, bytes]]) -> None:
        while self.sent - self.acked > self.window - len(messages):
            time.sleep(0.001)
        pack = self.struct.pack
        out = []
        for topic, payload in messages:
            self.sent += 1
            pid = self.sent % 65535 + 1
            head = pack("!H", len(topic)) + topic
            out.append(b"\x32" + self.length(len(head) + 2 + len(payload)) + head + pack("!H", pid) + payload)
        self.sock.sendall(b"".join(out))

    def close(self, timeout: float = 60.0) -> None:
        end = time.monotonic() + timeout
        while self.acked < self.sent and time.monotonic() < end:
            time.sleep(0.01)
        self.sock.sendall(b"\xe0\x00")  # DISCONNECT
        self.sock.close()


def burst_proc(
    port: int,
    topics: list[tuple[str, str]],
    rate: float,
    seconds: int,
    part: int,
    parts: int,
    go: Any,
    result: Any,
) -> None:
    """Unique messages (a running sequence number) at ``rate`` for ``seconds``: this process sends
    the messages ``i`` with ``i % parts == part``, built and written every 10 ms."""
    go.wait()
    pub = RawPublisher(port)
    base = timezone.now() - dt.timedelta(hours=3)
    encoded = [(topic.encode(), code) for topic, code in topics]
    n = int(rate * seconds)
    t0 = time.monotonic()
    i = part
    while i < n:
        due = min(n, int((time.monotonic() - t0) * rate) + 1)
        batch = []
        while i < due:
            topic, code = encoded[i % len(encoded)]
            ts = (base + dt.timedelta(milliseconds=i)).isoformat()
            body = (
                f'{{"device_id":"{code}","ts":"{ts}","seq":{i},"channels":{{"residual_current":12.5,'
                f'"cable_temp":31.5,"voltage":221.0,"current":8.2,"arc_count_1s":0}}}}'
            )
            batch.append((topic, body.encode()))
            i += parts
        if batch:
            pub.publish_many(batch)
        time.sleep(0.01)
    sent_secs = time.monotonic() - t0
    pub.close()
    result.put(("published", pub.sent, pub.acked, sent_secs, time.monotonic()))


def burst(broker: BenchBroker, devices: list[Device], sustained_msgs: float) -> dict[str, Any]:
    bm.reset(devices)
    connections.close_all()
    root = f"bench/{secrets.token_hex(3)}"
    topics = [(topic_for(d, root), d.code) for d in devices]
    rate = sustained_msgs * BURST_FACTOR
    dropped_before = broker.dropped()
    ready, go = mp.Event(), mp.Event()
    result: mp.Queue[Any] = mp.Queue()
    lp = mp.Process(
        target=listener_proc,
        args=(broker.port, root, secrets.token_hex(3), ready, result),
        kwargs={"idle": 10.0},
    )
    start(lp)
    ready.wait(30)
    pubs = [
        mp.Process(
            target=burst_proc,
            args=(broker.port, topics, rate, BURST_SECONDS, k, BURST_PUBLISHERS, go, result),
        )
        for k in range(BURST_PUBLISHERS)
    ]
    for pp in pubs:
        start(pp)
    time.sleep(0.5)
    t0 = time.monotonic()
    go.set()
    outs: dict[str, list[Any]] = {}
    for _ in range(BURST_PUBLISHERS + 1):
        o = result.get(timeout=BURST_SECONDS * 10 + 600)
        outs.setdefault(o[0], []).append(o[1:])
    for pp in pubs:
        pp.join()
    lp.join()
    n = sum(o[0] for o in outs["published"])
    acked = sum(o[1] for o in outs["published"])
    pub_secs = max(o[2] for o in outs["published"])
    pub_end = max(o[3] for o in outs["published"])
    lst = outs["listener"][0][0]
    stored = Reading.objects.filter(device__in=devices).count() // bm.READINGS_PER_MSG
    return {
        "target_rate": rate,
        "published": n,
        "broker_acked": acked,
        "publish_rate": n / pub_secs,
        "received": lst["received"],
        "stored_messages": stored,
        "lost": n - stored,
        "drained_s": lst["last_done"] - t0,
        "drained_after_burst_s": lst["last_done"] - pub_end,
        "rss_peak_mb": lst["rss_peak_mb"],
        "disconnects": lst["disconnects"],
        "inbox_waits": lst["inbox_waits"],
        "broker_dropped": broker.dropped() - dropped_before,
        "load": load(),
    }


def spread(values: list[float], fmt: str = "{:,.0f}") -> str:
    return f"{fmt.format(min(values))}-{fmt.format(max(values))}"


def main() -> None:
    mp.set_start_method("fork")
    print(f"load average before: {load()}", flush=True)
    (ROOT / "bench" / "out").mkdir(exist_ok=True)
    url = bo.start_receiver()
    devices, _spare = bo.build(url)
    lat_devs = spare_devices("OBXL-", "OBXL", LAT_DEVICES)
    storm_devs = spare_devices("OBXS-", "OBXA", STORM, start=100)  # names OBXA100…: the receiver's pattern
    broker = BenchBroker()
    worker = None
    failed = False
    nan = float("nan")
    proto: dict[str, Any] = {"mqtt5": nan, "mqtt5_again": nan, "mqtt311": nan, "load": ""}
    pairs: list[dict[str, Any]] = []
    lat: dict[str, Any] = {"p50_ms": nan, "p99_ms": nan, "n": 0, "sent": 0, "load": ""}
    st: dict[str, Any] = {
        "alarms_sent": 0,
        "sent_within_ms": nan,
        "delivered": 0,
        "last_sms_after_first_alarm_ms": nan,
        "each": {"p99_ms": nan},
        "load": "",
    }
    bu: dict[str, Any] = {
        "lost": 0,
        "published": 0,
        "publish_rate": nan,
        "rss_peak_mb": 0,
        "drained_s": nan,
        "drained_after_burst_s": nan,
        "target_rate": nan,
        "broker_dropped": 0,
        "disconnects": 0,
        "received": 0,
        "load": "",
    }
    try:
        if "protocol" in STEPS:
            proto = protocol_cost(broker, devices)
            print(f"protocol {proto}", flush=True)
        for i in range(PAIRS if "pairs" in STEPS else 0):
            r = run_pair(broker, devices)
            pairs.append(r)
            print(
                f"pair {i + 1}: prototype {r['prototype']:,.0f} readings/s, listener {r['listener']:,.0f} "
                f"readings/s = {r['ratio']:.0%} (lost {r['prototype_lost']} / {r['listener_lost']}); "
                f"CPU/msg {r['prototype_cpu_us_per_msg']:.0f} / {r['listener_cpu_us_per_msg']:.0f} us; "
                f"load {r['load']}",
                flush=True,
            )
        if "latency" in STEPS:
            lat = latency(broker, devices, lat_devs)
            print(f"latency {lat}", flush=True)
        if "storm" in STEPS:
            connections.close_all()
            worker = bo.start_worker()
            wait_for_worker(worker.pid)
            bo.warm_up()
            st = storm(broker, devices, storm_devs)
            print(f"storm {st}", flush=True)
            worker.terminate()
            worker.wait(20)
            worker = None
        if "burst" in STEPS:
            sustained = (
                statistics.median(r["listener_msgs_per_s"] for r in pairs)
                if pairs
                else float(os.environ.get("BENCH_SUSTAINED", 2000))
            )
            bu = burst(broker, devices, sustained)
            print(f"burst {bu}", flush=True)
        failed = bu["lost"] != 0 or any(r["listener_lost"] for r in pairs)
    finally:
        if worker is not None:
            worker.terminate()
        broker.stop()
    ratios = [r["ratio"] for r in pairs] or [nan]
    print(f"\n== ingest and alarms ({connection.vendor}); load average now {load()}")
    print(f"{'figure':<56}{'measured':>22}  {'baseline (same run)':<28} ratio / goal")

    def row(figure: str, measured: str, baseline: str, goal: str) -> None:
        print(f"{figure:<56}{measured:>22}  {baseline:<28} {goal}")

    for i, r in enumerate(pairs):
        row(
            f"ingest, pair {i + 1} (load {r['load']})",
            f"{r['listener']:,.0f} readings/s",
            f"prototype {r['prototype']:,.0f}",
            f"{r['ratio']:.0%} (goal >= 70 %)",
        )
    row(
        "ingest, spread over the pairs",
        spread([r["listener"] for r in pairs] or [nan]),
        spread([r["prototype"] for r in pairs] or [nan]),
        spread([x * 100 for x in ratios]) + " %",
    )
    row(
        f"paho receiving only, MQTT 5 (load {proto['load']})",
        f"{proto['mqtt5']:,.0f} / {proto['mqtt5_again']:,.0f} msg/s",
        f"MQTT 3.1.1 {proto['mqtt311']:,.0f} msg/s",
        f"{(proto['mqtt5'] + proto['mqtt5_again']) / 2 / proto['mqtt311']:.0%} of 3.1.1",
    )
    row(
        f"reading -> alarm committed at {LAT_RATE:,}/s (load {lat['load']})",
        f"p99 {lat['p99_ms']:.1f} ms",
        f"p50 {lat['p50_ms']:.1f} ms, n {lat['n']}/{lat['sent']}",
        "goal p99 < 50 ms",
    )
    row(
        f"storm: {st['alarms_sent']} alarms in {st['sent_within_ms']:.0f} ms (load {st['load']})",
        f"last SMS {st['last_sms_after_first_alarm_ms']:,.0f} ms",
        f"{st['delivered']} delivered, p99 {st['each']['p99_ms']:,.0f} ms",
        "goal < 2,000 ms after the first alarm",
    )
    row(
        f"burst {BURST_FACTOR:g}x for {BURST_SECONDS} s (load {bu['load']})",
        f"lost {bu['lost']}",
        f"{bu['published']:,} at {bu['publish_rate']:,.0f}/s",
        f"goal 0; RSS peak {bu['rss_peak_mb']} MB (goal < 300), drained {bu['drained_s']:.0f} s after "
        f"the start, {bu['drained_after_burst_s']:.0f} s after the burst (goal 120), "
        f"target {bu['target_rate']:,.0f}/s, broker dropped {bu['broker_dropped']}, "
        f"{bu['received']:,} received, {bu['disconnects']} disconnects",
    )
    with open(ROOT / "bench" / "out" / "results.jsonl", "a") as fh:
        fh.write(
            json.dumps(
                {
                    "bench": "ingest",
                    "time": time.time(),
                    "pairs": pairs,
                    "latency": lat,
                    "storm": st,
                    "burst": bu,
                }
            )
            + "\n"
        )
    if failed:
        print("FAILED: messages were lost", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
