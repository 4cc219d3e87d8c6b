"""Devices, their channels and readings, alarm rules (seeded data with provenance) and alarms.

Readings are not tenant models of their own: they belong to a device, and every query for them
starts from a device fetched with ``for_user``. Alarms are tenant models; the database keeps at most
one active (open or acknowledged) alarm per device and alarm type.
"""

from __future__ import annotations

import math

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shuangfang.core.tenancy import TenantModel, TenantQuerySet
from shuangfang.core.vocabulary import Severity

from .choices import (
    ACTIVE_STATUSES,
    Adapter,
    AlarmStatus,
    Category,
    ClearReason,
    Confidence,
    DeviceKind,
    DeviceStatus,
    Op,
    Source,
)


class DeviceQuerySet(TenantQuerySet["Device"]):
    pass


class Device(TenantModel):
    """One sensor or gateway, bound to a place in an institution. ``code`` is the id the device puts
    in its payloads (``device_id``) and in its MQTT topic; ``token_hash`` is its HTTP/MQTT secret."""

    kind = models.CharField(_("device type"), max_length=20, choices=DeviceKind.choices)
    code = models.CharField(_("device id"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=100)
    department = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("department"),
    )
    building = models.CharField(_("building"), max_length=60, blank=True)
    floor = models.CharField(_("floor"), max_length=20, blank=True)
    location = models.CharField(_("location"), max_length=120, blank=True)
    risk_point = models.ForeignKey(
        "risks.RiskPoint",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="devices",
        verbose_name=_("risk point"),
    )
    gateway = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("gateway"),
    )
    vendor = models.CharField(_("vendor format"), max_length=30, default="canonical")
    heartbeat_seconds = models.PositiveIntegerField(_("heartbeat interval (seconds)"), default=300)
    adapter = models.CharField(
        _("payload format"), max_length=20, choices=Adapter.choices, default=Adapter.CANONICAL
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    token_prefix = models.CharField(max_length=12, editable=False, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField(_("last seen"), null=True, blank=True)
    online = models.BooleanField(_("online"), default=False)
    offline_since = models.DateTimeField(null=True, blank=True)
    last_values = models.JSONField(default=dict, blank=True)
    rejected_count = models.PositiveIntegerField(_("rejected messages"), default=0)
    last_rejection = models.CharField(max_length=200, blank=True)

    objects = DeviceQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        ordering = ["building", "floor", "name"]
        verbose_name = _("device")
        verbose_name_plural = _("devices")
        indexes = [models.Index(fields=["organization", "building", "floor"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def place(self) -> str:
        return " ".join(p for p in (self.building, self.floor, self.location) if p)

    def status(self, alarming: bool = False) -> str:
        if self.last_seen_at is None:
            return DeviceStatus.NEW
        if not self.online:
            return DeviceStatus.OFFLINE
        return DeviceStatus.ALARMING if alarming else DeviceStatus.ONLINE


class Channel(models.Model):
    """A measured quantity of a device, e.g. ``temp_c.L1`` (key = payload path)."""

    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="channels")
    key = models.CharField(_("channel"), max_length=40)
    label = models.CharField(_("label"), max_length=60, blank=True)
    unit = models.CharField(_("unit"), max_length=12, blank=True)

    class Meta:
        ordering = ["key"]
        constraints = [models.UniqueConstraint(fields=["device", "key"], name="monitoring_channel_unique")]

    def __str__(self) -> str:
        return self.key


class Reading(models.Model):
    """One value at full resolution. (device, channel, ts) is unique: a message delivered twice is
    stored once, and late readings take their place in time order."""

    id = models.BigAutoField(primary_key=True)
    # No foreign key in the database (``db_constraint=False``): PostgreSQL checked it for every
    # reading at the batch's commit, 18 ms of a 5,320-reading batch against 1 ms without it (a third
    # of the listener's database time; docs/performance.md). Readings are written only by
    # monitoring.ingestion for devices it has just read, and deleting a device still deletes its
    # readings (Django's on_delete, a test).
    device = models.ForeignKey(
        Device, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    channel = models.CharField(max_length=40)
    ts = models.DateTimeField()
    value = models.FloatField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["device", "channel", "ts"], name="monitoring_reading_unique")
        ]
        indexes = [models.Index(fields=["ts"], name="monitoring_reading_ts")]

    def __str__(self) -> str:
        return f"{self.channel}@{self.ts:%Y-%m-%d %H:%M:%S}={self.value:g}"


class Rollup(models.Model):
    """Aggregates of readings per minute (``60``) or hour (``3600``)."""

    id = models.BigAutoField(primary_key=True)
    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="+", db_index=False)
    channel = models.CharField(max_length=40)
    seconds = models.PositiveIntegerField()
    ts = models.DateTimeField()
    n = models.PositiveIntegerField()
    vmin = models.FloatField()
    vmax = models.FloatField()
    vsum = models.FloatField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["device", "channel", "seconds", "ts"], name="monitoring_rollup_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.channel}/{self.seconds}s@{self.ts:%Y-%m-%d %H:%M}"

    @property
    def avg(self) -> float:
        return self.vsum / self.n if self.n else 0.0


class AlarmRuleQuerySet(models.QuerySet["AlarmRule"]):
    def defaults(self):
        return self.filter(organization__isnull=True)


class AlarmRule(models.Model):
    """A threshold or device-event rule, as data. ``organization`` empty = the default for everyone
    (standard or vendor practice); an institution's own row (``site_setting``) replaces the default
    with the same device kind, channel and alarm type, and may only be stricter."""

    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    device_kind = models.CharField(_("device type"), max_length=20, choices=DeviceKind.choices)
    channel = models.CharField(_("channel"), max_length=40, help_text=_("payload path; * matches any phase"))
    alarm_type = models.CharField(_("alarm type"), max_length=40)
    category = models.CharField(
        _("category"), max_length=10, choices=Category.choices, default=Category.ALARM
    )
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    op = models.CharField(_("condition"), max_length=10, choices=Op.choices)
    threshold = models.FloatField(_("threshold"), null=True, blank=True)
    recovery_threshold = models.FloatField(
        _("recovery threshold"),
        null=True,
        blank=True,
        help_text=_("hysteresis: back to normal only beyond this"),
    )
    samples = models.PositiveSmallIntegerField(_("consecutive samples"), default=1)
    for_seconds = models.PositiveIntegerField(_("for at least (seconds)"), default=0)
    recovery_samples = models.PositiveSmallIntegerField(_("normal samples to recover"), default=1)
    open_hazard = models.BooleanField(_("opens a hazard"), default=False)
    # A major-hazard criterion (criteria library code) the condition meets at this institution: the
    # hazard the alarm opens cites it (major, the bureau told). Site rules only: criteria differ by
    # institution type, the defaults serve every type.
    criterion_code = models.CharField(_("major-hazard criterion code"), max_length=60, blank=True)
    threshold_breaches = models.BooleanField(
        _("the threshold itself breaches"),
        default=True,
        help_text=_("Off for the edge of a permitted band (198 V and 235 V are still allowed)."),
    )
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    reference = models.CharField(_("reference"), max_length=200, blank=True)
    confidence = models.CharField(_("confidence"), max_length=10, choices=Confidence.choices)
    is_active = models.BooleanField(_("active"), default=True)

    objects = AlarmRuleQuerySet.as_manager()

    class Meta:
        ordering = ["device_kind", "channel", "alarm_type"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "device_kind", "channel", "alarm_type"],
                condition=Q(organization__isnull=False),
                name="monitoring_site_rule_unique",
            ),
            models.UniqueConstraint(
                fields=["device_kind", "channel", "alarm_type"],
                condition=Q(organization__isnull=True),
                name="monitoring_default_rule_unique",
            ),
        ]

    def __str__(self) -> str:
        from .alarms import alarm_label

        return f"{self.get_device_kind_display()} · {alarm_label(self.alarm_type)}"

    def breached(self, value: float) -> bool:
        if self.threshold is None:
            return False
        if self.op == Op.ABOVE:
            return value >= self.threshold if self.threshold_breaches else value > self.threshold
        if self.op == Op.BELOW:
            return value <= self.threshold if self.threshold_breaches else value < self.threshold
        return False

    @property
    def condition_sign(self) -> str:
        """≥ / > / ≤ / <: how the threshold is compared (shown beside it)."""
        if self.op == Op.ABOVE:
            return "≥" if self.threshold_breaches else ">"
        if self.op == Op.BELOW:
            return "≤" if self.threshold_breaches else "<"
        return ""

    def quiet(self) -> tuple[float, float]:
        """The open interval of values that neither breach this rule nor keep it from recovering
        (``breached`` is False and ``recovered`` True strictly inside it)."""
        limits = [x for x in (self.threshold, self.recovery_threshold) if x is not None]
        if limits and self.op == Op.ABOVE:
            return -math.inf, min(limits)
        if limits and self.op == Op.BELOW:
            return max(limits), math.inf
        return -math.inf, math.inf

    def recovered(self, value: float) -> bool:
        limit = self.recovery_threshold if self.recovery_threshold is not None else self.threshold
        if limit is None:
            return True
        if self.op == Op.ABOVE:
            return value < limit
        if self.op == Op.BELOW:
            return value > limit
        return True


class RuleState(models.Model):
    """Debounce state of one rule on one channel of one device (only kept while non-zero)."""

    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="+")
    rule = models.ForeignKey(AlarmRule, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=40)
    breaches = models.PositiveIntegerField(default=0)
    normals = models.PositiveIntegerField(default=0)
    since = models.DateTimeField(null=True)
    last_ts = models.DateTimeField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["device", "rule", "channel"], name="monitoring_rulestate_unique")
        ]

    def __str__(self) -> str:
        return f"{self.channel}: {self.breaches}/{self.normals}"


class AlarmQuerySet(TenantQuerySet["Alarm"]):
    def active(self):
        return self.filter(status__in=ACTIVE_STATUSES)


class Alarm(TenantModel):
    device = models.ForeignKey(
        Device, on_delete=models.PROTECT, related_name="alarms", verbose_name=_("device")
    )
    rule = models.ForeignKey(AlarmRule, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    alarm_type = models.CharField(_("alarm type"), max_length=40)
    category = models.CharField(_("category"), max_length=10, choices=Category.choices)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    status = models.CharField(
        _("status"), max_length=15, choices=AlarmStatus.choices, default=AlarmStatus.OPEN
    )
    channel = models.CharField(_("channel"), max_length=40, blank=True)
    first_value = models.FloatField(null=True, blank=True)
    last_value = models.FloatField(_("last value"), null=True, blank=True)
    threshold = models.FloatField(_("threshold"), null=True, blank=True)
    count = models.PositiveIntegerField(_("count"), default=1)
    opened_at = models.DateTimeField(_("opened"))
    last_seen_at = models.DateTimeField(_("last seen"))
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    cleared_at = models.DateTimeField(null=True, blank=True)
    cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    clear_reason = models.CharField(_("reason"), max_length=20, choices=ClearReason.choices, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    flapping = models.BooleanField(_("flapping"), default=False)
    recoveries = models.PositiveIntegerField(default=0)

    objects = AlarmQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        ordering = ["-opened_at"]
        verbose_name = _("alarm")
        verbose_name_plural = _("alarms")
        constraints = [
            models.UniqueConstraint(
                fields=["device", "alarm_type"],
                condition=Q(status__in=["open", "acknowledged"]),
                name="monitoring_one_active_alarm",
            )
        ]
        indexes = [models.Index(fields=["organization", "status", "-opened_at"])]

    def __str__(self) -> str:
        from .alarms import alarm_label

        return f"{self.device.code} {alarm_label(self.alarm_type)}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES


class DeviceEvent(models.Model):
    """Device-reported messages other than telemetry (alarm, fault, recovery), kept for history and
    deduplicated on the message id."""

    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="events")
    msg_id = models.CharField(max_length=64, blank=True)
    ts = models.DateTimeField()
    type = models.CharField(max_length=12)
    code = models.CharField(max_length=40, blank=True)
    channel = models.CharField(max_length=40, blank=True)
    value = models.FloatField(null=True, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-ts"]
        constraints = [
            models.UniqueConstraint(
                fields=["device", "msg_id"], condition=~Q(msg_id=""), name="monitoring_event_msg_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.code}"


class Rejection(models.Model):
    """A message refused at ingestion, with the reason (counted per device when the device is known)."""

    device = models.ForeignKey(Device, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    transport = models.CharField(max_length=8)
    reason = models.CharField(max_length=30)
    detail = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"{self.transport} {self.reason}"


class ListenerBeat(models.Model):
    """An MQTT listener's sign of life, written every ``mqtt.BEAT_SECONDS`` while it is connected
    (``watchdog``: no beat for ``MQTT_LISTENER_SILENCE`` seconds = the listeners are down)."""

    client_id = models.CharField(max_length=200, unique=True)
    host = models.CharField(max_length=100, blank=True)
    started_at = models.DateTimeField()
    last_beat_at = models.DateTimeField(db_index=True)
    received = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return self.client_id


class SeqBlock(models.Model):
    """Counters of a device's sequence numbers (``seq``) in one block of ``sequences.BLOCK``
    numbers of one run (``boot``): lowest, highest, how many distinct messages arrived, when the last
    one did. Order-free (listeners add to them in any order); judged and deleted by
    ``sequences.check_sequences``."""

    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="+")
    boot = models.CharField(max_length=64, blank=True)
    block = models.BigIntegerField()
    low = models.BigIntegerField()
    high = models.BigIntegerField()
    received = models.BigIntegerField()
    last_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["device", "boot", "block"], name="monitoring_seq_block")
        ]

    def __str__(self) -> str:
        return f"{self.device_id}:{self.boot}:{self.block}"


class SeqCursor(models.Model):
    """How far a device's run (``boot``) has been judged: ``next`` is the first number not yet
    judged; ``counted`` the messages of ``next``'s block already counted (a block judged in part)."""

    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="+")
    boot = models.CharField(max_length=64, blank=True)
    next = models.BigIntegerField()
    counted = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["device", "boot"], name="monitoring_seq_cursor")]

    def __str__(self) -> str:
        return f"{self.device_id}:{self.boot}@{self.next}"
