"""Sensor monitoring services.

``ingest`` is the one domain function behind both transports (HTTP and MQTT): it takes validated
payloads with the device that sent them, stores readings (deduplicated, batched), runs the alarm
rules with their debounce state, opens, updates and clears alarms (one active alarm per device and
type, committed at once) and publishes ``alarm.*`` events. People act on alarms through
``acknowledge_alarm`` / ``clear_alarm``; ``sweep_offline`` raises ``device.offline``.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import hashlib
import json
import logging
import secrets
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from shuangfang.core import audit
from shuangfang.core.events import publish
from shuangfang.core.tenancy import require

from . import catalogue
from .choices import ACTIVE_STATUSES, AlarmStatus, Category, ClearReason, Op, Severity, Source
from .models import Alarm, AlarmRule, Channel, Device, DeviceEvent, Reading, Rejection, RuleState
from .schemas import FUTURE_TOLERANCE, Payload

log = logging.getLogger(__name__)

TOKEN_PREFIX = "sfd_"
OFFLINE_FACTOR = 3
TOUCH_SECONDS = 30  # a device's last_seen_at / last_values are written at most this often
MAX_AGE = dt.timedelta(days=30)  # readings older than this are refused (a device clock gone wrong)
HANDLER_ROLES = ["safety_officer", "institution_head"]


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(24)


def device_rate_limit() -> int:
    """Messages a device may send per minute before the rest is refused."""
    return int(getattr(settings, "MONITORING_DEVICE_MSGS_PER_MINUTE", 1200))


# --- Rules -----------------------------------------------------------------------------------------

_rules_lock = threading.Lock()
_rules_cache: dict[str, Any] = {"at": 0.0, "rules": []}
RULE_CACHE_SECONDS = 30


def ensure_default_rules() -> None:
    """Seed the default rules if the table has none (a flushed test database; the migration seeds
    them everywhere else)."""
    if not AlarmRule.objects.filter(organization__isnull=True).exists():
        catalogue.seed_rules(AlarmRule)
        invalidate_rules()


def invalidate_rules() -> None:
    with _rules_lock:
        _rules_cache["at"] = 0.0


def _all_rules() -> list[AlarmRule]:
    with _rules_lock:
        if time.monotonic() - _rules_cache["at"] > RULE_CACHE_SECONDS:
            _rules_cache["rules"] = list(AlarmRule.objects.filter(is_active=True))
            _rules_cache["at"] = time.monotonic()
        return _rules_cache["rules"]


def effective_rules(kind: str, institution_id: int | None) -> list[AlarmRule]:
    """Defaults for the device kind, replaced by the institution's own (stricter) rows."""
    rules = [r for r in _all_rules() if r.device_kind == kind]
    site = {(r.channel, r.alarm_type): r for r in rules if r.organization_id == institution_id}
    out = [r for r in rules if r.organization_id is None and (r.channel, r.alarm_type) not in site]
    return out + list(site.values())


def _rules_for_channel(rules: list[AlarmRule], channel: str) -> list[AlarmRule]:
    return [r for r in rules if r.op != Op.EVENT and fnmatch.fnmatchcase(channel, r.channel)]


def _event_rule(rules: list[AlarmRule], code: str) -> AlarmRule | None:
    return next((r for r in rules if r.op == Op.EVENT and r.alarm_type == code), None)


# --- Device registration -------------------------------------------------------------------------


def _check_place(organization, department) -> None:
    if not organization.is_institution:
        raise ValidationError(_("Devices belong to an institution."))
    if department is not None and department.institution_id != organization.pk:
        raise ValidationError(_("The department is not part of this institution."))


def register_device(
    *,
    actor,
    organization,
    kind: str,
    code: str,
    name: str,
    department=None,
    building: str = "",
    floor: str = "",
    location: str = "",
    heartbeat_seconds: int = 300,
    gateway: Device | None = None,
    risk_point=None,
) -> tuple[Device, str]:
    """Register a device at an institution; returns it with its raw token (shown once)."""
    require(actor, "monitoring.manage", organization)
    _check_place(organization, department)
    if risk_point is not None and risk_point.organization_id != organization.pk:
        raise ValidationError(_("The risk point belongs to another institution."))
    code = code.strip()
    if Device.objects.filter(code=code).exists():
        raise ValidationError(_("A device with this id is already registered."))
    if gateway is not None and (gateway.organization_id != organization.pk or gateway.kind != "gateway"):
        raise ValidationError(_("The gateway must be a gateway of the same institution."))
    raw = new_token()
    with transaction.atomic():
        device = Device.objects.create(
            organization=organization,
            kind=kind,
            code=code,
            name=name,
            department=department,
            building=building,
            floor=floor,
            location=location,
            risk_point=risk_point,
            heartbeat_seconds=heartbeat_seconds,
            gateway=gateway,
            token_hash=hash_token(raw),
            token_prefix=raw[:8],
        )
        Channel.objects.bulk_create(
            [
                Channel(device=device, key=key, label=str(label), unit=unit)
                for key, label, unit in catalogue.CHANNELS.get(kind, [])
            ]
        )
        audit.record(
            actor=actor,
            action="device.register",
            obj=device,
            organization=organization,
            after={"code": code, "kind": kind, "name": name, "place": device.place},
        )
    return device, raw


def update_device(*, actor, device: Device, **fields) -> Device:
    require(actor, "monitoring.manage", device.organization)
    allowed = {
        "name",
        "department",
        "building",
        "floor",
        "location",
        "risk_point",
        "heartbeat_seconds",
        "is_active",
    }
    if set(fields) - allowed:
        raise ValueError(f"cannot change {set(fields) - allowed}")
    _check_place(device.organization, fields.get("department", device.department))
    point = fields.get("risk_point")
    if point is not None and point.organization_id != device.organization_id:
        raise ValidationError(_("The risk point belongs to another institution."))
    before = audit.snapshot(device, fields)
    with transaction.atomic():
        for k, v in fields.items():
            setattr(device, k, v)
        device.save(update_fields=list(fields))
        audit.record(
            actor=actor,
            action="device.update",
            obj=device,
            organization=device.organization,
            before=before,
            after=audit.snapshot(device, fields),
        )
    return device


def rotate_token(*, actor, device: Device) -> str:
    require(actor, "monitoring.manage", device.organization)
    raw = new_token()
    with transaction.atomic():
        Device.objects.filter(pk=device.pk).update(token_hash=hash_token(raw), token_prefix=raw[:8])
        audit.record(actor=actor, action="device.rotate_token", obj=device, organization=device.organization)
    device.token_hash, device.token_prefix = hash_token(raw), raw[:8]
    return raw


def device_for_token(raw: str) -> Device | None:
    if not raw.startswith(TOKEN_PREFIX):
        return None
    return Device.objects.select_related("organization").filter(token_hash=hash_token(raw)).first()


def set_site_rule(
    *, actor, organization, base: AlarmRule, threshold: float | None, samples: int
) -> AlarmRule:
    """An institution tightens a default rule: a lower upper limit, a higher lower limit, fewer samples."""
    require(actor, "monitoring.manage", organization)
    if base.organization_id is not None:
        raise ValidationError(_("Start from a default rule."))
    if base.op != Op.EVENT:
        if threshold is None:
            raise ValidationError(_("Give a threshold."))
        looser = threshold > base.threshold if base.op == Op.ABOVE else threshold < base.threshold  # type: ignore[operator]
        if looser:
            raise ValidationError(
                _("A site setting may only be stricter than the default (%(v)s).") % {"v": base.threshold}
            )
    if samples < 1 or samples > base.samples:
        raise ValidationError(_("Consecutive samples must be between 1 and %(n)s.") % {"n": base.samples})
    recovery = base.recovery_threshold
    if recovery is not None and threshold is not None and base.threshold is not None:
        recovery = threshold - (base.threshold - recovery)
    with transaction.atomic():
        rule, _created = AlarmRule.objects.update_or_create(
            organization=organization,
            device_kind=base.device_kind,
            channel=base.channel,
            alarm_type=base.alarm_type,
            defaults={
                "category": base.category,
                "severity": base.severity,
                "op": base.op,
                "threshold": threshold,
                "recovery_threshold": recovery,
                "samples": samples,
                "for_seconds": base.for_seconds,
                "recovery_samples": base.recovery_samples,
                "open_hazard": base.open_hazard,
                "source": Source.SITE,
                "reference": _("stricter than: %(ref)s") % {"ref": base.reference},
                "confidence": base.confidence,
            },
        )
        audit.record(
            actor=actor,
            action="alarm_rule.set",
            obj=rule,
            organization=organization,
            after={"rule": str(rule), "threshold": threshold, "samples": samples},
        )
    transaction.on_commit(invalidate_rules)
    return rule


# --- Alarms: one workflow ---------------------------------------------------------------------------

TRANSITIONS: dict[str, set[str]] = {
    AlarmStatus.OPEN: {AlarmStatus.ACKNOWLEDGED, AlarmStatus.CLEARED},
    AlarmStatus.ACKNOWLEDGED: {AlarmStatus.CLEARED},
    AlarmStatus.CLEARED: set(),
}


def transition(alarm: Alarm, to: str) -> None:
    if to not in TRANSITIONS[alarm.status]:
        raise ValidationError(
            _("An alarm that is %(from)s cannot become %(to)s.")
            % {"from": AlarmStatus(alarm.status).label, "to": AlarmStatus(to).label}
        )
    alarm.status = to


def alarm_label(alarm_type: str) -> str:
    return str(catalogue.ALARM_TYPES.get(alarm_type, alarm_type))


def _zh(fn, *args) -> str:
    with translation.override("zh-hans"):
        return fn(*args)


def _alarm_title(alarm: Alarm, device: Device, verb: str) -> str:
    def build() -> str:
        words = {"opened": _("alarm"), "acknowledged": _("acknowledged"), "cleared": _("cleared")}
        return f"{device.name}（{device.place or device.code}）{alarm_label(alarm.alarm_type)} {words[verb]}"

    return _zh(build)


def hazard_description(alarm: Alarm, device: Device, *, repeated_faults: int = 0) -> str:
    def build() -> str:
        text = _("%(device)s at %(place)s: %(alarm)s") % {
            "device": device.name,
            "place": device.place or device.code,
            "alarm": alarm_label(alarm.alarm_type),
        }
        if alarm.channel and alarm.last_value is not None:
            text += _(", %(channel)s = %(value)s (threshold %(threshold)s)") % {
                "channel": alarm.channel,
                "value": f"{alarm.last_value:g}",
                "threshold": "—" if alarm.threshold is None else f"{alarm.threshold:g}",
            }
        if repeated_faults:
            text += _("; the device has had %(n)s faults in 30 days") % {"n": repeated_faults + 1}
        return text + _(". Device %(code)s.") % {"code": device.code}

    return _zh(build)


def _event_payload(alarm: Alarm, device: Device, verb: str) -> dict[str, Any]:
    return {
        "organization_id": alarm.organization_id,
        "object_uuid": str(alarm.uuid),
        "title": _alarm_title(alarm, device, verb),
        "url": f"/monitoring/alarms/{alarm.uuid}/",
        "severity": alarm.severity,
        "roles": HANDLER_ROLES,
        "device_uuid": str(device.uuid),
        "alarm_type": alarm.alarm_type,
    }


def _publish_opened(alarm: Alarm, device: Device, rule: AlarmRule | None) -> None:
    open_hazard = bool(rule and rule.open_hazard)
    repeated = 0
    if alarm.category == Category.FAULT:
        since = alarm.opened_at - dt.timedelta(days=catalogue.REPEATED_FAULT_DAYS)
        repeated = (
            Alarm.objects.filter(device=device, category=Category.FAULT, opened_at__gte=since)
            .exclude(pk=alarm.pk)
            .count()
        )
        if repeated >= catalogue.REPEATED_FAULTS:
            open_hazard = True
        else:
            repeated = 0
    payload = _event_payload(alarm, device, "opened")
    description = hazard_description(alarm, device, repeated_faults=repeated)
    if alarm.category == Category.OFFLINE:
        publish("device.offline", **payload, open_hazard=open_hazard, hazard_description=description)
    else:
        publish("alarm.opened", **payload, open_hazard=open_hazard, hazard_description=description)


def acknowledge_alarm(*, actor, alarm: Alarm, note: str = "") -> Alarm:
    require(actor, "alarm.handle", alarm.organization)
    with transaction.atomic():
        alarm = Alarm.objects.select_for_update().select_related("device").get(pk=alarm.pk)
        transition(alarm, AlarmStatus.ACKNOWLEDGED)
        alarm.acknowledged_at = timezone.now()
        alarm.acknowledged_by = actor
        if note:
            alarm.note = note[:300]
        alarm.save(update_fields=["status", "acknowledged_at", "acknowledged_by", "note"])
        audit.record(
            actor=actor, action="alarm.acknowledge", obj=alarm, organization=alarm.organization, note=note
        )
        publish(
            "alarm.acknowledged",
            **_event_payload(alarm, alarm.device, "acknowledged"),
            acknowledged_by_id=actor.pk,
        )
    return alarm


def still_alarming(alarm: Alarm) -> bool:
    """Whether the device still reports the condition (a breach counted, or its offline state)."""
    if alarm.category == Category.OFFLINE:
        return not alarm.device.online
    return RuleState.objects.filter(
        device_id=alarm.device_id, rule__alarm_type=alarm.alarm_type, breaches__gt=0
    ).exists()


def clear_alarm(*, actor, alarm: Alarm, reason: str, note: str = "") -> Alarm:
    """A person clears an alarm with a reason. "Cause removed" is refused while the device still
    reports the condition; "false alarm" and "maintenance" are always possible (and audited)."""
    require(actor, "alarm.handle", alarm.organization)
    if reason not in {ClearReason.FALSE_ALARM, ClearReason.MAINTENANCE, ClearReason.FIXED}:
        raise ValidationError(_("Choose why the alarm is cleared."))
    if reason == ClearReason.FALSE_ALARM and not note.strip():
        raise ValidationError(_("Say why this was a false alarm."))
    with transaction.atomic():
        alarm = Alarm.objects.select_for_update().select_related("device").get(pk=alarm.pk)
        if reason == ClearReason.FIXED and still_alarming(alarm):
            raise ValidationError(
                _("The device still reports this condition; it cannot be cleared as fixed yet.")
            )
        transition(alarm, AlarmStatus.CLEARED)
        alarm.cleared_at = timezone.now()
        alarm.cleared_by = actor
        alarm.clear_reason = reason
        alarm.note = (f"{alarm.note} / {note}" if alarm.note and note else note or alarm.note)[:300]
        alarm.save(update_fields=["status", "cleared_at", "cleared_by", "clear_reason", "note"])
        RuleState.objects.filter(device_id=alarm.device_id, rule__alarm_type=alarm.alarm_type).delete()
        audit.record(
            actor=actor,
            action="alarm.clear",
            obj=alarm,
            organization=alarm.organization,
            after={"reason": reason},
            note=note,
        )
        publish("alarm.cleared", **_event_payload(alarm, alarm.device, "cleared"), clear_reason=reason)
    return alarm


def acknowledge_from_incident(alarm_uuid: str, user_id: int | None) -> None:
    """``incident.acknowledged`` from the notifications app: mark the alarm acknowledged (idempotent,
    no new event: the incident already stopped escalating)."""
    from shuangfang.orgs.models import User

    with transaction.atomic():
        alarm = Alarm.objects.select_for_update().filter(uuid=alarm_uuid).first()
        if alarm is None or alarm.status != AlarmStatus.OPEN:
            return
        user = User.objects.filter(pk=user_id).first() if user_id else None
        alarm.status = AlarmStatus.ACKNOWLEDGED
        alarm.acknowledged_at = timezone.now()
        alarm.acknowledged_by = user
        alarm.save(update_fields=["status", "acknowledged_at", "acknowledged_by"])
        audit.record(
            actor=user,
            action="alarm.acknowledge",
            obj=alarm,
            organization=alarm.organization,
            note="incident",
        )


# --- Ingestion -------------------------------------------------------------------------------------


@dataclass
class Outcome:
    accepted: int = 0
    duplicates: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)
    opened: list[Alarm] = field(default_factory=list)
    cleared: list[Alarm] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "accepted": self.accepted,
            "duplicates": self.duplicates,
            "rejected": self.rejected,
            "alarms_opened": len(self.opened),
        }


class CacheLimiter:
    """Per-device message budget per minute in the shared cache (HTTP workers share it)."""

    def take(self, device: Device, n: int, now: dt.datetime) -> int:
        key = f"monitoring:rate:{device.pk}:{int(now.timestamp() // 60)}"
        cache.add(key, 0, 120)
        try:
            used = cache.incr(key, n)
        except ValueError:
            cache.set(key, n, 120)
            used = n
        limit = device_rate_limit()
        return max(0, min(n, limit - (used - n)))


class MemoryLimiter:
    """The same budget kept in one process (the MQTT listener: no network round trip per batch)."""

    def __init__(self) -> None:
        self.window = -1
        self.used: Counter[int] = Counter()

    def take(self, device: Device, n: int, now: dt.datetime) -> int:
        window = int(now.timestamp() // 60)
        if window != self.window:
            self.window, self.used = window, Counter()
        allowed = max(0, min(n, device_rate_limit() - self.used[device.pk]))
        self.used[device.pk] += n
        return allowed


def record_rejections(rows: list[tuple[Device | None, int | None, str, str, str]]) -> None:
    """(device, organization_id, transport, reason, detail): counted per device, logged (at most 50
    rows per call, so a flood cannot flood the log table)."""
    if not rows:
        return
    per_device: Counter[int] = Counter()
    last: dict[int, str] = {}
    for device, _org, _t, reason, detail in rows:
        if device is not None:
            per_device[device.pk] += 1
            last[device.pk] = f"{reason}: {detail}"[:200]
        log.info("monitoring rejected %s: %s %s", device.code if device else "?", reason, detail)
    Rejection.objects.bulk_create(
        [
            Rejection(
                device=device,
                organization_id=org_id or (device.organization_id if device else None),
                transport=transport,
                reason=reason,
                detail=detail[:300],
            )
            for device, org_id, transport, reason, detail in rows[:50]
        ]
    )
    for pk, n in per_device.items():
        Device.objects.filter(pk=pk).update(rejected_count=F("rejected_count") + n, last_rejection=last[pk])


def _resolve_target(sender: Device, payload: Payload, children: dict[str, Device | None]) -> Device | None:
    if payload.device_id == sender.code:
        return sender
    if sender.kind != "gateway":
        return None
    if payload.device_id not in children:
        children[payload.device_id] = (
            Device.objects.select_related("organization")
            .filter(code=payload.device_id, gateway=sender)
            .first()
        )
    return children[payload.device_id]


def _insert_readings(rows: list[tuple[int, str, dt.datetime, float]]) -> set[tuple[int, str, Any]]:
    """INSERT … ON CONFLICT DO NOTHING RETURNING: the keys actually stored (duplicates skipped).
    PostgreSQL gets four arrays (``unnest``), so the statement stays small whatever the batch."""
    table = Reading._meta.db_table
    stored: set[tuple[int, str, Any]] = set()
    tail = "ON CONFLICT (device_id, channel, ts) DO NOTHING RETURNING device_id, channel, ts"
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cols = list(zip(*rows, strict=True))
            cur.execute(
                f"INSERT INTO {table} (device_id, channel, ts, value) "  # noqa: S608
                "SELECT * FROM unnest(%s::bigint[], %s::varchar[], %s::timestamptz[], %s::float8[]) " + tail,
                [list(cols[0]), list(cols[1]), list(cols[2]), list(cols[3])],
            )
            stored.update((d, c, _utc(t)) for d, c, t in cur.fetchall())
            return stored
        adapt = connection.ops.adapt_datetimefield_value
        for start in range(0, len(rows), 1000):
            chunk = rows[start : start + 1000]
            params: list[Any] = []
            for device_id, channel, ts, value in chunk:
                params += [device_id, channel, adapt(ts), value]
            values = ",".join(["(%s,%s,%s,%s)"] * len(chunk))
            cur.execute(
                f"INSERT INTO {table} (device_id, channel, ts, value) VALUES {values} " + tail,  # noqa: S608
                params,
            )
            stored.update((d, c, _utc(t)) for d, c, t in cur.fetchall())
    return stored


def _touch_devices(now: dt.datetime, latest: dict[int, dict[str, Any]]) -> None:
    """Mark the devices seen and merge their newest values into ``last_values`` in the database
    (a JSON merge, so two listeners writing different channels do not undo each other)."""
    table = Device._meta.db_table
    ids = list(latest)
    vals = [json.dumps(latest[pk]) for pk in ids]
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(
                f"UPDATE {table} AS d SET online = true, offline_since = NULL, last_seen_at = %s, "  # noqa: S608
                "last_values = d.last_values || v.vals FROM unnest(%s::bigint[], %s::jsonb[]) AS v(id, vals) "
                "WHERE d.id = v.id",
                [now, ids, vals],
            )
            return
        values = ",".join(["(%s,%s)"] * len(ids))
        cur.execute(
            f"UPDATE {table} SET online = 1, offline_since = NULL, last_seen_at = %s, "  # noqa: S608
            f"last_values = json_patch(last_values, v.column2) FROM (VALUES {values}) AS v "
            f"WHERE {table}.id = v.column1",
            [
                connection.ops.adapt_datetimefield_value(now),
                *[x for pair in zip(ids, vals, strict=True) for x in pair],
            ],
        )


def _utc(value: Any) -> dt.datetime:
    """A returned timestamp as an aware UTC datetime (SQLite hands back naive UTC)."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


class _Run:
    """The state of one ``ingest`` call: the devices involved, their active alarms and rule states."""

    def __init__(
        self, devices: list[Device], now: dt.datetime, outcome: Outcome, deferred: bool = False
    ) -> None:
        self.now = now
        self.outcome = outcome
        # deferred: inside the readings transaction, openings and recoveries wait in ``actions`` and
        # ``apply()`` commits each one on its own right after that transaction.
        self.deferred = deferred
        self.actions: list[tuple[str, Alarm, Device, AlarmRule | None]] = []
        ids = [d.pk for d in devices]
        self.active: dict[tuple[int, str], Alarm] = {
            (a.device_id, a.alarm_type): a for a in Alarm.objects.active().filter(device_id__in=ids)
        }
        self.states: dict[tuple[int, int, str], RuleState] = {
            (s.device_id, s.rule_id, s.channel): s for s in RuleState.objects.filter(device_id__in=ids)
        }
        self.dirty_states: set[tuple[int, int, str]] = set()
        self.rule_type = {r.pk: r.alarm_type for r in _all_rules()}
        self.dirty_alarms: set[int] = set()

    # Alarms are committed one by one, at once (outside the readings batch).
    def raise_alarm(
        self,
        device: Device,
        *,
        alarm_type: str,
        rule: AlarmRule | None,
        category: str,
        severity: str,
        channel: str = "",
        value: float | None = None,
        threshold: float | None = None,
        ts: dt.datetime,
    ) -> None:
        key = (device.pk, alarm_type)
        alarm = self.active.get(key)
        if alarm is not None:
            alarm.count += 1
            alarm.last_value = value if value is not None else alarm.last_value
            alarm.last_seen_at = max(alarm.last_seen_at, ts)
            if alarm.pk:
                self.dirty_alarms.add(alarm.pk)
            return
        alarm = Alarm(
            organization_id=device.organization_id,
            device=device,
            rule=rule,
            alarm_type=alarm_type,
            category=category,
            severity=severity,
            channel=channel,
            first_value=value,
            last_value=value,
            threshold=threshold,
            opened_at=ts,
            last_seen_at=ts,
        )
        self.active[key] = alarm
        if self.deferred:
            self.actions.append(("open", alarm, device, rule))
            return
        self._open(alarm, device, rule)

    def _open(self, alarm: Alarm, device: Device, rule: AlarmRule | None) -> None:
        key = (device.pk, alarm.alarm_type)
        value = alarm.last_value
        try:
            with transaction.atomic():
                alarm.save(force_insert=True)
                audit.record(actor=None, action="alarm.open", obj=alarm, organization=device.organization)
                _publish_opened(alarm, device, rule)
        except IntegrityError:  # another listener opened it a moment ago: count the repeat on it
            existing = Alarm.objects.active().filter(device=device, alarm_type=alarm.alarm_type).first()
            if existing is None:
                raise
            existing.count += alarm.count
            ts = alarm.last_seen_at
            existing.last_value = value if value is not None else existing.last_value
            existing.last_seen_at = max(existing.last_seen_at, ts)
            self.active[key] = existing
            Alarm.objects.filter(pk=existing.pk).update(
                count=existing.count, last_value=existing.last_value, last_seen_at=existing.last_seen_at
            )
            return
        self.outcome.opened.append(alarm)

    def apply(self) -> None:
        """Commit the openings and recoveries found inside the readings transaction, one by one."""
        actions, self.actions, self.deferred = self.actions, [], False
        for kind, alarm, device, rule in actions:
            if kind == "open":
                self._open(alarm, device, rule)
            else:
                self.active[(device.pk, alarm.alarm_type)] = alarm
                self.recover(device, alarm.alarm_type)

    def recover(self, device: Device, alarm_type: str) -> None:
        """The device is back to normal for this alarm type: clear it, unless it flaps."""
        alarm = self.active.get((device.pk, alarm_type))
        if alarm is None:
            return
        if self.deferred:
            self.actions.append(("recover", alarm, device, None))
            del self.active[(device.pk, alarm_type)]
            return
        window = self.now - dt.timedelta(minutes=catalogue.FLAP_WINDOW_MINUTES)
        recent = Alarm.objects.filter(device=device, alarm_type=alarm_type, opened_at__gte=window).count()
        if recent >= catalogue.FLAP_LIMIT or alarm.flapping:
            if not alarm.flapping:  # reported once; stays open until a person clears it
                alarm.flapping = True
                alarm.recoveries += 1
                Alarm.objects.filter(pk=alarm.pk).update(flapping=True, recoveries=F("recoveries") + 1)
            return
        with transaction.atomic():
            updated = Alarm.objects.filter(pk=alarm.pk, status__in=ACTIVE_STATUSES).update(
                status=AlarmStatus.CLEARED,
                cleared_at=self.now,
                clear_reason=ClearReason.RECOVERED,
                recoveries=F("recoveries") + 1,
                count=alarm.count,
                last_value=alarm.last_value,
                last_seen_at=alarm.last_seen_at,
            )
            if updated:
                alarm.status = AlarmStatus.CLEARED
                audit.record(actor=None, action="alarm.recover", obj=alarm, organization=device.organization)
                publish("alarm.cleared", **_event_payload(alarm, device, "cleared"), clear_reason="recovered")
        self.dirty_alarms.discard(alarm.pk)
        del self.active[(device.pk, alarm_type)]
        self.outcome.cleared.append(alarm)

    def evaluate(
        self, device: Device, rules: list[AlarmRule], channel: str, ts: dt.datetime, value: float
    ) -> None:
        for rule in _rules_for_channel(rules, channel):
            key = (device.pk, rule.pk, channel)
            state = self.states.get(key)
            if state is not None and state.last_ts is not None and ts <= state.last_ts:
                continue  # a late reading: stored in its place, but it does not rewind the debounce
            if rule.breached(value):
                if state is None:
                    state = self.states[key] = RuleState(device_id=device.pk, rule=rule, channel=channel)
                state.breaches += 1
                state.normals = 0
                state.since = state.since or ts
                state.last_ts = ts
                self.dirty_states.add(key)
                held = (ts - state.since).total_seconds() >= rule.for_seconds
                if state.breaches >= rule.samples and held:
                    self.raise_alarm(
                        device,
                        alarm_type=rule.alarm_type,
                        rule=rule,
                        category=rule.category,
                        severity=rule.severity,
                        channel=channel,
                        value=value,
                        threshold=rule.threshold,
                        ts=ts,
                    )
                continue
            if state is None and (device.pk, rule.alarm_type) not in self.active:
                continue  # normal and nothing pending: the common case writes nothing
            if state is None:
                state = self.states[key] = RuleState(device_id=device.pk, rule=rule, channel=channel)
            state.last_ts = ts
            self.dirty_states.add(key)
            if not rule.recovered(value):
                state.normals = 0  # inside the hysteresis band: neither breach nor recovery
                continue
            state.breaches, state.since = 0, None
            state.normals += 1
            others_breaching = any(
                s.breaches > 0
                for (d, _r, _c), s in self.states.items()
                if d == device.pk and self.rule_type.get(s.rule_id) == rule.alarm_type and s is not state
            )
            if state.normals >= rule.recovery_samples and not others_breaching:
                if (device.pk, rule.alarm_type) in self.active:
                    self.recover(device, rule.alarm_type)
                state.normals = 0

    def save(self) -> None:
        keep = [
            self.states[k] for k in self.dirty_states if self.states[k].breaches or self.states[k].normals
        ]
        drop = [
            self.states[k]
            for k in self.dirty_states
            if not (self.states[k].breaches or self.states[k].normals)
        ]
        with transaction.atomic():
            if keep:
                RuleState.objects.bulk_create(
                    keep,
                    update_conflicts=True,
                    unique_fields=["device", "rule", "channel"],
                    update_fields=["breaches", "normals", "since", "last_ts"],
                )
            for s in drop:
                if s.pk:
                    RuleState.objects.filter(
                        device_id=s.device_id, rule_id=s.rule_id, channel=s.channel
                    ).delete()
            alarms = [a for a in self.active.values() if a.pk in self.dirty_alarms]
            if alarms:
                Alarm.objects.bulk_update(alarms, ["count", "last_value", "last_seen_at"])


def ingest(
    items: Sequence[tuple[Device, Payload]],
    *,
    transport: str,
    now: dt.datetime | None = None,
    limiter: CacheLimiter | MemoryLimiter | None = None,
) -> Outcome:
    """Store and evaluate validated messages, each with the device that sent it (the authenticated
    HTTP token, or the MQTT topic). Returns what was accepted, duplicated, refused and opened.

    A device may only post for itself (a gateway also for the devices bound to it); timestamps far in
    the future or too old, inactive devices and messages over the per-device rate are refused with
    a reason, counted on the device and logged; the other messages go through."""
    now = now or timezone.now()
    outcome = Outcome()
    limiter = limiter or CacheLimiter()
    rejections: list[tuple[Device | None, int | None, str, str, str]] = []
    children: dict[str, Device | None] = {}

    # 1. Who posts for whom; time sanity; rate.
    per_sender: dict[int, int] = Counter(sender.pk for sender, _p in items)
    budget: dict[int, int] = {}
    senders = {sender.pk: sender for sender, _p in items}
    for pk, n in per_sender.items():
        budget[pk] = limiter.take(senders[pk], n, now)
    accepted: list[tuple[Device, Payload]] = []
    for index, (sender, payload) in enumerate(items):

        def refuse(reason: str, detail: str, index=index, sender=sender) -> None:
            outcome.rejected.append({"index": index, "reason": reason, "detail": detail})
            rejections.append((sender, sender.organization_id, transport, reason, detail))

        if budget[sender.pk] <= 0:
            refuse("rate_limited", _("more than %(n)s messages a minute") % {"n": device_rate_limit()})
            continue
        budget[sender.pk] -= 1
        target = _resolve_target(sender, payload, children)
        if target is None:
            refuse(
                "wrong_device",
                _("device %(code)s may not post for %(other)s")
                % {"code": sender.code, "other": payload.device_id},
            )
            continue
        if not target.is_active or not sender.is_active:
            refuse("inactive_device", _("device %(code)s is deactivated") % {"code": target.code})
            continue
        if payload.ts > now + FUTURE_TOLERANCE:
            refuse(
                "future_timestamp", _("timestamp %(ts)s is in the future") % {"ts": payload.ts.isoformat()}
            )
            continue
        if payload.ts < now - MAX_AGE:
            refuse("too_old", _("timestamp %(ts)s is older than 30 days") % {"ts": payload.ts.isoformat()})
            continue
        accepted.append((target, payload))

    devices = {d.pk: d for d, _p in accepted}
    # 2. Readings, batched in one transaction with the devices' last-seen (duplicates skipped).
    rows: dict[tuple[int, str, dt.datetime], float] = {}
    events: list[tuple[Device, Payload]] = []
    for device, payload in accepted:
        if payload.type == "telemetry":
            for channel, value in payload.readings().items():
                rows[(device.pk, channel, payload.ts)] = value
        elif payload.type != "heartbeat":
            events.append((device, payload))
    came_back: list[Device] = []
    run: _Run | None = None
    with transaction.atomic():
        stored = _insert_readings([(d, c, t, v) for (d, c, t), v in rows.items()]) if rows else set()
        touch: list[Device] = []
        for device in devices.values():
            if not device.online and device.last_seen_at is not None:
                came_back.append(device)
            every = min(TOUCH_SECONDS, device.heartbeat_seconds / 2)
            if (
                not device.online
                or device.last_seen_at is None
                or (now - device.last_seen_at).total_seconds() >= every
            ):
                touch.append(device)
            device.online = True
            device.offline_since = None
        new_rows = sorted(
            ((d, c, t, v) for (d, c, t), v in rows.items() if (d, c, _utc(t)) in stored), key=lambda r: r[2]
        )
        latest: dict[int, dict[str, Any]] = defaultdict(dict)
        for d, c, t, v in new_rows:
            latest[d][c] = v
            latest[d]["_ts"] = t.isoformat()
        for pk, values in latest.items():
            devices[pk].last_values = {**devices[pk].last_values, **values}
        if touch:
            _touch_devices(now, {t.pk: latest.get(t.pk, {}) for t in touch})
            for touched in touch:
                touched.last_seen_at = now
        outcome.accepted = len(accepted)
        outcome.duplicates = len(rows) - len(stored)
        # 3. Rules and debounce state in the same transaction; openings and recoveries are
        # committed one by one right after it (run.apply()).
        if devices:
            run = _Run(list(devices.values()), now, outcome, deferred=True)
            _evaluate_all(run, devices, came_back, new_rows, events)
    if run is not None:
        run.apply()
    record_rejections(rejections)
    return outcome


def _evaluate_all(run: _Run, devices: dict[int, Device], came_back, new_rows, events) -> None:
    for device in came_back:
        run.recover(device, "device_offline")
    rule_sets: dict[tuple[str, int], list[AlarmRule]] = {}
    for d, c, t, v in new_rows:
        device = devices[d]
        key = (device.kind, device.organization_id)
        if key not in rule_sets:
            rule_sets[key] = effective_rules(*key)
        run.evaluate(device, rule_sets[key], c, t, v)
    for device, payload in events:
        _device_event(run, device, payload, rule_sets)
    run.save()


def _device_event(run: _Run, device: Device, payload: Payload, rule_sets) -> None:
    try:
        with transaction.atomic():
            DeviceEvent.objects.create(
                device=device,
                msg_id=payload.msg_id or "",
                ts=payload.ts,
                type=payload.type,
                code=payload.code or "",
                channel=payload.channel or "",
                value=payload.value,
            )
    except IntegrityError:
        run.outcome.duplicates += 1
        return
    key = (device.kind, device.organization_id)
    if key not in rule_sets:
        rule_sets[key] = effective_rules(*key)
    code = payload.code or ""
    if payload.type == "recovery":
        if (device.pk, code) in run.active:
            run.recover(device, code)
        return
    rule = _event_rule(rule_sets[key], code)
    run.raise_alarm(
        device,
        alarm_type=code,
        rule=rule,
        category=rule.category if rule else (Category.FAULT if payload.type == "fault" else Category.ALARM),
        severity=rule.severity if rule else (payload.severity or Severity.WARNING),
        channel=payload.channel or "",
        value=payload.value,
        threshold=payload.threshold,
        ts=payload.ts,
    )


# --- Offline sweep and retention ---------------------------------------------------------------------


def sweep_offline(*, now: dt.datetime | None = None) -> list[Device]:
    """Devices silent for three heartbeat intervals go offline and raise a device-offline alarm
    (``device.offline``). Never-seen devices are not swept (they were never online)."""
    now = now or timezone.now()
    gone: list[Device] = []
    candidates = Device.objects.filter(
        is_active=True, online=True, last_seen_at__isnull=False
    ).select_related("organization")
    for device in candidates.iterator(chunk_size=500):
        assert device.last_seen_at is not None
        if now - device.last_seen_at < dt.timedelta(seconds=OFFLINE_FACTOR * device.heartbeat_seconds):
            continue
        updated = Device.objects.filter(pk=device.pk, online=True).update(online=False, offline_since=now)
        if not updated:
            continue
        device.online = False
        run = _Run([device], now, Outcome())
        rule = _event_rule(effective_rules(device.kind, device.organization_id), "device_offline")
        run.raise_alarm(
            device,
            alarm_type="device_offline",
            rule=rule,
            category=Category.OFFLINE,
            severity=rule.severity if rule else Severity.WARNING,
            ts=now,
        )
        run.save()
        gone.append(device)
    return gone


def retention_days() -> int:
    return int(getattr(settings, "MONITORING_RAW_DAYS", 14))


def downsample(*, now: dt.datetime | None = None, keep_days: int | None = None) -> dict[str, int]:
    """Aggregate raw readings older than the retention period into 1-minute and 1-hour rollups,
    then delete them. Idempotent (rollups are upserted by bucket)."""
    from .rollups import rollup_and_prune

    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=keep_days if keep_days is not None else retention_days())
    return rollup_and_prune(cutoff)
