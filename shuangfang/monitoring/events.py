"""Monitoring listens to the notifications app: acknowledging the incident of an alarm there marks
the alarm acknowledged here."""

from __future__ import annotations

from typing import Any

from shuangfang.core.events import subscribe


@subscribe("incident.acknowledged")
def on_incident_acknowledged(kind: str, payload: dict[str, Any]) -> None:
    if payload.get("source_kind") != "alarm" or not payload.get("source_uuid"):
        return
    from .alarms import acknowledge_from_incident

    acknowledge_from_incident(str(payload["source_uuid"]), payload.get("acknowledged_by_id"))
