"""Subscriptions: a sensor alarm (or a device gone offline) that should open a hazard does so,
idempotently on ``origin="alarm:<uuid>"``."""

from __future__ import annotations

import logging
from typing import Any

from shuangfang.core.events import subscribe

log = logging.getLogger(__name__)


@subscribe("alarm.opened")
@subscribe("device.offline")
def open_hazard_from_alarm(kind: str, payload: dict) -> None:
    if not payload.get("open_hazard"):
        return
    from shuangfang.orgs.models import Organization

    from .choices import Category, Source
    from .services import report_hazard

    org = Organization.objects.filter(pk=payload.get("organization_id") or 0).first()
    if org is None or org.institution_id is None:
        log.warning("%s for unknown institution %s", kind, payload.get("organization_id"))
        return
    description = payload.get("hazard_description") or payload.get("title") or kind
    origin = (
        f"alarm:{payload.get('object_uuid')}"
        if kind == "alarm.opened"
        else (f"device:{payload.get('device_uuid') or payload.get('object_uuid')}")
    )
    report_hazard(
        actor=None,
        organization=org,
        description=description,
        title=payload.get("title", "")[:120],
        source=Source.SENSOR,
        category=Category.FIRE if "smoke" in str(payload.get("alarm_type", "")) else "",
        origin=origin,
    )


@subscribe("inspection.problem_found")
def open_hazard_from_inspection(kind: str, payload: dict) -> None:
    """An item marked "problem" in an inspection becomes one hazard (idempotent on its origin), with
    the inspection's photos, place, department and risk point."""
    from django.core.exceptions import PermissionDenied

    from shuangfang.inspections.models import RecordPhoto
    from shuangfang.orgs.models import Organization, User
    from shuangfang.risks.models import RiskPoint

    from .choices import Source
    from .services import report_hazard

    org = Organization.objects.filter(pk=payload.get("organization_id") or 0).first()
    if org is None or org.institution_id is None:
        log.warning("%s for unknown institution %s", kind, payload.get("organization_id"))
        return
    names = payload.get("photo_names") or []
    photos = [
        (p.original, p.display, p.thumb)
        for p in RecordPhoto.objects.filter(
            original__in=names, record_item__uuid=str(payload.get("object_uuid") or "")
        )
    ]
    fields: dict[str, Any] = {
        "organization": org,
        "description": payload.get("description") or payload.get("title") or kind,
        "title": str(payload.get("title", ""))[:120],
        "source": Source.ROUTINE,
        "category": payload.get("category") or "",
        "grade": payload.get("grade") or None,
        "location": payload.get("location") or "",
        "department": Organization.objects.filter(pk=payload.get("department_id") or 0).first(),
        "risk_point": RiskPoint.objects.filter(pk=payload.get("risk_point_id") or 0).first(),
        "origin": payload.get("origin") or f"inspection-item:{payload.get('object_uuid')}",
        "stored_photos": photos,
    }
    reporter = User.objects.filter(pk=payload.get("reporter_id") or 0).first()
    try:
        report_hazard(actor=reporter, **fields)
    except PermissionDenied:  # e.g. a bureau inspector: the system records it on their behalf
        report_hazard(actor=None, **fields)
