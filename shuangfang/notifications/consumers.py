"""Consumers (``shuangfang/events.py``): other apps' events become messages and incidents."""

from __future__ import annotations

import logging

from shuangfang.events import AlarmNotice, Notice
from shuangfang.orgs.models import Organization, User

from .incidents import open_incident, stop_for_source
from .planning import notify, recipients_for_roles

log = logging.getLogger(__name__)


def tell_people(kind: str, event: Notice) -> None:
    """The people named and the holders of the roles named at the organisation, once per event
    (the outbox runs this once; ``notify`` plans each message's deliveries)."""
    org = Organization.objects.filter(pk=event.organization_id).first()
    if org is None:
        log.warning("%s for unknown organisation %s", kind, event.organization_id)
        return
    people = {u.pk: u for u in User.objects.filter(pk__in=event.recipient_ids, is_active=True)}
    for u in recipients_for_roles(org, event.roles):
        people.setdefault(u.pk, u)
    if not people:
        return
    notify(
        recipients=people.values(),
        kind=kind,
        title=event.title or kind,
        title_msg=event.title_msg,
        url=event.url,
        severity=event.severity,
        organization=org,
        origin=event.origin(kind),
    )


def open_alarm_incident(kind: str, event: AlarmNotice) -> None:
    """An escalating incident for whoever is on duty (idempotent on the alarm)."""
    org = Organization.objects.filter(pk=event.organization_id).first()
    if org is None:
        log.warning("%s for unknown organisation %s", kind, event.organization_id)
        return
    open_incident(
        organization=org,
        kind=kind,
        severity=event.severity,
        title=event.title or kind,
        title_msg=event.title_msg,
        url=event.url,
        source_kind="alarm",
        source_uuid=event.object_uuid,
    )


def stop_alarm_incident(kind: str, event: AlarmNotice) -> None:
    stop_for_source("alarm", event.object_uuid, acknowledged_by_id=event.acknowledged_by_id)


def resolve_alarm_incident(kind: str, event: AlarmNotice) -> None:
    stop_for_source("alarm", event.object_uuid, resolve=True)
