"""A control measure is one thing wherever it is used: edited in the register, the checklist items
made from it follow (through the outbox); its text changed in the inventory Excel, it is updated,
not added a second time (matched by its key)."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from shuangfang.core import outbox
from shuangfang.inspections.checklists import add_measure_items, create_checklist
from shuangfang.inspections.models import ChecklistItem
from shuangfang.risks import inventory, services
from shuangfang.risks.models import ControlMeasure, HazardFactor
from shuangfang.risks.tests.fixtures import risk_world


def _items(world):
    rw = risk_world(world)
    officer = world.users["safety_officer"]
    checklist = create_checklist(
        actor=officer, organization=world.inst_a, name="厨房日查", kind="post", category="fire"
    )
    add_measure_items(actor=officer, checklist=checklist, risk_point=rw.point, category="fire")
    return rw, officer, ChecklistItem.objects.get(source_kind="control_measure")


def test_a_measure_edited_in_the_register_reaches_its_checklist_items(
    world, django_capture_on_commit_callbacks
):
    rw, officer, item = _items(world)
    assert item.text == "报警器是否正常"
    services.update_measure(actor=officer, measure=rw.measure, what_to_check="报警器自检灯是否闪烁")
    outbox.drain()
    item.refresh_from_db()
    assert item.text == "报警器自检灯是否闪烁" and item.is_active
    services.delete_measure(actor=officer, measure=rw.measure)
    outbox.drain()
    item.refresh_from_db()
    assert not item.is_active


def _xlsx(rows) -> SimpleUploadedFile:
    wb = Workbook()
    ws = wb.worksheets[0]
    ws.append(inventory.headers())
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return SimpleUploadedFile("inv.xlsx", buf.getvalue())


def test_a_measure_text_changed_in_the_inventory_excel_is_updated_not_added(world):
    rw = risk_world(world)
    officer = world.users["safety_officer"]
    rows = [list(r) for r in inventory.export_rows(HazardFactor.objects.filter(pk=rw.factor.pk))]
    keys = [k for k, _l, _r in inventory.COLUMNS]
    row = rows[0]
    assert row[keys.index("measure_keys")] == rw.measure.uuid.hex[:8]
    row[keys.index("m_engineering")] = "安装可燃气体报警器并联动切断阀"
    result = inventory.import_inventory(actor=officer, institution=world.inst_a, upload=_xlsx(rows))
    assert result.ok, result.errors
    measures = list(ControlMeasure.objects.filter(factor=rw.factor))
    assert len(measures) == 1
    assert measures[0].pk == rw.measure.pk and measures[0].description == "安装可燃气体报警器并联动切断阀"
