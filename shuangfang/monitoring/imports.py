"""Devices as people keep them in Excel (the installer's list: id, name, type, place), registered
all at once through ``devices.register_device``. A device's connection secret is not put in any
file: it is shown on the device's page when its token is rotated, at installation."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from shuangfang.core import importing
from shuangfang.core.importing import Col, RowProblem
from shuangfang.orgs.models import Organization, OrgKind

from .choices import DeviceKind
from .devices import register_device
from .models import Device

COLUMNS = [
    Col("code", gettext_lazy("device id"), True, "GAS-0001"),
    Col("name", gettext_lazy("name"), True, "厨房燃气探测器"),
    Col("kind", gettext_lazy("device type"), True, str(DeviceKind.GAS.label)),
    Col("department", gettext_lazy("department"), False, "后勤科"),
    Col("building", gettext_lazy("building"), False, "1号楼"),
    Col("floor", gettext_lazy("floor"), False, "1"),
    Col("location", gettext_lazy("location"), False, "厨房灶台上方"),
    Col("heartbeat", gettext_lazy("heartbeat interval (seconds)"), False, 300),
    Col("gateway", pgettext_lazy("import", "Gateway id"), False, ""),
]
LIMITS = {"code": 64, "name": 100, "building": 60, "floor": 20, "location": 120}


def _prepare(actor, institution) -> dict[str, Any]:
    departments = Organization.objects.filter(institution=institution, kind=OrgKind.DEPARTMENT)
    return {"departments": {d.name: d for d in departments}, "codes": {}}


def _check(row: dict[str, Any], ctx: dict[str, Any]) -> dict[str, Any]:
    values = {key: importing.text(row.get(key)) for key in LIMITS}
    for key, limit in LIMITS.items():
        if len(values[key]) > limit:
            raise RowProblem(key, _("At most %(n)d characters.") % {"n": limit})
    code, name = importing.required(row, "code"), importing.required(row, "name")
    if code in ctx["codes"]:
        raise RowProblem("code", _("Repeats row %(row)d.") % {"row": ctx["codes"][code]})
    ctx["codes"][code] = row["_row"]
    if Device.objects.filter(code=code).exists():
        raise RowProblem("code", _("A device with this id is already registered."))
    kind = importing.choice(importing.required(row, "kind"), DeviceKind.choices, "kind")
    dept_name = importing.text(row.get("department"))
    department = ctx["departments"].get(dept_name) if dept_name else None
    if dept_name and department is None:
        raise RowProblem("department", _("No department named %(name)s here.") % {"name": dept_name})
    heartbeat = importing.number(row.get("heartbeat"), "heartbeat", minimum=10) or 300
    gateway = importing.text(row.get("gateway"))
    if (
        gateway
        and gateway not in ctx["codes"]
        and not Device.objects.filter(
            code=gateway, organization=ctx["organization"], kind=DeviceKind.GATEWAY
        ).exists()
    ):
        raise RowProblem(
            "gateway", _("No gateway %(code)s here (list it in a row above).") % {"code": gateway}
        )
    return {
        **{k: values[k] for k in ("building", "floor", "location")},
        "code": code,
        "name": name,
        "kind": kind,
        "department": department,
        "heartbeat_seconds": heartbeat,
        "gateway_code": gateway,
    }


def _save(plan: dict[str, Any], ctx: dict[str, Any]) -> None:
    gateway_code = plan.pop("gateway_code")
    gateway = (
        Device.objects.filter(code=gateway_code, organization=ctx["organization"]).first()
        if gateway_code
        else None
    )
    register_device(actor=ctx["actor"], organization=ctx["organization"], gateway=gateway, **plan)


importing.register(
    importing.Sheet(
        name="monitoring.devices",
        title=gettext_lazy("Devices"),
        perm="monitoring.manage",
        columns=COLUMNS,
        check=_check,
        save=_save,
        prepare=_prepare,
        done_url=lambda org: reverse("monitoring:devices"),
        help=gettext_lazy(
            "One row per device. A gateway is listed above the devices behind it. Each device's "
            "connection token is shown on its page (rotate the token) when it is installed."
        ),
    )
)
