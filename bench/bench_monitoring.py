"""Sensor ingestion: MQTT → validate → rules → stored (+ alarms), against the raw limits measured in
the same run.

1. raw limits: a bare paho subscriber receiving the same messages from Mosquitto (QoS 1), and a bare
   batched insert (executemany × 1,000) of the same rows into a scratch table in the same database;
2. the full path with one listener (``shuangfang.monitoring.mqtt.Listener``, its own process);
3. the same with two listeners in one shared-subscription group;
4. alarm-to-event latency (publish → ``alarm.opened`` committed to the outbox with its alarm) at
   1,000 readings/s.

Each message is the canonical smart-electricity payload with 5 values (residual current, cable
temperature, voltage, current, arc count); 1 % of the devices are in a residual-current alarm.
Sizes: 1,000 devices × 20 rounds = 20,000 messages = 100,000 readings per run (scaled to keep the
whole run to a few minutes on 2 shared cores). Run against PostgreSQL:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sf_monitoring .venv/bin/python bench/bench_monitoring.py
"""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing as mp
import os
import secrets
import statistics
import sys
import time

from _setup import ROOT, setup

setup()

import paho.mqtt.client as mqtt  # noqa: E402
from django.db import connection, connections  # noqa: E402
from django.utils import timezone  # noqa: E402
from paho.mqtt.enums import CallbackAPIVersion  # noqa: E402

from shuangfang.core.models import OutboxEvent  # noqa: E402
from shuangfang.monitoring.devices import register_device  # noqa: E402
from shuangfang.monitoring.models import Alarm, Device, Reading, RuleState  # noqa: E402
from shuangfang.monitoring.mqtt import Listener, topic_for  # noqa: E402
from shuangfang.monitoring.simulator import Publisher, SimDevice, Traffic, encode  # noqa: E402
from shuangfang.orgs.models import Organization, OrgKind, User  # noqa: E402

N_DEV = int(os.environ.get("BENCH_DEVICES", 1000))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", 20))
HOST, PORT = "127.0.0.1", 1883
READINGS_PER_MSG = 5


def build() -> list[Device]:
    root = User.objects.filter(is_superuser=True).first() or User.objects.create_superuser(
        username="bench_root", password="bench-pass-1", name="bench"
    )
    bureau = Organization.objects.filter(name="基准监测民政局").first() or Organization.objects.create(
        name="基准监测民政局", kind=OrgKind.BUREAU
    )
    inst = Organization.objects.filter(name="基准监测机构").first() or Organization.objects.create(
        name="基准监测机构", kind=OrgKind.INSTITUTION, institution_type="elderly_care", parent=bureau
    )
    have = Device.objects.filter(code__startswith="BENCH-").count()
    for i in range(have, N_DEV + 50):
        register_device(
            actor=root, organization=inst, kind="electricity", code=f"BENCH-{i:05d}", name=f"基准 {i}"
        )
    return list(
        Device.objects.select_related("organization").filter(code__startswith="BENCH-").order_by("code")
    )


def reset(devices: list[Device]) -> None:
    ids = [d.pk for d in devices]
    Reading.objects.filter(device_id__in=ids).delete()
    RuleState.objects.filter(device_id__in=ids).delete()
    Alarm.objects.filter(device_id__in=ids).delete()
    OutboxEvent.objects.filter(kind__in=["alarm.opened", "alarm.cleared", "device.offline"]).delete()
    Device.objects.filter(pk__in=ids).update(online=False, last_seen_at=None, last_values={})


def messages(devices: list[Device], root: str) -> list[tuple[str, bytes]]:
    fleet = [SimDevice(code=d.code, topic=topic_for(d, root)) for d in devices[:N_DEV]]
    traffic = Traffic(fleet, alarm_rate=0.0, seed=11)
    for d in fleet[:: max(1, N_DEV // 10)]:  # 1 % of devices in alarm for the whole run
        d.alarm_left = 10**9
    start = timezone.now() - dt.timedelta(hours=2)
    rounds = traffic.rounds(start, dt.timedelta(seconds=10))
    out = []
    for _ in range(ROUNDS):
        out += [(d.topic, encode(m)) for d, m in next(rounds)]
    return out


# --- processes -----------------------------------------------------------------------------------


def publish_proc(msgs: list[tuple[str, bytes]], rate: float | None, ready, result) -> None:
    ready.wait()
    pub = Publisher(HOST, PORT, window=1000)
    t0 = time.monotonic()
    for i, (topic, payload) in enumerate(msgs):
        if rate:
            due = t0 + i / rate
            delay = due - time.monotonic()
            if delay > 0:
                time.sleep(delay)
        pub.publish(topic, payload)
    pub.close()
    result.put(("published", time.monotonic() - t0))


def bare_subscriber(sub_topic: str, n: int, ready, result) -> None:
    """paho, MQTT 5 with the listener's Receive Maximum, acknowledging on receipt, counting only."""
    from paho.mqtt.packettypes import PacketTypes
    from paho.mqtt.properties import Properties

    from shuangfang.monitoring.mqtt import RECEIVE_MAXIMUM

    got = [0]
    first = [0.0]
    last = [0.0]

    def on_message(c, u, m):
        now = time.monotonic()
        if not got[0]:
            first[0] = now
        got[0] += 1
        last[0] = now

    c = mqtt.Client(
        callback_api_version=CallbackAPIVersion.VERSION2,
        client_id=f"bench-bare-{secrets.token_hex(3)}",
        protocol=mqtt.MQTTv5,
    )
    c.on_message = on_message

    def on_connect(cl, u, f, rc, p) -> None:
        cl.subscribe(sub_topic, qos=1)
        ready.set()

    c.on_connect = on_connect
    props = Properties(PacketTypes.CONNECT)
    props.ReceiveMaximum = RECEIVE_MAXIMUM
    c.connect(HOST, PORT, properties=props)
    c.loop_start()
    end = time.monotonic() + 300
    while time.monotonic() < end and got[0] < n:
        if got[0] and time.monotonic() - last[0] > 3:
            break
        time.sleep(0.1)
    result.put(("bare", got[0], last[0] - first[0]))
    c.loop_stop()


def listener_proc(root: str, group: str, tag: str, ready, result, latency: bool = False) -> None:
    connections.close_all()
    lst = Listener(root=root, group=group, client_id=f"bench-{tag}", host=HOST, port=PORT)
    lst.start()
    lst.connected.wait(10)
    time.sleep(0.3)
    ready.set()
    stats = lst.run(idle_exit=3.0, duration=600)
    result.put(
        (
            "listener",
            {
                "received": stats.received,
                "accepted": stats.accepted,
                "alarms": stats.alarms,
                "first": stats.first_rx,
                "last": stats.last_done,
            },
        )
    )
    forget(f"bench-{tag}")


def forget(client_id: str) -> None:
    c = mqtt.Client(callback_api_version=CallbackAPIVersion.VERSION2, client_id=client_id, clean_session=True)
    c.connect(HOST, PORT)
    c.disconnect()


# --- measurements --------------------------------------------------------------------------------


def raw_mqtt(devices) -> float:
    root = f"bench/{secrets.token_hex(3)}"
    shifted = messages(devices, root)
    ready = mp.Event()
    result: mp.Queue = mp.Queue()
    sub = mp.Process(target=bare_subscriber, args=(f"{root}/+/+/up", len(shifted), ready, result))
    sub.start()
    pub = mp.Process(target=publish_proc, args=(shifted, None, ready, result))
    pub.start()
    pub.join()
    sub.join()
    figures = {r[0]: r[1:] for r in (result.get() for _ in range(2))}
    got, secs = figures["bare"]
    return got / secs


def raw_insert(msgs, devices) -> float:
    """The same rows, executemany × 1,000 per transaction, into a scratch table with the same unique
    index as the readings table."""
    from django.db import transaction

    ids = {d.code: d.pk for d in devices}
    rows = []
    for _topic, payload in msgs:
        m = json.loads(payload)
        ts = dt.datetime.fromisoformat(m["ts"])
        for k, v in m["channels"].items():
            for ch, x in ((f"{k}.{ph}", y) for ph, y in v.items()) if isinstance(v, dict) else [(k, v)]:
                rows.append((ids[m["device_id"]], ch, ts, x))
    with connection.cursor() as c:
        c.execute("DROP TABLE IF EXISTS bench_raw_reading")
        c.execute(
            "CREATE TABLE bench_raw_reading (id bigserial primary key, device_id bigint not null,"
            " channel varchar(40) not null, ts timestamptz not null, value double precision not null,"
            " UNIQUE (device_id, channel, ts))"
        )
        c.execute("CREATE INDEX bench_raw_reading_ts ON bench_raw_reading (ts)")
    t0 = time.perf_counter()
    for start in range(0, len(rows), 1000):
        with transaction.atomic(), connection.cursor() as c:
            c.executemany(
                "INSERT INTO bench_raw_reading (device_id, channel, ts, value) VALUES (%s, %s, %s, %s)",
                rows[start : start + 1000],
            )
    secs = time.perf_counter() - t0
    with connection.cursor() as c:
        c.execute("DROP TABLE bench_raw_reading")
    return len(rows) / secs


def full_path(devices, n_listeners: int) -> dict:
    reset(devices)
    connections.close_all()
    root = f"bench/{secrets.token_hex(3)}"
    msgs = messages(devices, root)
    group = f"bench{secrets.token_hex(2)}"
    ready_l = [mp.Event() for _ in range(n_listeners)]
    result: mp.Queue = mp.Queue()
    procs = [
        mp.Process(target=listener_proc, args=(root, group, f"{group}-{i}", ready_l[i], result, False))
        for i in range(n_listeners)
    ]
    for p in procs:
        p.start()
    for e in ready_l:
        e.wait(30)
    go = mp.Event()
    pub = mp.Process(target=publish_proc, args=(msgs, None, go, result))
    pub.start()
    go.set()
    outs = [result.get(timeout=600) for _ in range(n_listeners + 1)]
    for p in [*procs, pub]:
        p.join()
    ls = [o[1] for o in outs if o[0] == "listener"]
    secs = max(x["last"] for x in ls) - min(x["first"] for x in ls if x["first"])
    stored = Reading.objects.filter(device__code__startswith="BENCH-").count()
    return {
        "messages": sum(x["received"] for x in ls),
        "readings_stored": stored,
        "alarms": Alarm.objects.filter(device__code__startswith="BENCH-").count(),
        "secs": secs,
        "msgs_per_s": sum(x["received"] for x in ls) / secs,
        "readings_per_s": stored / secs,
        "split": [x["received"] for x in ls],
    }


def latency(devices) -> dict:
    """1,000 readings/s (200 messages/s of 5 values); every 20th message is an arc fault on a fresh
    device (arc rule: one sample), whose alarm.opened dispatch time is recorded in the listener."""
    reset(devices)
    connections.close_all()
    root = f"bench/{secrets.token_hex(3)}"
    normal = messages(devices, root)
    rate_msgs = 1000 / READINGS_PER_MSG
    n = int(rate_msgs * 30)  # 30 seconds
    spare = devices[N_DEV : N_DEV + 50]
    msgs: list[tuple[str, bytes]] = []
    alarm_at: dict[int, str] = {}
    k = 0
    for i in range(n):
        if i % 20 == 10 and k < len(spare) * 3:
            d = spare[k % len(spare)]
            ts = timezone.now() - dt.timedelta(minutes=30) + dt.timedelta(seconds=i)
            body = {"device_id": d.code, "ts": ts.isoformat(), "channels": {"arc_count_1s": 20 + k}}
            if k < len(spare):
                alarm_at[i] = str(d.uuid)
            msgs.append((topic_for(d, root), encode(body)))
            k += 1
        else:
            msgs.append(normal[i % len(normal)])
    group = f"lat{secrets.token_hex(2)}"
    ready = mp.Event()
    result: mp.Queue = mp.Queue()
    lp = mp.Process(target=listener_proc, args=(root, group, f"{group}-0", ready, result, True))
    lp.start()
    ready.wait(30)
    go = mp.Event()

    def pub_timed(msgs, rate, go, result, watch):
        go.wait()
        pub = Publisher(HOST, PORT, window=1000)
        sent: dict[int, float] = {}
        t0 = time.monotonic()
        for j, (topic, payload) in enumerate(msgs):
            delay = t0 + j / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            if j in watch:
                sent[j] = time.time()
            pub.publish(topic, payload)
        pub.close()
        result.put(("published", sent))

    pp = mp.Process(target=pub_timed, args=(msgs, rate_msgs, go, result, set(alarm_at)))
    pp.start()
    go.set()
    outs = [result.get(timeout=600) for _ in range(2)]
    pp.join()
    lp.join()
    sent_at = next(o[1] for o in outs if o[0] == "published")
    # The alarm's event is written to the outbox in the alarm's own transaction: its row's time is
    # when the alarm (and the work it asks of other apps) was committed.
    committed: dict[str, float] = {}
    for payload, created in OutboxEvent.objects.filter(kind="alarm.opened").values_list(
        "payload", "created_at"
    ):
        committed.setdefault(payload["device_uuid"], created.timestamp())
    lat = []
    for i, uuid in alarm_at.items():
        if uuid in committed and i in sent_at:
            lat.append((committed[uuid] - sent_at[i]) * 1000)
    lat.sort()
    return {
        "alarms": len(lat),
        "p50_ms": statistics.median(lat) if lat else float("nan"),
        "p99_ms": lat[min(len(lat) - 1, int(len(lat) * 0.99))] if lat else float("nan"),
        "max_ms": lat[-1] if lat else float("nan"),
    }


def main() -> None:
    mp.set_start_method("fork")
    if connection.vendor != "postgresql":
        print("note: run against PostgreSQL for the figures of record", file=sys.stderr)
    devices = build()
    print(
        f"{len(devices)} devices; {N_DEV * ROUNDS} messages = "
        f"{N_DEV * ROUNDS * READINGS_PER_MSG} readings per run"
    )
    msgs = messages(devices, "bench/x")
    connections.close_all()
    mqtt_rate = raw_mqtt(devices)
    print(f"raw mqtt {mqtt_rate:,.0f} msg/s", flush=True)
    insert_rows = raw_insert(msgs, devices)
    insert_msgs = insert_rows / READINGS_PER_MSG
    print(f"raw insert {insert_rows:,.0f} rows/s", flush=True)
    limit = min(mqtt_rate, insert_msgs)
    runs = {
        "1 listener": full_path(devices, 1),
        "2 listeners (shared)": full_path(devices, 2),
    }
    for name, r in runs.items():
        print(name, r, flush=True)
    lat = latency(devices)
    reset(devices)
    total = N_DEV * ROUNDS
    print(
        f"\n== monitoring ingestion ({connection.vendor}); "
        f"{total} messages x {READINGS_PER_MSG} readings per run"
    )
    print(
        f"{'raw: bare paho subscriber (QoS 1)':<44}{mqtt_rate:>10,.0f} msg/s  = "
        f"{mqtt_rate * READINGS_PER_MSG:,.0f} readings/s"
    )
    print(
        f"{'raw: executemany x1,000 into scratch table':<44}{insert_msgs:>10,.0f} msg/s  = "
        f"{insert_rows:,.0f} rows/s"
    )
    for name, r in runs.items():
        lost = total - r["messages"]
        print(
            f"{name:<44}{r['msgs_per_s']:>10,.0f} msg/s  = {r['readings_per_s']:,.0f} readings/s; "
            f"{r['msgs_per_s'] / limit:.0%} of the slower raw limit; split {r['split']}; "
            f"dropped by the broker {lost}; alarms {r['alarms']}"
        )
    print(
        f"{'alarm -> event at 1,000 readings/s':<44}  p50 {lat['p50_ms']:.1f} ms, "
        f"p99 {lat['p99_ms']:.1f} ms, "
        f"max {lat['max_ms']:.1f} ms over {lat['alarms']} alarms"
    )
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    with open(out / "results.jsonl", "a") as fh:
        fh.write(
            json.dumps(
                {
                    "bench": "monitoring",
                    "time": time.time(),
                    "runs": runs,
                    "latency": lat,
                    "raw_mqtt": mqtt_rate,
                    "raw_insert_rows": insert_rows,
                }
            )
            + "\n"
        )


if __name__ == "__main__":
    main()
