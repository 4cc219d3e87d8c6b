"""The MQTT adapter: a listener that turns device messages into ``ingestion.ingest`` batches.

Topic per institution and device: ``<root>/<institution uuid>/<device id>/up``. The listener
subscribes with a shared subscription (``$share/<group>/<root>/+/+/up``) so several listeners split
the load, and acknowledges a QoS 1 message only after its batch is committed (``manual_ack``): a
database error, a reconnect or a broker restart makes the broker deliver it again, and duplicates are
stored once.

Sessions (see docs/operations.md, "MQTT listeners"): each process has its own client id by default
(``shuangfang-<host>-<pid>-<random>``), so listeners never take over each other's session, and a
short session (``MQTT_SESSION_EXPIRY``, 30 s): it bridges a reconnect blip or a broker restart,
and a dead listener's session, with the share of the group the broker keeps routing to it, ends
soon after. Mosquitto 2.0 does not hand a dead member's queued or unacknowledged messages to the
rest of the group: when the session expires they are discarded. A listener that stops (SIGTERM)
therefore leaves the group first: it unsubscribes, processes and acknowledges what it has in hand,
and disconnects with a session expiry of 0, so nothing is stranded or dropped. A fixed client id
(``MQTT_CLIENT_ID`` / ``--client-id``) instead resumes its session after a restart (within the
expiry, 3,600 s by default: a *listener slot*) and keeps it on stop; with the shipped broker
configuration (deploy/mosquitto/shuangfang.conf, 500,000 queued messages per session) a slot's
outage loses nothing. A connected listener writes a heartbeat (``ListenerBeat``, see
``watchdog``). ``MQTT_URL`` may carry a user and password, and ``mqtts://`` means TLS
(``BrokerConfig``).

paho's network thread only queues what is needed of each message (``Held``: id, QoS, topic,
payload; not paho's message object); the main thread decodes (``decode``), validates, ingests and
acknowledges. A batch is what is waiting, up to ``batch_size`` messages, collected for at most
``flush_ms`` milliseconds *while messages keep coming*: when the inbox is empty the batch goes at
once, so a reading that crosses a threshold is committed as an alarm a few milliseconds after it
arrived (under load, batches grow by themselves). Alarms are committed right after their batch's
readings, all of a batch's openings in one transaction; their follow-up (incident, hazard,
notifications) is written to the outbox in that transaction and done by the worker.

Mosquitto 2.0.11 (this machine) does not restore *shared* subscriptions from its persistence file:
after a broker restart, messages published before the listener has re-subscribed are dropped by the
broker for a shared group (messages already queued for the listener's session survive). A single
listener can run with ``shared=False`` (``--no-share``): a plain persistent subscription survives the
restart and loses nothing. See docs/monitoring.md.

Flow control (docs/monitoring.md, "Bursts"): the listener speaks MQTT 5 with a Receive Maximum of
``MQTT_RECEIVE_MAXIMUM`` (10,000 by default): the broker sends at most that many unacknowledged
messages, and a message is acknowledged only after its batch is committed, so the listener holds at
most that many messages in memory (≈ 1 KB each) and the rest of a burst waits in the broker's
queue (``max_queued_messages`` in deploy/mosquitto/shuangfang.conf, with persistence). With
MQTT 3.1.1 Mosquitto's ``max_inflight_messages`` plays that part.

The listener does not count on the broker for that bound: Mosquitto 2.0.11 (Debian 12's) sends a
whole window of queued messages for *each* acknowledgement instead of one (``test_bursts.py`` shows
it), so during a burst's drain it sent everything it had queued, the listener's memory grew to
391 MB and the broker fell so far behind that keepalive pings went unanswered. The inbox therefore
holds at most the Receive Maximum itself: when it is full, the network thread waits before reading
more, the broker's writes to the socket block and what it has not written stays in its own memory,
where it was queued anyway.

There is no acknowledge-on-receipt
mode: it lost messages (an acknowledged message in the listener's memory is lost by a crash or a
stop) and flow control is what makes the ack-after-commit path fast enough.

The broker's count of messages it dropped (``$SYS/broker/publish/messages/dropped``: a full queue;
Mosquitto's, subscribed with MQTT 5) is watched: when it rises, the listener logs an error and the
operators are told (``ops.broker_dropped``, at most once an hour).
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
import queue
import secrets
import socket
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, NamedTuple
from urllib.parse import unquote, urlparse

import paho.mqtt.client as mqtt
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import close_old_connections, connection
from django.utils import timezone
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from pydantic import ValidationError as PydanticError

from . import adapters
from .ingestion import MemoryLimiter, ingest, record_rejections
from .models import Device, ListenerBeat
from .schemas import MAX_MESSAGE_BYTES, Payload

log = logging.getLogger(__name__)
DEFAULT_ROOT = "sf"
DEFAULT_GROUP = "sf-ingest"
DEFAULT_SESSION_EXPIRY = 30  # seconds, a unique-id listener; settings.MQTT_SESSION_EXPIRY
SLOT_SESSION_EXPIRY = 3600  # seconds, a fixed-id listener (a slot that comes back after an outage)
BEAT_SECONDS = 15  # a connected listener writes its ListenerBeat this often (watchdog.py)
KEEPALIVE = 15  # seconds; the broker notices a silently dead listener after 1.5 times this
# MQTT 5 reason code of a DISCONNECT sent because another client connected with the same client id.
SESSION_TAKEN_OVER = 142
# The names MQTT_PROTOCOL / --protocol accept for MQTT 3.1.1 (anything else: MQTT 5).
V311 = {"3.1.1", "311", "3", "4"}
# Unacknowledged QoS 1 messages the broker may have in flight to a listener (MQTT 5 Receive
# Maximum; settings.MQTT_RECEIVE_MAXIMUM): the most messages a listener holds in memory. 20 batches
# of 500; beyond a few batches more brings no speed, only memory.
RECEIVE_MAXIMUM = 10_000
# The database connection is checked (Django's health check, CONN_MAX_AGE) at most this often.
DB_CHECK_SECONDS = 1.0
# A listener behind (a full batch waiting) takes batches this many times its batch size.
BACKLOG_BATCHES = 4
# The broker's count of the messages it dropped (a full queue), published every sys_interval.
SYS_DROPPED = "$SYS/broker/publish/messages/dropped"


class Held(NamedTuple):
    """What the listener keeps of a message until it is committed and acknowledged (paho's
    ``MQTTMessage`` with its properties and info objects cost ≈ 8 KB a held message)."""

    mid: int
    qos: int
    topic: str
    payload: bytes
    # The connection it came on (``Listener.connection_no``): a packet id means nothing on a later one.
    connection_no: int = 0


class PatientClient(mqtt.Client):
    """paho's client, counting any bytes from the broker as a sign of life while a ping is waiting.

    paho sends a PINGREQ every keepalive period even while messages flow (it only notes the time
    of what it sends on a partial write), and drops the connection when the PINGRESP is not back
    within the keepalive. The broker writes its PINGRESP after everything it has already queued
    for us, and Mosquitto 2.0.11 queues a burst's whole backlog (see the module's docstring): the
    answer came minutes late and the listener was disconnected twice in every burst's drain, each
    time to be sent hundreds of thousands of messages again. A connection the broker is still
    sending on is alive: the ping's clock starts again with every byte received, so the connection
    is dropped only when nothing at all came for a keepalive period after a ping, as before."""

    def loop_misc(self) -> mqtt.MQTTErrorCode:
        with self._msgtime_mutex:
            if self._ping_t and mqtt.time_func() - self._last_bytes_received < self._keepalive:
                self._ping_t = max(self._ping_t, self._last_bytes_received)
        return super().loop_misc()


def receive_maximum() -> int:
    return max(1, min(65_535, int(getattr(settings, "MQTT_RECEIVE_MAXIMUM", RECEIVE_MAXIMUM))))


# CONNACK reason codes that no retry will cure: log them as errors and retry slowly.
AUTH_REFUSED = {"Bad user name or password", "Not authorized", "Banned", "Bad authentication method"}


@dataclass(frozen=True)
class BrokerConfig:
    """Where and how to connect: ``mqtt://[user[:password]@]host[:port]`` or ``mqtts://…`` (TLS,
    8883 by default) from ``MQTT_URL``; ``MQTT_PASSWORD`` replaces the URL's password; TLS files from
    ``MQTT_CA_FILE`` (empty: the system's CAs), ``MQTT_CERT_FILE`` and ``MQTT_KEY_FILE``."""

    host: str = "127.0.0.1"
    port: int = 1883
    username: str | None = None
    password: str | None = None
    tls: bool = False
    ca_file: str = ""
    cert_file: str = ""
    key_file: str = ""

    @property
    def url(self) -> str:
        """The URL without its password, for logs."""
        user = f"{self.username}@" if self.username else ""
        return f"{'mqtts' if self.tls else 'mqtt'}://{user}{self.host}:{self.port}"


def broker_config(url: str | None = None) -> BrokerConfig:
    raw = url if url is not None else (getattr(settings, "MQTT_URL", "") or "mqtt://127.0.0.1:1883")
    parsed = urlparse(raw)
    if parsed.scheme not in ("mqtt", "mqtts", "tcp", "ssl"):
        raise ImproperlyConfigured(f"MQTT_URL must start with mqtt:// or mqtts://, got {parsed.scheme!r}")
    try:
        port = parsed.port
    except ValueError as exc:
        raise ImproperlyConfigured(f"MQTT_URL has a bad port: {exc}") from exc
    tls = parsed.scheme in ("mqtts", "ssl")
    password = unquote(parsed.password) if parsed.password is not None else None
    if getattr(settings, "MQTT_PASSWORD", ""):
        password = settings.MQTT_PASSWORD
    cert, key = getattr(settings, "MQTT_CERT_FILE", ""), getattr(settings, "MQTT_KEY_FILE", "")
    for name, path in (("MQTT_CA_FILE", getattr(settings, "MQTT_CA_FILE", "")), ("MQTT_CERT_FILE", cert)):
        if path and not os.path.isfile(path):
            raise ImproperlyConfigured(f"{name} points at {path!r}, which is not a file")
    if key and not cert:
        raise ImproperlyConfigured("MQTT_KEY_FILE needs MQTT_CERT_FILE")
    return BrokerConfig(
        host=parsed.hostname or "127.0.0.1",
        port=port or (8883 if tls else 1883),
        username=unquote(parsed.username) if parsed.username else None,
        password=password,
        tls=tls,
        ca_file=getattr(settings, "MQTT_CA_FILE", ""),
        cert_file=cert,
        key_file=key,
    )


def broker() -> tuple[str, int]:
    config = broker_config()
    return config.host, config.port


def unique_client_id() -> str:
    """``shuangfang-<host>-<pid>-<random>``: two listeners, on one host or across restarts, never
    share a session (at most 23 characters are guaranteed by MQTT; Mosquitto accepts 65,535)."""
    host = socket.gethostname().split(".")[0][:32] or "host"
    return f"shuangfang-{host}-{os.getpid()}-{secrets.token_hex(3)}"


def topic_for(device: Device, root: str = DEFAULT_ROOT) -> str:
    return f"{root}/{device.organization.uuid}/{device.code}/up"


def set_nodelay(client, userdata, sock) -> None:
    with contextlib.suppress(OSError):  # not a TCP socket
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


@dataclass
class Stats:
    received: int = 0
    accepted: int = 0
    rejected: int = 0
    duplicates: int = 0
    alarms: int = 0
    batches: int = 0
    errors: int = 0
    connects: int = 0
    disconnects: int = 0
    refused: int = 0  # connections the broker refused (bad credentials, not authorised)
    broker_dropped: int = 0  # messages the broker said it dropped while we ran ($SYS)
    inbox_waits: int = 0  # messages the network thread held back because the inbox was full
    started: float = field(default_factory=time.monotonic)
    first_rx: float = 0.0  # monotonic time of the first message, and of the last batch done
    last_done: float = 0.0


class DeviceCache:
    """(institution uuid, device id) → Device, loaded in one query per batch for the ids not yet
    known, and forgotten every ``ttl`` seconds (new devices, deactivations, moved devices)."""

    def __init__(self, ttl: float = 60.0) -> None:
        self.ttl = ttl
        self.by_code: dict[str, Device | None] = {}
        self.org_of: dict[str, str] = {}  # code → the device's institution uuid, as in topics
        self.loaded = time.monotonic()

    def prefetch(self, codes: set[str]) -> None:
        if time.monotonic() - self.loaded > self.ttl:
            self.by_code.clear()
            self.org_of.clear()
            self.loaded = time.monotonic()
        missing = {c for c in codes if c not in self.by_code}
        if not missing:
            return
        found = {d.code: d for d in Device.objects.select_related("organization").filter(code__in=missing)}
        for code in missing:
            device = self.by_code[code] = found.get(code)
            if device is not None:
                self.org_of[code] = str(device.organization.uuid)

    def get(self, org_uuid: str, code: str) -> Device | None:
        if code not in self.by_code:
            self.prefetch({code})
        device = self.by_code[code]
        if device is None or self.org_of[code] != org_uuid:
            return None
        return device


class Listener:
    def __init__(
        self,
        *,
        root: str = DEFAULT_ROOT,
        group: str | None = None,
        client_id: str | None = None,
        session_expiry: int | None = None,
        batch_size: int = 500,
        flush_ms: int = 50,
        host: str | None = None,
        port: int | None = None,
        url: str | None = None,
        on_batch=None,
        shared: bool = True,
        protocol: str | None = None,
    ) -> None:
        self.root = root
        # MQTT 5 by default; "3.1.1" for brokers without MQTT 5 (RabbitMQ's MQTT plugin before 3.13,
        # older EMQX/VerneMQ setups): no session expiry (a fixed id keeps a persistent session, a
        # unique id a clean one), no Receive Maximum, no reason codes on DISCONNECT.
        self.v5 = (protocol or getattr(settings, "MQTT_PROTOCOL", "5")) not in V311
        self.shared = shared
        self.group = group or getattr(settings, "MQTT_GROUP", "") or DEFAULT_GROUP
        # A fixed id (argument or MQTT_CLIENT_ID) means "resume my session after a restart"; the
        # default, unique per process, means a new session each start and leaving the group on stop.
        fixed = client_id or getattr(settings, "MQTT_CLIENT_ID", "")
        self.fixed_id = bool(fixed)
        self.client_id = fixed or unique_client_id()
        if session_expiry is None:
            session_expiry = getattr(settings, "MQTT_SESSION_EXPIRY", None)
        if session_expiry is None:  # a slot outlives an outage; a unique id only a reconnect
            session_expiry = SLOT_SESSION_EXPIRY if self.fixed_id else DEFAULT_SESSION_EXPIRY
        self.session_expiry = session_expiry
        self.batch_size = batch_size
        self.flush_s = flush_ms / 1000
        self.broker = broker_config(url)
        if host:
            self.broker = dataclasses.replace(self.broker, host=host, port=port or self.broker.port)
        self.host, self.port = self.broker.host, self.broker.port
        self.auth_error = ""  # why the broker refused us, until it accepts us again
        self.beaten = 0.0  # monotonic time of the last ListenerBeat written
        self.receive_maximum = receive_maximum()
        # Never fuller than the Receive Maximum: the broker should send no more unacknowledged
        # messages (an MQTT 3.1.1 broker's max_inflight_messages likewise), and when it does
        # (Mosquitto 2.0.11 after acknowledgements), the network thread waits (``_on_message``).
        self.inbox: queue.Queue[Held] = queue.Queue(maxsize=self.receive_maximum)
        self.broker_dropped: int | None = None  # the broker's dropped count when we first saw it
        self.broker_dropped_now: int | None = None
        self.dropped_told = ""  # the hour the operators were last told of drops
        self.stats = Stats()
        self.devices = DeviceCache()
        self.limiter = MemoryLimiter()
        self.connection_no = 0  # counts the connections; the messages held carry theirs
        self.db_checked = 0.0  # monotonic time of the last connection check (close_old_connections)
        self.stopping = threading.Event()
        self.started = False
        self.connected = threading.Event()
        self.on_batch = on_batch
        self.client = self._client()
        self.left = threading.Event()
        self.drops: list[float] = []  # monotonic times of recent unexpected disconnects

    def _client(self) -> mqtt.Client:
        # MQTT 5: a session that outlives the connection by session_expiry seconds (a reconnect
        # resumes it) and a large Receive Maximum, so the broker keeps that many unacknowledged
        # messages in flight to us instead of queueing (and, past max_queued_messages, dropping) them.
        client = PatientClient(
            callback_api_version=CallbackAPIVersion.VERSION2,
            client_id=self.client_id,
            protocol=mqtt.MQTTv5 if self.v5 else mqtt.MQTTv311,
            manual_ack=True,
            clean_session=None if self.v5 else not self.fixed_id,
        )
        self.connect_properties = Properties(PacketTypes.CONNECT)
        self.connect_properties.SessionExpiryInterval = self.session_expiry
        self.connect_properties.ReceiveMaximum = self.receive_maximum
        client.max_inflight_messages_set(1000)
        client.max_queued_messages_set(0)
        client.reconnect_delay_set(min_delay=1, max_delay=5)
        if self.broker.username:
            client.username_pw_set(self.broker.username, self.broker.password)
        if self.broker.tls:
            client.tls_set(
                ca_certs=self.broker.ca_file or None,
                certfile=self.broker.cert_file or None,
                keyfile=self.broker.key_file or None,
            )
        client.on_socket_open = set_nodelay
        client.on_connect = self._on_connect
        client.on_connect_fail = self._on_connect_fail
        client.on_disconnect = self._on_disconnect
        client.on_message = self._on_message
        client.on_unsubscribe = self._on_unsubscribe
        return client

    @property
    def subscription(self) -> str:
        plain = f"{self.root}/+/+/up"
        return f"$share/{self.group}/{plain}" if self.shared else plain

    # paho's thread: connect, subscribe, queue.
    def _on_connect(self, client, userdata, flags, reason_code, properties) -> None:
        if reason_code.is_failure:
            self.stats.refused += 1
            if str(reason_code) in AUTH_REFUSED:
                # No retry cures wrong credentials: say so plainly, and knock only once a minute.
                if self.auth_error != str(reason_code):
                    log.error(
                        "mqtt broker %s refused the listener: %s (check the user and password in "
                        "MQTT_URL / MQTT_PASSWORD and the broker's password file); retrying every 60 s",
                        self.broker.url,
                        reason_code,
                    )
                self.auth_error = str(reason_code)
                client.reconnect_delay_set(min_delay=60, max_delay=60)
            else:
                log.warning("mqtt connect refused by %s: %s", self.broker.url, reason_code)
            return
        if self.auth_error:
            log.info("mqtt broker %s accepts the listener again", self.broker.url)
            self.auth_error = ""
            client.reconnect_delay_set(min_delay=1, max_delay=5)
        self.stats.connects += 1
        self.connection_no += 1
        client.subscribe(self.subscription, qos=1)
        if self.v5:  # Mosquitto's counter (a broker without it, or an ACL refusing it: no harm)
            client.subscribe(SYS_DROPPED, qos=0)
        self.connected.set()
        log.info("mqtt connected as %s (session present: %s)", self.client_id, flags.session_present)

    def _on_disconnect(self, client, userdata, flags, reason_code, properties) -> None:
        self.connected.clear()
        self.stats.disconnects += 1
        if reason_code == SESSION_TAKEN_OVER:
            # Another process connected with our client id; reconnecting would kick it off in turn,
            # and the two would take the session from each other for ever.
            log.error(
                "mqtt client id %s is in use by another listener; stopping (give each listener its own "
                "MQTT_CLIENT_ID, or leave it empty for a unique one)",
                self.client_id,
            )
            self.stopping.set()
            client.disconnect()
        elif not self.stopping.is_set():
            log.warning("mqtt disconnected (%s); reconnecting", reason_code)
            now = time.monotonic()
            self.drops = [t for t in self.drops if now - t < 30] + [now]
            if self.fixed_id and len(self.drops) >= 3:
                # Mosquitto 2.0 closes a taken-over connection without saying why (no reason 142).
                log.error(
                    "mqtt connection lost %s times in 30 s: is client id %s also used by another listener?",
                    len(self.drops),
                    self.client_id,
                )

    def _on_connect_fail(self, client, userdata) -> None:
        # The TCP or TLS connection failed (broker away, certificate refused); paho retries.
        log.warning("mqtt connection to %s failed; retrying", self.broker.url)

    def _on_unsubscribe(self, client, userdata, mid, reason_codes, properties) -> None:
        self.left.set()

    def _on_message(self, client, userdata, message: mqtt.MQTTMessage) -> None:
        topic = message.topic
        if topic == SYS_DROPPED:
            with contextlib.suppress(ValueError):
                self.broker_dropped_now = int(message.payload)
                if self.broker_dropped is None:
                    self.broker_dropped = self.broker_dropped_now
            return
        held = Held(message.mid, message.qos, topic, bytes(message.payload), self.connection_no)
        # A full inbox makes the network thread wait: it reads nothing more from the socket, so the
        # broker keeps the rest (see the module's docstring). Stopping, the message is left
        # unacknowledged: the broker sends it again.
        try:
            self.inbox.put_nowait(held)
            return
        except queue.Full:
            self.stats.inbox_waits += 1
        while not self.stopping.is_set():
            with contextlib.suppress(queue.Full):
                self.inbox.put(held, timeout=0.5)
                return

    # Main thread.
    def start(self) -> None:
        if self.started:
            return
        self.started = True
        # A fixed id resumes the session it left (clean_start False); a unique id starts clean and
        # resumes only its own session on reconnects (paho's MQTT_CLEAN_START_FIRST_ONLY).
        if self.v5:
            self.client.connect_async(
                self.host,
                self.port or 1883,
                keepalive=KEEPALIVE,
                clean_start=False if self.fixed_id else mqtt.MQTT_CLEAN_START_FIRST_ONLY,
                properties=self.connect_properties,
            )
        else:
            self.client.connect_async(self.host, self.port or 1883, keepalive=KEEPALIVE)
        self.client.loop_start()

    def leave(self, timeout: float = 30.0) -> int:
        """Leave the shared group without stranding anything: unsubscribe (the broker routes new
        messages to the other members from the UNSUBACK on), then process and acknowledge what was
        already sent to us until nothing more comes (or ``timeout``). Returns the messages drained."""
        if not self.connected.is_set():
            return 0
        self.left.clear()
        self.client.unsubscribe(self.subscription)
        end = time.monotonic() + timeout
        self.left.wait(min(5.0, timeout))
        drained = 0
        while time.monotonic() < end:
            n = self.step(wait=0.3)
            drained += n
            if n == 0 and self.inbox.empty():
                break
        return drained

    def stop(self) -> None:
        """Disconnect. A unique-id listener in a shared group leaves it first and ends its session
        (session expiry 0 on DISCONNECT); a fixed-id or ``--no-share`` listener keeps its session
        ``session_expiry`` seconds, so a restart resumes it."""
        self.stopping.set()
        properties = None
        if self.shared and not self.fixed_id and self.connected.is_set():
            with contextlib.suppress(Exception):  # never let a failed drain block the disconnect
                self.leave()
            if self.v5:
                properties = Properties(PacketTypes.DISCONNECT)
                properties.SessionExpiryInterval = 0
        self.client.disconnect(properties=properties)
        self.client.loop_stop()

    def run(
        self,
        *,
        duration: float | None = None,
        max_messages: int | None = None,
        idle_exit: float | None = None,
    ) -> Stats:
        """Process until stopped, ``duration`` passed, ``max_messages`` received, or (``idle_exit``)
        nothing came for so many seconds after the first message."""
        self.start()
        deadline = time.monotonic() + duration if duration else None
        try:
            while not self.stopping.is_set():
                if deadline and time.monotonic() > deadline:
                    break
                if max_messages is not None and self.stats.received >= max_messages:
                    break
                if idle_exit and self.stats.last_done and time.monotonic() - self.stats.last_done > idle_exit:
                    break
                self.step()
                self.beat()
                self.watch_drops()
        finally:
            self.step(wait=0.0)
            self.stop()
        return self.stats

    def beat(self, *, force: bool = False) -> None:
        """Tell the watchdog we are alive (only while connected to the broker: a listener the
        broker refuses is as good as down). Never raises: the database may be away."""
        if not self.connected.is_set() or (not force and time.monotonic() - self.beaten < BEAT_SECONDS):
            return
        self.beaten = time.monotonic()
        try:
            now = timezone.now()
            updated = ListenerBeat.objects.filter(client_id=self.client_id).update(
                last_beat_at=now, received=self.stats.received
            )
            if not updated:
                ListenerBeat.objects.update_or_create(
                    client_id=self.client_id,
                    defaults={
                        "host": socket.gethostname()[:100],
                        "started_at": now,
                        "last_beat_at": now,
                        "received": self.stats.received,
                    },
                )
        except Exception:
            log.exception("could not record the listener's heartbeat")
            connection.close()

    def watch_drops(self) -> None:
        """The broker dropped messages (its queue for some client was full): log it and tell the
        operators (at most once an hour; ``watchdog.tell_broker_dropped``). Never raises."""
        seen, base = self.broker_dropped_now, self.broker_dropped
        if seen is None or base is None or seen == base:
            return
        if seen < base:  # the broker restarted: its count starts again
            self.broker_dropped = seen
            return
        hour = timezone.now().strftime("%Y-%m-%dT%H")
        if hour == self.dropped_told:
            return
        lost = seen - base
        self.stats.broker_dropped += lost
        log.error(
            "mqtt broker %s dropped %s messages (its queue was full): raise max_queued_messages or add "
            "listeners (docs/monitoring.md, Bursts)",
            self.broker.url,
            lost,
        )
        try:
            from .watchdog import tell_broker_dropped

            tell_broker_dropped(lost, since=hour)
        except Exception:
            log.exception("could not tell the operators that the broker dropped messages")
            connection.close()
            return
        self.dropped_told = hour
        self.broker_dropped = seen

    def step(self, wait: float | None = None) -> int:
        """Wait for a message (up to ``wait``), collect what is waiting behind it (up to
        ``batch_size``, for at most the flush interval) and process it. Nothing is waited for once
        the inbox is empty: a lone alarm reading is committed at once. With a backlog (a full
        batch waiting behind the first message) a batch takes up to ``BACKLOG_BATCHES`` times
        ``batch_size``: the per-batch cost (round trips, the commit) is paid less often while
        the listener catches up."""
        batch: list[Held] = []
        try:
            batch.append(self.inbox.get(timeout=0.2 if wait is None else max(wait, 0.001)))
        except queue.Empty:
            return 0
        end = time.monotonic() + self.flush_s
        get = self.inbox.get_nowait
        size = self.batch_size * (BACKLOG_BATCHES if self.inbox.qsize() >= self.batch_size else 1)
        while len(batch) < size:
            try:
                batch.append(get())
            except queue.Empty:
                break
            if not len(batch) % 64 and time.monotonic() > end:
                break
        self.process(batch)
        return len(batch)

    def process(self, batch: list[Held]) -> None:
        if not self.stats.first_rx:
            self.stats.first_rx = time.monotonic()
        self.stats.received += len(batch)
        items: list[tuple[Device, Payload]] = []
        refused: list[tuple[Device | None, int | None, str, str, str]] = []
        codes = set()
        for message in batch:
            parts = message.topic.rsplit("/", 2)
            if len(parts) == 3:
                codes.add(parts[1])
        try:
            self.devices.prefetch(codes)
        except Exception:  # the database is away: parse() retries per message, ingest retries below
            log.exception("device lookup failed")
            connection.close()
        for message in batch:
            device, payload, problem = self.parse(message)
            if problem is not None:
                refused.append((device, None, "mqtt", problem[0], problem[1]))
            elif device is not None and payload is not None:
                items.append((device, payload))
        for attempt in range(5):
            try:
                # Django's connection health check is a round trip (SELECT 1): at most once a second,
                # and before each retry (a failed attempt also closes the connection).
                if attempt or time.monotonic() - self.db_checked >= DB_CHECK_SECONDS:
                    close_old_connections()
                    self.db_checked = time.monotonic()
                outcome = ingest(items, transport="mqtt", limiter=self.limiter) if items else None
                record_rejections(refused)
                break
            except Exception:  # a database hiccup: retry, never crash, never ack what is not stored
                self.stats.errors += 1
                log.exception("monitoring ingest failed (attempt %s)", attempt + 1)
                connection.close()
                time.sleep(min(2**attempt * 0.2, 3))
        else:
            log.error("giving up on a batch of %s; reconnecting so the broker delivers it again", len(batch))
            self.client.reconnect()
            return
        if outcome is not None:
            self.stats.accepted += outcome.accepted
            self.stats.duplicates += outcome.duplicates
            self.stats.alarms += len(outcome.opened)
            self.stats.rejected += len(outcome.rejected)
        self.stats.rejected += len(refused)
        self.stats.batches += 1
        for message in batch:
            # A message from an earlier connection is stored but not acknowledged: the broker sends
            # it again on the resumed session (stored once), and its packet id may by now name
            # another message, which an acknowledgement would release before it is stored (and the
            # broker would send more than the Receive Maximum: the inbox grew to 300 MB in a burst).
            if message.qos > 0 and message.connection_no == self.connection_no:
                self.client.ack(message.mid, message.qos)
        self.stats.last_done = time.monotonic()
        if self.on_batch is not None:
            self.on_batch(batch, outcome)

    def parse(self, message: Held) -> tuple[Device | None, Payload | None, tuple[str, str] | None]:
        rest = message.topic[len(self.root) + 1 :] if message.topic.startswith(self.root + "/") else ""
        parts = rest.split("/")
        if len(parts) != 3 or parts[2] != "up":
            return None, None, ("bad_topic", message.topic[:200])
        org_uuid, code, _up = parts
        device = self.devices.get(org_uuid, code)
        if device is None:  # (a topic naming a device's institution holds a well-formed uuid)
            try:
                uuid.UUID(org_uuid)
            except ValueError:
                return None, None, ("bad_topic", message.topic[:200])
            return None, None, ("unknown_device", message.topic[:200])
        if len(message.payload) > MAX_MESSAGE_BYTES:
            return device, None, ("oversized", f"{len(message.payload)} bytes")
        context = storable(message.payload)
        if context is not None and adapters.is_canonical(device):
            # Nearly every message: pydantic reads the JSON itself (json.loads and then
            # model_validate cost 25 % more). Whatever it refuses is read again below, so a bad
            # message gets the same reason and detail as ever.
            try:
                return device, Payload.model_validate_json(message.payload, context=context), None
            except PydanticError:
                pass
        try:
            data = decode(device, message.payload)
        except (ValueError, UnicodeDecodeError) as exc:
            return device, None, ("malformed", str(exc)[:200])
        try:
            return device, Payload.model_validate(data, context=context), None
        except PydanticError as exc:
            detail = "; ".join(
                f"{'.'.join(str(x) for x in e.get('loc', ()))}: {e.get('msg', '')}" for e in exc.errors()[:5]
            )
            return device, None, ("invalid", detail[:300])


def decode(device: Device, raw: bytes) -> Any:
    """A message's body as the platform's JSON document (validated next as ``schemas.Payload``):
    the one place where the MQTT path turns bytes into data (vendor formats too, through the device's
    adapter). Raises ``ValueError`` when it cannot."""
    return adapters.for_mqtt(device, raw)


# JSON without a NUL byte, without any ``\u`` escape and without a 0xED byte (json.loads lets a
# UTF-8-encoded surrogate through: it decodes with "surrogatepass") cannot hold a NUL or a lone
# surrogate once decoded: the payload's walk for them (``schemas.Payload._storable``) is skipped for
# such messages (nearly all; 7 % of the ingest thread under load).
STORABLE = {"storable": True}


def storable(raw: bytes) -> dict[str, bool] | None:
    return STORABLE if b"\\u" not in raw and b"\x00" not in raw and b"\xed" not in raw else None
