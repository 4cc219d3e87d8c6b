from __future__ import annotations

from datetime import datetime
from uuid import UUID

from ninja import Router, Schema
from ninja.pagination import paginate

from .incidents import acknowledge_incident
from .models import Incident, Notification
from .views import _incident_for

router = Router(tags=["notifications"])


class NotificationOut(Schema):
    uuid: UUID
    kind: str
    severity: str
    title: str
    url: str
    created_at: datetime
    read_at: datetime | None
    incident: UUID | None

    @staticmethod
    def resolve_incident(obj: Notification) -> UUID | None:
        return obj.incident.uuid if obj.incident_id and obj.incident else None


class IncidentOut(Schema):
    uuid: UUID
    kind: str
    severity: str
    title: str
    status: str
    acknowledged_at: datetime | None
    acknowledged_via: str


@router.get("/inbox", response=list[NotificationOut], summary="Your notifications, newest first")
@paginate
def inbox(request):
    return Notification.objects.filter(recipient=request.auth).select_related("incident")


@router.post(
    "/incidents/{uuid}/ack", response=IncidentOut, summary="Acknowledge an incident (stops escalation)"
)
def acknowledge(request, uuid: UUID) -> Incident:
    incident = _incident_for(request.auth, uuid)
    return acknowledge_incident(incident=incident, actor=request.auth, via="api")
