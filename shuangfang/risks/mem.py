"""The risk side of the MEM entity chain (domain-reference §6.2–6.4): an institution as the risk
analysis object, a risk point as the risk analysis unit, a hazard factor as the risk event and a
control measure as the control measure. Field names and the ``classify1``/``classify2`` lists are
the ones of §6.3 (vendor evidence; the official specification text was not retrieved); what §6.3
does not give is marked in ``docs/mem-upload.md`` as ours. Used by the pull API
(``GET /api/v1/risks/mem``) and by the regulator upload (``webhooks.mem``), so both send the same."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from shuangfang.orgs.models import Membership, Organization
from shuangfang.orgs.roles import Role

from .choices import MeasureCategory
from .models import ControlMeasure, HazardFactor, RiskPoint

# classify1 / classify2 of §6.3 (hazardous-chemicals lists). Our five categories are mapped onto
# them; management and training have no category of their own there (our choice, documented).
MEM_CLASSIFY: dict[str, tuple[str, str]] = {
    MeasureCategory.ENGINEERING: ("工程技术", "其他"),
    MeasureCategory.MANAGEMENT: ("操作行为", "其他"),
    MeasureCategory.TRAINING: ("操作行为", "人员资质"),
    MeasureCategory.PROTECTION: ("应急措施", "个体防护"),
    MeasureCategory.EMERGENCY: ("应急措施", "其他"),
}


def mem_time(value: dt.datetime | None) -> str | None:
    """``yyyy-MM-dd HH:mm:ss`` in local time (§6.3)."""
    if value is None:
        return None
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")


def company_code(org: Organization) -> str:
    """The institution's code (``companyCode`` and the object's ``hazardCode``): its unit code, or
    its uuid when it has none."""
    return org.code or str(org.uuid)


def heads(org_ids: Iterable[int]) -> dict[int, str]:
    """The institution head's name per institution (one query): the person liable for the object
    and, as a risk point names no person, for its units."""
    out: dict[int, str] = {}
    rows = (
        Membership.objects.active()
        .filter(organization_id__in=list(org_ids), role=Role.INSTITUTION_HEAD)
        .order_by("organization_id", "created_at")
        .values_list("organization_id", "user__name")
    )
    for org_id, name in rows:
        out.setdefault(org_id, name)
    return out


def common(uuid: Any, org: Organization, created: dt.datetime | None, updated: dt.datetime | None) -> dict:
    return {
        "id": str(uuid),
        "companyCode": company_code(org),
        "deleted": 0,
        "createDate": mem_time(created),
        "createBy": None,
        "updateDate": mem_time(updated),
        "updateBy": None,
    }


def mem_object(org: Organization, head: str | None) -> dict:
    return {
        **common(org.uuid, org, org.created_at, org.created_at),
        "deleted": 0 if org.is_active else 1,
        "hazardCode": company_code(org),
        "hazardName": org.name,
        "hazardDep": org.name,
        "hazardLiablePerson": head,
    }


def mem_unit(point: RiskPoint, head: str | None) -> dict:
    org = point.organization
    return {
        **common(point.uuid, org, point.created_at, point.updated_at),
        "deleted": 0 if point.is_active else 1,
        "hazardCode": company_code(org),
        "riskUnitName": point.name,
        "hazardDep": point.department.name if point.department_id and point.department else org.name,
        "hazardLiablePerson": head,
    }


def mem_event(factor: HazardFactor) -> dict:
    point = factor.risk_point
    return {
        **common(factor.uuid, point.organization, factor.created_at, factor.updated_at),
        "deleted": 0 if point.is_active else 1,
        "riskUnitId": str(point.uuid),
        "riskEventName": factor.description,
    }


def mem_measure(measure: ControlMeasure) -> dict:
    point = measure.factor.risk_point
    classify1, classify2 = MEM_CLASSIFY.get(measure.category, (None, None))
    return {
        **common(measure.uuid, point.organization, measure.created_at, measure.updated_at),
        "deleted": 0 if point.is_active else 1,
        "riskEventId": str(measure.factor.uuid),
        "dataSrc": None,
        "riskMeasureDesc": measure.description,
        "classify1": classify1,
        "classify2": classify2,
        "classify3": None,
        "troubleshootContent": measure.what_to_check or measure.description,
    }


def points() -> Any:
    return RiskPoint.objects.select_related("organization", "department")


def factors() -> Any:
    return HazardFactor.objects.select_related("risk_point__organization")


def measures() -> Any:
    return ControlMeasure.objects.select_related("factor__risk_point__organization")


def chain(points_qs: Any, factors_qs: Any, measures_qs: Any) -> list[tuple[str, dict]]:
    """(entity, record) of the given points, factors and measures, parents first: the units, then
    the events, then the measures. Three queries and one for the heads."""
    pts, fcs, mss = list(points_qs), list(factors_qs), list(measures_qs)
    who = heads({p.organization_id for p in pts})
    return (
        [("unit", mem_unit(p, who.get(p.organization_id))) for p in pts]
        + [("event", mem_event(f)) for f in fcs]
        + [("measure", mem_measure(m)) for m in mss]
    )
