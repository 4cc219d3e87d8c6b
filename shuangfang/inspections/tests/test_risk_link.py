"""Inspections meet the risk register: checklist items from control measures, and a risk point's QR
code leading to the tasks due at its checkpoints."""

import pytest
from django.core.exceptions import ValidationError

from shuangfang.inspections.checklists import add_measure_items, create_checklist, create_checkpoint
from shuangfang.inspections.models import ChecklistItem
from shuangfang.risks import services as risks


def kitchen(world):
    officer = world.users["safety_officer"]
    point = risks.create_risk_point(actor=officer, institution=world.inst_a, name="厨房")
    factor = risks.add_factor(actor=officer, point=point, description="燃气泄漏", factor_class="things")
    measure = risks.add_measure(
        actor=officer,
        factor=factor,
        category="engineering",
        description="安装燃气泄漏报警器并联动切断阀",
        what_to_check="燃气报警器指示灯正常,切断阀开关灵活",
    )
    risks.add_measure(actor=officer, factor=factor, category="management", description="制度上墙")
    return point, measure


def test_checklist_items_come_from_a_risk_points_measures_once(world):
    point, measure = kitchen(world)
    officer = world.users["safety_officer"]
    checklist = create_checklist(
        actor=officer, organization=world.inst_a, name="厨房日查", kind="post", category="food"
    )
    added = add_measure_items(actor=officer, checklist=checklist, risk_point=point, category="food")
    assert len(added) == 1  # the measure without "what to check" gives no item
    item = added[0]
    assert item.text == "燃气报警器指示灯正常,切断阀开关灵活"
    assert (item.source_kind, item.source_ref) == ("control_measure", str(measure.uuid))
    assert point.code in item.basis
    with pytest.raises(ValidationError):
        add_measure_items(actor=officer, checklist=checklist, risk_point=point, category="food")
    assert ChecklistItem.objects.filter(checklist=checklist).count() == 1


def test_another_institutions_risk_point_is_refused(world):
    point, _m = kitchen(world)
    head_b = world.users["outsider"]
    checklist = create_checklist(
        actor=head_b, organization=world.inst_b, name="B 厨房", kind="post", category="food"
    )
    with pytest.raises(ValidationError):
        add_measure_items(actor=head_b, checklist=checklist, risk_point=point, category="food")


def test_the_checklist_page_adds_items_from_measures(world, login):
    point, _m = kitchen(world)
    officer = world.users["safety_officer"]
    checklist = create_checklist(
        actor=officer, organization=world.inst_a, name="厨房日查", kind="post", category="food"
    )
    client = login(officer)
    response = client.post(
        f"/inspections/checklists/{checklist.uuid}/",
        {"form": "measures", "risk_point": point.pk, "category": "food"},
        follow=True,
    )
    assert "已从风险清单添加 1 个检查项" in response.content.decode()


def test_scanning_a_risk_point_leads_to_its_checkpoint(world, login):
    point, _m = kitchen(world)
    officer = world.users["safety_officer"]
    cp = create_checkpoint(actor=officer, organization=world.inst_a, name="厨房门口", risk_point=point)
    response = login(world.users["staff"]).get(f"/inspections/risk-points/{point.uuid}/")
    assert response.status_code == 302
    assert response["Location"] == f"/inspections/checkpoints/{cp.uuid}/"
    assert login(world.users["outsider"]).get(f"/inspections/risk-points/{point.uuid}/").status_code == 404
    page = login(world.users["staff"]).get(f"/risks/points/{point.uuid}/").content.decode()
    assert f"/inspections/risk-points/{point.uuid}/" in page
