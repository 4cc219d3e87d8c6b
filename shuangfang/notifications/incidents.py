"""Incidents: open an escalating incident with the institution's policy copied onto it, acknowledge
or resolve it (by a person, or when the source app acts on its object), and list the open ones."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shuangfang.core import audit
from shuangfang.core.events import publish
from shuangfang.core.tenancy import can, require
from shuangfang.core.vocabulary import Severity
from shuangfang.orgs.models import Organization, User

from .choices import INCIDENT_TRANSITIONS, IncidentStatus
from .models import (
    Incident,
    Notification,
)
from .planning import institution_of, kick
from .policies import choose_policy

INCIDENT_FIELDS = ["status", "acknowledged_by", "acknowledged_via", "acknowledged_at", "resolved_at"]


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
) -> Incident:
    """Open an escalating incident (idempotent per source while not resolved). The first step
    runs as soon as a worker picks it up, right after commit."""
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
    snapshot = choose_policy(organization, kind, severity)
    try:
        with transaction.atomic():
            incident = Incident.objects.create(
                organization=organization,
                kind=kind,
                severity=severity,
                title=title[:200],
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
    except IntegrityError:  # another worker opened it a moment ago
        return Incident.objects.get(
            source_kind=source_kind,
            source_uuid=str(source_uuid),
            status__in=[IncidentStatus.OPEN, IncidentStatus.ACKNOWLEDGED],
        )
    kick()
    return incident


def may_acknowledge(user: User, incident: Incident) -> bool:
    return (
        can(user, "notifications.incidents", incident.organization)
        or Notification.objects.filter(incident=incident, recipient=user).exists()
    )


def _move(incident: Incident, to: str, **fields) -> bool:
    """Conditional update: only from a status that may move to ``to``. False when it already moved."""
    allowed_from = [s for s, targets in INCIDENT_TRANSITIONS.items() if to in targets]
    return bool(
        Incident.objects.filter(pk=incident.pk, status__in=allowed_from).update(
            status=to, next_escalation_at=None, **fields
        )
    )


@transaction.atomic
def acknowledge_incident(
    *, incident: Incident, actor: User, via: str = "inbox", notify_source: bool = True
) -> Incident:
    """Stop the escalation and record who and when. Acknowledging twice changes nothing."""
    if not may_acknowledge(actor, incident):
        raise PermissionDenied("notifications.acknowledge")
    now = timezone.now()
    if not _move(
        incident,
        IncidentStatus.ACKNOWLEDGED,
        acknowledged_by=actor,
        acknowledged_at=now,
        acknowledged_via=via[:20],
    ):
        incident.refresh_from_db()
        if incident.status == IncidentStatus.RESOLVED:
            raise ValidationError(_("This incident is already resolved."))
        return incident
    incident.refresh_from_db()
    audit.record(
        actor=actor,
        action="notifications.incident_ack",
        obj=incident,
        organization=incident.organization,
        before={"status": IncidentStatus.OPEN},
        after={"status": incident.status, "via": via},
    )
    if notify_source:
        publish(
            "incident.acknowledged",
            organization_id=incident.organization_id,
            object_uuid=str(incident.uuid),
            title=_("%(title)s acknowledged by %(name)s") % {"title": incident.title, "name": actor},
            url=incident.url,
            severity=incident.severity,
            source_kind=incident.source_kind,
            source_uuid=incident.source_uuid,
            acknowledged_by_id=actor.pk,
        )
    return incident


@transaction.atomic
def resolve_incident(*, incident: Incident, actor: User | None = None, via: str = "") -> Incident:
    if actor is not None and not may_acknowledge(actor, incident):
        raise PermissionDenied("notifications.resolve")
    if _move(incident, IncidentStatus.RESOLVED, resolved_at=timezone.now()):
        incident.refresh_from_db()
        audit.record(
            actor=actor,
            action="notifications.incident_resolve",
            obj=incident,
            organization=incident.organization,
            after={"status": incident.status, "via": via},
        )
    else:
        incident.refresh_from_db()
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
        if _move(
            incident,
            IncidentStatus.ACKNOWLEDGED,
            acknowledged_by=by,
            acknowledged_at=timezone.now(),
            acknowledged_via=source_kind[:20],
        ):
            incident.refresh_from_db()
            audit.record(
                actor=by,
                action="notifications.incident_ack",
                obj=incident,
                organization=incident.organization,
                after={"status": incident.status, "via": source_kind},
            )
    return incident


def open_incident_titles(organization: Organization, limit: int = 20) -> list[str]:
    """Titles of the institution's incidents not yet resolved (for the shift handover)."""
    inst = institution_of(organization)
    qs = Incident.objects.filter(organization__path__startswith=inst.path).exclude(
        status=IncidentStatus.RESOLVED
    )
    return [f"{i.title}（{i.get_status_display()}）" for i in qs.order_by("opened_at")[:limit]]
