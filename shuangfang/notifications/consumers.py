"""Consumers (``shuangfang/events.py``): other apps' events become messages and incidents."""

from __future__ import annotations

import logging

from shuangfang.core.outbox import batch_memo
from shuangfang.events import AlarmNotice, HazardNotice, Notice
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
    """An escalating incident for whoever is on duty (idempotent on the alarm), its first step with it.
    The alarms of a storm drained together look their institution up once (``outbox.batch_memo``)."""
    memo = batch_memo()
    key = ("orgs.organization", event.organization_id)
    if key not in memo:
        memo[key] = (
            Organization.objects.select_related("institution").filter(pk=event.organization_id).first()
        )
    org = memo[key]
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
        start_now=True,  # the first SMS goes out with the incident, not after another kick
    )


def stop_alarm_incident(kind: str, event: AlarmNotice) -> None:
    stop_for_source("alarm", event.object_uuid, acknowledged_by_id=event.acknowledged_by_id)


def resolve_alarm_incident(kind: str, event: AlarmNotice) -> None:
    stop_for_source("alarm", event.object_uuid, resolve=True)


# The chased facts of a hazard, each its own incident (one open per hazard and fact).
HAZARD_CHASES = {"hazard.overdue": "hazard_overdue", "hazard.supervision_overdue": "hazard_supervision"}
# Which hazard events end which chases: the fix was handed in or accepted, or a later deadline was
# approved (``hazard.assigned``; the supervision deadline is the bureau's and stays).
HAZARD_STOPS = {
    "hazard.acceptance_needed": ("hazard_overdue", "hazard_supervision"),
    "hazard.closed": ("hazard_overdue", "hazard_supervision"),
    "hazard.assigned": ("hazard_overdue",),
}


def chase_hazard(kind: str, event: HazardNotice) -> None:
    """An overdue hazard (or a passed supervision deadline) escalates like an alarm: the person
    responsible first, then up the chain (``policies.BUILTIN_CHASE_POLICY`` or the institution's
    policy for ``hazard.*``) until someone acknowledges or the hazard is acted on. Once per fact:
    the sweep claims it once, the outbox runs this once, and ``open_incident`` keeps one open
    incident per hazard and fact."""
    org = Organization.objects.filter(pk=event.organization_id).first()
    if org is None:
        log.warning("%s for unknown organisation %s", kind, event.organization_id)
        return
    open_incident(
        organization=org,
        kind=kind,
        severity=event.severity,
        title=event.title or kind,
        url=event.url,
        source_kind=HAZARD_CHASES[kind],
        source_uuid=event.object_uuid,
        lead_user_ids=event.recipient_ids,
    )


def stop_hazard_chase(kind: str, event: HazardNotice) -> None:
    """Someone acted on the hazard: its chase is over (resolved; idempotent)."""
    for source_kind in HAZARD_STOPS.get(kind, ()):
        stop_for_source(source_kind, event.object_uuid, resolve=True)
