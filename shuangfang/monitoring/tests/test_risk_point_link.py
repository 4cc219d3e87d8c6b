"""Devices sit at risk points of the risk register."""

import pytest
from django.core.exceptions import ValidationError

from shuangfang.monitoring.devices import register_device, update_device
from shuangfang.risks import services as risks


def test_a_device_is_bound_to_a_risk_point_of_its_own_institution(world, login):
    officer = world.users["safety_officer"]
    point = risks.create_risk_point(actor=officer, institution=world.inst_a, name="配电室")
    device, _raw = register_device(
        actor=officer,
        organization=world.inst_a,
        kind="smoke",
        code="rp-smoke-1",
        name="配电室烟感",
        risk_point=point,
    )
    assert device.risk_point == point and list(point.devices.all()) == [device]
    page = login(officer).get(f"/monitoring/devices/{device.uuid}/").content.decode()
    assert f"/risks/points/{point.uuid}/" in page
    other = risks.create_risk_point(actor=world.users["outsider"], institution=world.inst_b, name="B 配电室")
    with pytest.raises(ValidationError):
        register_device(
            actor=officer,
            organization=world.inst_a,
            kind="smoke",
            code="rp-smoke-2",
            name="x",
            risk_point=other,
        )
    with pytest.raises(ValidationError):
        update_device(actor=officer, device=device, risk_point=other)
