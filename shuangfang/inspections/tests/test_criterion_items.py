"""Checklist items link to the major-hazard criteria by code (issue 22): an unknown code is refused,
a problem on such an item is a major hazard citing the criterion, and old free text was migrated to
a code where it matched exactly."""

from __future__ import annotations

import importlib

import pytest
import time_machine
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError

from shuangfang.core import outbox
from shuangfang.hazards.models import Hazard
from shuangfang.inspections.checklists import update_item
from shuangfang.inspections.models import ChecklistItem

from .conftest import local
from .test_submit import answers, task  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db

CODE = "elderly-2023-5-2"  # 内设食堂的，未依法取得食品经营许可证；


@pytest.fixture
def elderly(world):
    world.inst_a.institution_type = "elderly_care"
    world.inst_a.save(update_fields=["institution_type"])


def test_an_unknown_code_is_refused(world, setup, elderly):
    item = ChecklistItem.objects.get(source_ref="C04")
    with pytest.raises(ValidationError, match="no major-hazard criterion"):
        update_item(actor=world.users["safety_officer"], item=item, criterion_code="elderly-2023-5-9")
    item.refresh_from_db()
    assert item.criterion_code == ""


def test_a_problem_on_a_criterion_item_is_a_major_hazard_citing_it(world, elderly, task):  # noqa: F811
    from shuangfang.inspections.taskflow import submit_record

    item = ChecklistItem.objects.get(source_ref="C04")
    update_item(actor=world.users["safety_officer"], item=item, criterion_code=CODE)
    with time_machine.travel(local(2026, 6, 1, 8, 30), tick=False):
        submit_record(actor=world.users["staff"], task=task, answers=answers(task), note="")
        outbox.drain()
    hazard = Hazard.objects.get()
    assert hazard.grade == "major" and hazard.criterion is not None and hazard.criterion.code == CODE


def test_free_text_is_migrated_to_a_code_only_where_it_matches(world, setup):
    officer = world.users["safety_officer"]
    items = list(ChecklistItem.objects.order_by("id")[:3])
    texts = [CODE, "内设食堂的，未依法取得食品经营许可证；", "养老机构重大事故隐患判定标准 第4条"]
    for item, text in zip(items, texts, strict=True):
        update_item(actor=officer, item=item, major_criterion=text)
    migration = importlib.import_module("shuangfang.inspections.migrations.0009_criterion_codes_from_text")
    migration.link(django_apps, None)
    codes = [ChecklistItem.objects.get(pk=i.pk).criterion_code for i in items]
    assert codes == [CODE, CODE, ""]
