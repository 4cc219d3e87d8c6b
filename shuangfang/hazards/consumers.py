"""Consumers (``shuangfang/events.py``): a sensor alarm or a device gone offline whose rule says so,
and a problem found in an inspection, each become one hazard, idempotent on the event's origin."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError

from shuangfang.core.vocabulary import CheckCategory, HazardGrade
from shuangfang.events import AlarmNotice, ProblemFound, SituationFound
from shuangfang.orgs.models import Organization, User

from .choices import Source
from .services import cited, report_hazard

log = logging.getLogger(__name__)


def _institution(organization_id: int, kind: str) -> Organization | None:
    org = Organization.objects.filter(pk=organization_id).first()
    if org is None or org.institution_id is None:
        log.warning("%s for unknown institution %s", kind, organization_id)
        return None
    return org


def hazard_from_alarm(kind: str, event: AlarmNotice) -> None:
    if not event.open_hazard:
        return
    org = _institution(event.organization_id, kind)
    if org is None:
        return
    origin = f"alarm:{event.object_uuid}" if kind == "alarm.opened" else f"device:{event.device_uuid}"
    fields: dict[str, Any] = {
        "organization": org,
        "description": event.hazard_description or event.title or kind,
        "title": event.title[:120],  # system-made title (an alarm, a problem): may be cut
        "title_msg": event.title_msg,
        "source": Source.SENSOR,
        "category": CheckCategory.FIRE if "smoke" in event.alarm_type else "",
        "origin": origin,
    }
    _cite(fields, event.criterion_code, org)
    report_hazard(actor=None, **fields)


def _cite(fields: dict[str, Any], code: str, org: Organization) -> None:
    """A hazard filed for a criterion (a rule's, a checklist item's, a self-check answer's) is major
    and cites it; a code no longer citable by then (superseded since) is kept in the description
    for the officer, and the hazard is still filed major."""
    if not code:
        return
    fields["grade"] = HazardGrade.MAJOR
    try:
        fields["criterion_code"] = cited(code, org).code
    except ValidationError:
        fields["description"] += f"（{code}）"


def hazard_from_inspection(kind: str, event: ProblemFound) -> None:
    """With the inspection's photos, place, department and risk point."""
    from shuangfang.inspections.models import RecordPhoto
    from shuangfang.risks.models import RiskPoint

    org = _institution(event.organization_id, kind)
    if org is None:
        return
    photos = [
        (p.original, p.display, p.thumb, p.taken_at, p.latitude, p.longitude)
        for p in RecordPhoto.objects.filter(
            original__in=event.photo_names, record_item__uuid=event.object_uuid
        )
    ]
    fields: dict[str, Any] = {
        "organization": org,
        "description": event.description or event.title or kind,
        "title": event.title[:120],  # system-made, as above
        "title_msg": event.title_msg,
        "source": Source.ROUTINE,
        "category": event.category,
        "grade": event.grade or None,
        "location": event.location,
        "department": Organization.objects.filter(pk=event.department_id or 0).first(),
        "risk_point": RiskPoint.objects.filter(pk=event.risk_point_id or 0).first(),
        "origin": event.origin(kind),
        "stored_photos": photos,
    }
    reporter = User.objects.filter(pk=event.reporter_id or 0).first()
    _cite(fields, event.criterion_code, org)
    try:
        report_hazard(actor=reporter, **fields)
    except PermissionDenied:  # e.g. a bureau inspector: the system records it on their behalf
        report_hazard(actor=None, **fields)


def hazard_from_selfcheck(kind: str, event: SituationFound) -> None:
    """One major hazard citing the criterion, once per answer (the origin is the answer's)."""
    org = _institution(event.organization_id, kind)
    if org is None:
        return
    fields: dict[str, Any] = {
        "organization": org,
        "description": event.description,
        "title": event.title[:120],  # the situation's text: may be cut
        "source": Source.SPECIALIST,
        "origin": event.origin(kind),
    }
    _cite(fields, event.criterion_code, org)
    reporter = User.objects.filter(pk=event.reporter_id).first()
    try:
        report_hazard(actor=reporter, **fields)
    except PermissionDenied:
        report_hazard(actor=None, **fields)
