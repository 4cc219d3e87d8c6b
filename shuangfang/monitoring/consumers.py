"""Consumer (``shuangfang/events.py``): acknowledging the incident of an alarm in the notifications
app marks the alarm acknowledged here."""

from __future__ import annotations

from shuangfang.events import IncidentAcknowledged


def acknowledge_alarm_from_incident(kind: str, event: IncidentAcknowledged) -> None:
    if event.source_kind != "alarm" or not event.source_uuid:
        return
    from .alarms import acknowledge_from_incident

    acknowledge_from_incident(event.source_uuid, event.acknowledged_by_id)
