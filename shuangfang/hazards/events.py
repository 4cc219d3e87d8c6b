"""Subscriptions: a sensor alarm (or a device gone offline) that should open a hazard does so,
idempotently on ``origin="alarm:<uuid>"``."""

from __future__ import annotations

import logging

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
