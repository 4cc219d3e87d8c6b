"""Standards values as data, checked against domain-reference: the edges of a permitted band do not
alarm (§7.2, 198–235 V), checklist grades agree with their basis (D02 like B08, Art. 4), retention
is "three months" (§4.6), and an unverified method says so. Each stored value has a data migration
for existing installs, tested here on rows holding the old values."""

from __future__ import annotations

from importlib import import_module

import pytest
from django.apps import apps
from django.urls import reverse

from shuangfang.inspections import seed as inspection_seed
from shuangfang.inspections.models import LibraryItem
from shuangfang.monitoring.catalogue import BAND_EDGE_TYPES
from shuangfang.monitoring.models import AlarmRule
from shuangfang.monitoring.rules import ensure_default_rules
from shuangfang.risks.models import AssessmentMethod
from shuangfang.risks.tests.fixtures import risk_world


@pytest.fixture
def rules(db):
    ensure_default_rules()
    return list(AlarmRule.objects.filter(organization__isnull=True).exclude(threshold=None))


@pytest.mark.parametrize(
    ("alarm_type", "inside", "outside"), [("overvoltage", 235, 235.1), ("undervoltage", 198, 197.9)]
)
def test_the_edges_of_the_permitted_voltage_band_do_not_alarm(rules, alarm_type, inside, outside):
    found = [r for r in rules if r.alarm_type == alarm_type]
    assert found
    for rule in found:
        assert rule.threshold == inside
        assert not rule.breached(inside) and rule.breached(outside)


def test_every_other_threshold_is_a_setting_that_alarms_when_reached(rules):
    for rule in rules:
        at_threshold = rule.breached(rule.threshold)
        assert at_threshold is (rule.alarm_type not in BAND_EDGE_TYPES), rule


def test_the_migration_moves_stored_voltage_rules_to_band_edges(rules):
    AlarmRule.objects.update(threshold_breaches=True)
    import_module("shuangfang.monitoring.migrations.0007_rule_band_edges").band_edges(apps, None)
    stored = AlarmRule.objects.filter(alarm_type__in=BAND_EDGE_TYPES)
    assert stored.exists() and not stored.filter(threshold_breaches=True).exists()


@pytest.fixture
def library(db):
    inspection_seed.load(only_if_missing=True)
    return {i.code: i for i in LibraryItem.objects.all()}


def test_special_equipment_is_a_major_hazard_in_both_items(library):
    assert library["B08"].default_grade == library["D02"].default_grade == "major"


def test_footage_is_kept_three_months_not_ninety_days(library):
    assert "3个月" in library["E03"].text and "90天" not in library["E03"].text


def test_the_migration_corrects_the_library_and_unedited_checklist_copies(library):
    migration = import_module("shuangfang.inspections.migrations.0006_standards_values")
    LibraryItem.objects.filter(code="D02").update(default_grade="general")
    LibraryItem.objects.filter(code="E03").update(text=migration.E03_OLD)
    migration.forwards(apps, None)
    assert LibraryItem.objects.get(code="D02").default_grade == "major"
    assert LibraryItem.objects.get(code="E03").text == migration.E03_NEW


def test_ls_variant_a_is_tagged_unverified_and_the_warning_shows(world, login):
    method = AssessmentMethod.objects.get(code="ls_a", is_current=True)
    assert method.confidence == "unverified"
    AssessmentMethod.objects.filter(pk=method.pk).update(confidence="common")
    import_module("shuangfang.risks.migrations.0004_ls_a_unverified").forwards(apps, None)
    method.refresh_from_db()
    assert method.confidence == "unverified"
    client = login(world.users["safety_officer"])
    page = client.get(reverse("risks:methods"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    factor = risk_world(world).factor
    assess = client.get(reverse("risks:assess", args=[factor.uuid]) + "?method=ls_a").content.decode()
    assert "未核实" in page and "风险矩阵法（LS，方案A）" in page
    assert "未核实" in assess
