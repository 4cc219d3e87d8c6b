"""Subscriptions (see EVENTS.md): other apps' events become messages and incidents."""

from __future__ import annotations

import logging
from typing import Any

from shuangfang.core.events import subscribe
from shuangfang.orgs.models import Organization, User

from .choices import Severity
from .incidents import open_incident, stop_for_source
from .planning import notify, recipients_for_roles

log = logging.getLogger(__name__)


def _org(payload: dict[str, Any]) -> Organization | None:
    return Organization.objects.filter(pk=int(payload.get("organization_id") or 0)).first()


def _severity(payload: dict[str, Any]) -> str:
    value = payload.get("severity") or Severity.INFO
    return value if value in Severity.values else Severity.INFO


@subscribe("hazard.*")
@subscribe("inspection.*")
@subscribe("device.offline")
@subscribe("report.generated")
def on_message_event(kind: str, payload: dict[str, Any]) -> None:
    org = _org(payload)
    if org is None:
        log.warning("%s for unknown organisation %s", kind, payload.get("organization_id"))
        return
    people = {u.pk: u for u in User.objects.filter(pk__in=payload.get("recipient_ids") or [], is_active=True)}
    for u in recipients_for_roles(org, payload.get("roles") or []):
        people.setdefault(u.pk, u)
    if not people:
        return
    notify(
        recipients=people.values(),
        kind=kind,
        title=str(payload.get("title") or kind),
        url=str(payload.get("url") or ""),
        severity=_severity(payload),
        organization=org,
    )


@subscribe("alarm.opened")
def on_alarm_opened(kind: str, payload: dict[str, Any]) -> None:
    org = _org(payload)
    if org is None:
        return
    open_incident(
        organization=org,
        kind=kind,
        severity=_severity(payload) if payload.get("severity") else Severity.CRITICAL,
        title=str(payload.get("title") or kind),
        url=str(payload.get("url") or ""),
        source_kind="alarm",
        source_uuid=str(payload["object_uuid"]),
    )


@subscribe("alarm.acknowledged")
def on_alarm_acknowledged(kind: str, payload: dict[str, Any]) -> None:
    stop_for_source(
        "alarm", str(payload["object_uuid"]), acknowledged_by_id=payload.get("acknowledged_by_id")
    )


@subscribe("alarm.cleared")
def on_alarm_cleared(kind: str, payload: dict[str, Any]) -> None:
    stop_for_source("alarm", str(payload["object_uuid"]), resolve=True)
