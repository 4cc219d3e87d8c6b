"""Incidents: open an escalating incident with the institution's policy copied onto it, acknowledge
or resolve it (by a person, or by the system when the source app acts on its object: moves of
:data:`FLOW`), and list the open ones."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shuangfang.core import audit, messages
from shuangfang.core.events import publish
from shuangfang.core.outbox import batch_memo
from shuangfang.core.tenancy import can, require
from shuangfang.core.vocabulary import Severity
from shuangfang.core.workflow import IllegalTransition, Transition, Workflow
from shuangfang.orgs.models import Organization, User

from . import engine
from .choices import IncidentStatus
from .models import (
    Incident,
    Notification,
)
from .planning import institution_of, kick
from .policies import choose_policy

audit.register_actions(
    {
        "notifications.incident_open": gettext_lazy("Incident opened"),
        "notifications.incident_ack": gettext_lazy("Incident acknowledged"),
        "notifications.incident_ack_by_source": gettext_lazy("Incident acknowledged at its source"),
        "notifications.incident_resolve": gettext_lazy("Incident resolved"),
        "notifications.incident_resolve_by_source": gettext_lazy("Incident resolved at its source"),
    }
)

messages.register({"incident.acknowledged": gettext_lazy("%(title)s acknowledged by %(name)s")})


def open_incident(
    *,
    organization: Organization,
    kind: str,
    severity: str,
    title: str,
    url: str,
    source_kind: str,
    source_uuid,
    actor: User | None = None,
    lead_user_ids: Sequence[int] = (),
    title_msg: dict | None = None,
    start_now: bool = False,
) -> Incident:
    """Open an escalating incident (idempotent per source while not resolved). The first step
    runs as soon as a worker picks it up, right after commit; with ``start_now`` (a worker opening
    it: the outbox consumer of an alarm) in this transaction, and its messages are sent right after
    the commit in this thread (``engine.start``). ``lead_user_ids``: people reached first, before
    the policy's steps (the person responsible for an overdue hazard)."""
    Severity(severity)
    if actor is not None:
        require(actor, "notifications.inbox", organization)
    existing = (
        Incident.objects.filter(source_kind=source_kind, source_uuid=str(source_uuid))
        .exclude(status=IncidentStatus.RESOLVED)
        .first()
    )
    if existing:
        return existing
    memo = batch_memo()  # the incidents of a storm drained together choose their policy once
    key = ("notifications.policy", organization.pk, kind, severity)
    if key not in memo:
        memo[key] = choose_policy(organization, kind, severity)
    snapshot: dict = memo[key]
    if lead_user_ids and snapshot.get("steps"):
        first = snapshot["steps"][0]
        lead = [
            {
                "target": "user",
                "user_id": uid,
                "channels": list(first.get("channels") or ["inbox"]),
                "wait_minutes": first.get("wait_minutes", 5),
            }
            for uid in lead_user_ids
        ]
        snapshot = {**snapshot, "steps": lead + list(snapshot["steps"])}
    try:
        with transaction.atomic():
            incident = Incident.objects.create(
                organization=organization,
                kind=kind,
                severity=severity,
                title=title[:200],  # system-made title: may be cut
                title_msg=title_msg or {},
                url=url,
                source_kind=source_kind,
                source_uuid=str(source_uuid),
                policy_name=snapshot.get("name", ""),
                policy_snapshot=snapshot,
                next_escalation_at=timezone.now() if snapshot.get("steps") else None,
            )
            audit.record(
                actor=actor,
                action="notifications.incident_open",
                obj=incident,
                organization=organization,
                after={"title": incident.title, "policy": incident.policy_name},
            )
            started = start_now and incident.next_escalation_at is not None and engine.start(incident)
    except IntegrityError:  # another worker opened it a moment ago
        return Incident.objects.get(
            source_kind=source_kind,
            source_uuid=str(source_uuid),
            status__in=[IncidentStatus.OPEN, IncidentStatus.ACKNOWLEDGED],
        )
    if not started:
        kick()
    return incident


def may_acknowledge(user: User, incident: Incident) -> bool:
    return (
        can(user, "notifications.incidents", incident.organization)
        or Notification.objects.filter(incident=incident, recipient=user).exists()
    )


# --- The workflow ------------------------------------------------------------------------------


def _may(incident: Incident, actor: User) -> bool:
    return may_acknowledge(actor, incident)


def _stamp_acknowledged(incident: Incident, actor: User | None, context: dict[str, Any]) -> None:
    # When the source app acted (the alarm was acknowledged), the system moves the incident for
    # the person who acted there.
    incident.acknowledged_by = actor if actor is not None else context.get("by")
    incident.acknowledged_at = timezone.now()
    incident.acknowledged_via = str(context.get("via") or "")[:20]
    incident.next_escalation_at = None


def _publish_acknowledged(incident: Incident, actor: User, context: dict[str, Any]) -> None:
    if not context.get("notify_source", True):
        return
    publish(
        "incident.acknowledged",
        organization_id=incident.organization_id,
        object_uuid=str(incident.uuid),
        **messages.title_fields(
            "incident.acknowledged",
            title=messages.nested(incident.title_msg, incident.title),
            name=str(actor),
        ),
        url=incident.url,
        severity=incident.severity,
        source_kind=incident.source_kind,
        source_uuid=incident.source_uuid,
        acknowledged_by_id=actor.pk,
    )


def _stamp_resolved(incident: Incident, actor: User | None, context: dict[str, Any]) -> None:
    incident.resolved_at = timezone.now()
    incident.next_escalation_at = None


OPEN, ACKNOWLEDGED, RESOLVED = IncidentStatus.OPEN, IncidentStatus.ACKNOWLEDGED, IncidentStatus.RESOLVED

# Every status change of an incident. An incident is created open (``open_incident``, not a move);
# the escalation sweep (``engine.run_step``) moves its step, never its status.
FLOW: Workflow[Incident] = Workflow(
    Incident,
    [
        Transition(
            OPEN,
            "ack",
            ACKNOWLEDGED,
            who=_may,
            effects=[_stamp_acknowledged],
            then=[_publish_acknowledged],
            label=gettext_lazy("Acknowledge"),
        ),
        # The source app acknowledged its object (``alarm.acknowledged``): no event back.
        Transition(
            OPEN,
            "ack_by_source",
            ACKNOWLEDGED,
            who=None,
            effects=[_stamp_acknowledged],
            label=gettext_lazy("Acknowledge"),
        ),
        Transition(
            [OPEN, ACKNOWLEDGED],
            "resolve",
            RESOLVED,
            who=_may,
            effects=[_stamp_resolved],
            label=gettext_lazy("Resolve"),
        ),
        # The source app cleared its object (``alarm.cleared``).
        Transition(
            [OPEN, ACKNOWLEDGED],
            "resolve_by_source",
            RESOLVED,
            who=None,
            effects=[_stamp_resolved],
            label=gettext_lazy("Resolve"),
        ),
    ],
    audit_prefix="notifications.incident_",
    audited=("acknowledged_via",),
)


def _move(incident: Incident, action: str, *, actor: User | None, **context: Any) -> bool:
    """Make ``action`` from the incident's state in the database (the copy in hand may be behind:
    the alarm was acknowledged meanwhile). False when it is no longer possible (already moved)."""
    for _try in range(2):  # statuses only go forward: one retry from the fresh state is enough
        try:
            FLOW.move(incident, action, actor=actor, **context)
            return True
        except IllegalTransition:
            seen = incident.status
            incident.refresh_from_db()
            if incident.status == seen:
                return False
    return False


@transaction.atomic
def acknowledge_incident(
    *, incident: Incident, actor: User, via: str = "inbox", notify_source: bool = True
) -> Incident:
    """Stop the escalation and record who and when. Acknowledging twice changes nothing."""
    if not may_acknowledge(actor, incident):
        raise PermissionDenied("notifications.acknowledge")
    moved = _move(incident, "ack", actor=actor, via=via, notify_source=notify_source)
    if not moved and incident.status == IncidentStatus.RESOLVED:
        raise ValidationError(_("This incident is already resolved."))
    return incident


@transaction.atomic
def resolve_incident(*, incident: Incident, actor: User | None = None, via: str = "") -> Incident:
    """Resolve (idempotent): by a person, or by the system when the source app cleared its object."""
    if actor is not None and not may_acknowledge(actor, incident):
        raise PermissionDenied("notifications.resolve")
    _move(incident, "resolve" if actor is not None else "resolve_by_source", actor=actor, note=via)
    return incident


def stop_for_source(
    source_kind: str, source_uuid: str, *, acknowledged_by_id: int | None = None, resolve: bool = False
) -> Incident | None:
    """The source app acknowledged or cleared its object: stop that incident (idempotent)."""
    incident = (
        Incident.objects.filter(source_kind=source_kind, source_uuid=str(source_uuid))
        .exclude(status=IncidentStatus.RESOLVED)
        .first()
    )
    if incident is None:
        return None
    if resolve:
        return resolve_incident(incident=incident, via=source_kind)
    with transaction.atomic():
        by = User.objects.filter(pk=acknowledged_by_id).first() if acknowledged_by_id else None
        _move(incident, "ack_by_source", actor=None, by=by, via=source_kind, note=source_kind)
    return incident


def open_incident_titles(organization: Organization, limit: int = 20, source_kinds=("alarm",)) -> list[str]:
    """Titles of the institution's incidents not yet resolved, of alarms and offline devices (for
    the shift handover; a chased hazard is listed with the open hazards)."""
    inst = institution_of(organization)
    qs = Incident.objects.filter(
        organization__path__startswith=inst.path, source_kind__in=source_kinds
    ).exclude(status=IncidentStatus.RESOLVED)
    return [f"{i.shown_title}（{i.get_status_display()}）" for i in qs.order_by("opened_at")[:limit]]


def handover_alarm_lines(institution: Organization, start, end) -> list[str]:
    """Active alarms for the shift handover (duty's registry, section "alarms")."""
    return open_incident_titles(institution)
