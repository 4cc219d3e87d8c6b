"""Evaluating readings and device events against the alarm rules: the debounce state per device,
rule and channel, and the opening, counting and recovery of alarms (one active alarm per device and
type, each committed at once). ``Run`` is the state of one batch; ``Outcome`` what it did."""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet

from shuangfang.core import audit
from shuangfang.core.models import AuditEntry
from shuangfang.core.pgarrays import among
from shuangfang.core.workflow import IllegalTransition

from . import catalogue
from .alarms import FLOW, publish_opened
from .models import Alarm, AlarmRule, Device, RuleState
from .rules import RuleSet, all_rules, rules_for_channel


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


def _of_devices(rows: QuerySet[Any], ids: list[int]) -> QuerySet[Any]:
    """A batch's devices' rows (one array parameter on PostgreSQL: ``core.pgarrays.among``)."""
    return rows.filter(among("device_id", ids))


class Run:
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
            (a.device_id, a.alarm_type): a for a in _of_devices(Alarm.objects.active(), ids)
        }
        self.states: dict[tuple[int, int, str], RuleState] = {
            (s.device_id, s.rule_id, s.channel): s for s in _of_devices(RuleState.objects.all(), ids)
        }
        self.dirty_states: set[tuple[int, int, str]] = set()
        # Devices with a debounce state or an active alarm (loaded, or made in this run): only for
        # them can a reading inside a rule's quiet range change anything (``evaluate``).
        self.watched: set[int] = {d for d, _t in self.active} | {d for d, _r, _c in self.states}
        self.rule_type = {r.pk: r.alarm_type for r in all_rules()}
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
        self.watched.add(device.pk)
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
                publish_opened(alarm, device, rule)
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

    def _open_many(self, opening: list[tuple[Alarm, Device, AlarmRule | None]]) -> None:
        """Commit several openings in one transaction (a storm: 100 alarms are one commit, not 100),
        each with its audit row and its ``alarm.opened`` event; if one of them was opened a moment
        ago by another listener, the transaction is undone and they are committed one by one."""
        if len(opening) == 1:
            self._open(*opening[0])
            return
        if not opening:
            return
        try:
            with transaction.atomic():
                Alarm.objects.bulk_create([alarm for alarm, _d, _r in opening])
                AuditEntry.objects.bulk_create(
                    [
                        audit.entry(actor=None, action="alarm.open", obj=a, organization=d.organization)
                        for a, d, _r in opening
                    ]
                )
                for alarm, device, rule in opening:
                    publish_opened(alarm, device, rule)
        except IntegrityError:
            for alarm, _d, _r in opening:
                alarm.pk = None
                alarm._state.adding = True
            for alarm, device, rule in opening:
                self._open(alarm, device, rule)
            return
        self.outcome.opened.extend(alarm for alarm, _d, _r in opening)

    def apply(self) -> None:
        """Commit the openings and recoveries found inside the readings transaction, in order
        (consecutive openings in one transaction, consecutive recoveries in one bulk move)."""
        actions, self.actions, self.deferred = self.actions, [], False
        recovering: list[tuple[Device, Alarm]] = []
        opening: list[tuple[Alarm, Device, AlarmRule | None]] = []
        for kind, alarm, device, rule in actions:
            if kind == "open":
                self._recover(recovering)  # an alarm recovered then raised again in one batch
                recovering = []
                opening.append((alarm, device, rule))
            else:
                self._open_many(opening)
                opening = []
                recovering.append((device, alarm))
        self._open_many(opening)
        self._recover(recovering)

    def recover(self, device: Device, alarm_type: str) -> None:
        """The device is back to normal for this alarm type: clear it, unless it flaps."""
        alarm = self.active.get((device.pk, alarm_type))
        if alarm is None:
            return
        if self.deferred:
            self.actions.append(("recover", alarm, device, None))
            del self.active[(device.pk, alarm_type)]
            return
        self._recover([(device, alarm)])

    def _recover(self, pairs: list[tuple[Device, Alarm]]) -> None:
        """Clear the alarms that do not flap with one ``recover`` move (``alarms.FLOW``); a flapping
        alarm is reported once and stays open until a person clears it."""
        if not pairs:
            return
        window = self.now - dt.timedelta(minutes=catalogue.FLAP_WINDOW_MINUTES)
        settle: list[Alarm] = []
        for device, alarm in pairs:
            key = (device.pk, alarm.alarm_type)
            recent = Alarm.objects.filter(
                device=device, alarm_type=alarm.alarm_type, opened_at__gte=window
            ).count()
            if recent >= catalogue.FLAP_LIMIT or alarm.flapping:
                self.active[key] = alarm
                if not alarm.flapping:
                    alarm.flapping = True
                    alarm.recoveries += 1
                    Alarm.objects.filter(pk=alarm.pk).update(flapping=True, recoveries=F("recoveries") + 1)
                continue
            alarm.device = device  # for the event and the audit row, without a query
            self.active.pop(key, None)
            settle.append(alarm)
        if not settle:
            return
        with transaction.atomic():
            counted = [a for a in settle if a.pk in self.dirty_alarms]
            if counted:  # the repeats seen since the alarm was loaded
                Alarm.objects.bulk_update(counted, ["count", "last_value", "last_seen_at"])
            try:
                FLOW.move_many(settle, "recover", actor=None, now=self.now)
            except IllegalTransition:  # a person cleared one of them meanwhile: the others one by one
                for alarm in settle:
                    with contextlib.suppress(IllegalTransition):
                        FLOW.move_many([alarm], "recover", actor=None, now=self.now)
        for alarm in settle:
            self.dirty_alarms.discard(alarm.pk)
        self.outcome.cleared.extend(settle)

    def evaluate(
        self, device: Device, rules: RuleSet | list[AlarmRule], channel: str, ts: dt.datetime, value: float
    ) -> None:
        pk = device.id
        if isinstance(rules, RuleSet):
            low, high = rules.quiet(channel)
            if low < value < high and pk not in self.watched:
                return  # no rule breached, none to recover, no state: nearly every reading
            matching = rules.for_channel(channel)
        else:
            matching = rules_for_channel(rules, channel)
        for rule in matching:
            key = (pk, rule.pk, channel)
            state = self.states.get(key)
            if state is not None and state.last_ts is not None and ts <= state.last_ts:
                continue  # a late reading: stored in its place, but it does not rewind the debounce
            if rule.breached(value):
                if state is None:
                    state = self.states[key] = RuleState(device_id=pk, rule=rule, channel=channel)
                    self.watched.add(pk)
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
            if state is None and (pk, rule.alarm_type) not in self.active:
                continue  # normal and nothing pending: the common case writes nothing
            if state is None:
                state = self.states[key] = RuleState(device_id=pk, rule=rule, channel=channel)
                self.watched.add(pk)
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
        with transaction.atomic(savepoint=False):  # the readings' transaction (ingest), or its own
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
