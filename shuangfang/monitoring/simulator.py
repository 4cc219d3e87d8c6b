"""Realistic device traffic for demos and benchmarks: electricity monitors with daily load curves,
injected residual-current alarms, faults and silences, published over MQTT (QoS 1, bounded in-flight
window) or HTTP batches."""

from __future__ import annotations

import datetime as dt
import json
import math
import random
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from .mqtt import set_nodelay


@dataclass
class SimDevice:
    code: str
    topic: str
    token: str = ""
    silent: bool = False
    alarm_left: int = 0
    seq: int = 0  # the device's message counter (payload ``seq``), +1 per message
    boot: str = "1"  # the run the counter belongs to (payload ``boot``)


class Traffic:
    """Messages for a fleet: ``next_batch(now)`` gives one round (a message per non-silent device)."""

    def __init__(self, devices: list[SimDevice], *, alarm_rate=0.0, fault_rate=0.0, silence=0.0, seed=7):
        self.devices = devices
        self.rng = random.Random(seed)
        self.alarm_rate, self.fault_rate = alarm_rate, fault_rate
        for d in self.rng.sample(devices, int(len(devices) * silence)):
            d.silent = True
        self.seq = 0

    def message(self, d: SimDevice, ts: dt.datetime) -> dict:
        self.seq += 1
        d.seq += 1
        counter = {"seq": d.seq, "boot": d.boot}
        if self.rng.random() < self.fault_rate:
            return {
                "device_id": d.code,
                "msg_id": f"{d.code}-{self.seq}",
                "ts": ts.isoformat(),
                "type": "fault",
                "code": self.rng.choice(["low_battery", "tamper", "device_fault"]),
                **counter,
            }
        if d.alarm_left == 0 and self.rng.random() < self.alarm_rate:
            d.alarm_left = 5
        hour = ts.hour + ts.minute / 60
        load = 0.5 + 0.5 * math.sin((hour - 6) / 24 * 2 * math.pi)
        rc = self.rng.gauss(70 + 40 * load, 8)
        if d.alarm_left:
            d.alarm_left -= 1
            rc = self.rng.uniform(330, 480)
        return {
            "device_id": d.code,
            "msg_id": f"{d.code}-{self.seq}",
            "ts": ts.isoformat(),
            "type": "telemetry",
            "channels": {
                "residual_current_ma": round(max(rc, 0), 1),
                "temp_c": {"L1": round(32 + 12 * load + self.rng.gauss(0, 0.5), 1)},
                "voltage_v": {"L1": round(self.rng.gauss(221, 2.5), 1)},
                "current_a": {"L1": round(5 + 20 * load + self.rng.gauss(0, 1), 1)},
                "arc_count_1s": 0,
            },
            **counter,
        }

    def rounds(self, start: dt.datetime, step: dt.timedelta) -> Iterator[list[tuple[SimDevice, dict]]]:
        ts = start
        while True:
            yield [(d, self.message(d, ts)) for d in self.devices if not d.silent]
            ts += step


class Publisher:
    """paho QoS 1 publisher with a bounded in-flight window (a semaphore released in on_publish)."""

    def __init__(self, host: str, port: int, *, window: int = 500, client_id: str = "") -> None:
        self.window = threading.BoundedSemaphore(window)
        self.acked = 0
        self.sent_at: dict[int, float] = {}
        self.client = mqtt.Client(
            callback_api_version=CallbackAPIVersion.VERSION2,
            client_id=client_id or f"sf-sim-{random.getrandbits(32):08x}",
            clean_session=True,
        )
        self.client.max_inflight_messages_set(window)
        self.client.on_socket_open = set_nodelay
        self.client.on_publish = self._on_publish
        self.client.connect(host, port)
        self.client.loop_start()

    def _on_publish(self, client, userdata, mid, reason_code, properties) -> None:
        self.acked += 1
        self.window.release()

    def publish(self, topic: str, payload: bytes | str, qos: int = 1) -> None:
        self.window.acquire()
        self.client.publish(topic, payload, qos=qos)

    def drain(self, timeout: float = 30) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.window._value == self.window._initial_value:  # type: ignore[attr-defined]
                return
            time.sleep(0.01)

    def close(self) -> None:
        self.drain()
        self.client.disconnect()
        self.client.loop_stop()


def encode(message: dict) -> bytes:
    return json.dumps(message, separators=(",", ":")).encode()
