"""An alarm rule carries a major-hazard criterion (issue 22): set on the institution's rule by code,
refused when the code names no citable criterion for it; the hazard the alarm opens is major, cites
the criterion and the bureau is told."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from shuangfang.core import outbox
from shuangfang.core.events import published
from shuangfang.hazards.models import Hazard
from shuangfang.monitoring.ingestion import ingest
from shuangfang.monitoring.models import AlarmRule
from shuangfang.monitoring.rules import cite_in_rule, ensure_default_rules, invalidate_rules
from shuangfang.orgs.models import Organization

from .conftest import T0, event

pytestmark = pytest.mark.django_db
NOW = T0 + dt.timedelta(minutes=10)
CODE = "elderly-2023-4-2"


def smoke_rule() -> AlarmRule:
    ensure_default_rules()
    return AlarmRule.objects.defaults().get(device_kind="smoke", alarm_type="smoke")


@pytest.fixture
def elderly(world):
    Organization.objects.filter(pk=world.inst_a.pk).update(institution_type="elderly_care")
    world.inst_a.refresh_from_db()
    return world.inst_a


def test_the_hazard_an_alarm_opens_cites_the_rules_criterion(world, kit, elderly):
    rule = cite_in_rule(
        actor=world.users["safety_officer"], organization=elderly, base=smoke_rule(), code=CODE
    )
    assert rule.organization_id == elderly.pk and rule.criterion_code == CODE and rule.open_hazard
    assert smoke_rule().criterion_code == ""  # the default (every institution type) is untouched
    invalidate_rules()
    ingest([(kit.gateway, event("SM-0001", T0, "alarm", "smoke", msg_id="m-1"))], transport="test", now=NOW)
    outbox.drain()
    hazard = Hazard.objects.get()
    assert hazard.grade == "major" and hazard.criterion is not None and hazard.criterion.code == CODE
    assert [p["hazard_id"] for _, p in published("hazard.criterion_cited")] == [hazard.pk]


def test_a_rule_without_a_criterion_files_no_grade(world, kit, elderly):
    invalidate_rules()
    ingest([(kit.gateway, event("SM-0001", T0, "alarm", "smoke", msg_id="m-1"))], transport="test", now=NOW)
    outbox.drain()
    hazard = Hazard.objects.get()
    assert hazard.criterion is None and hazard.grade != "major"


def test_bad_codes_and_outsiders_are_refused(world, elderly):
    officer = world.users["safety_officer"]
    with pytest.raises(ValidationError):
        cite_in_rule(actor=officer, organization=elderly, base=smoke_rule(), code="elderly-2023-9-9")
    with pytest.raises(ValidationError):  # a child-welfare criterion at an elderly-care home
        cite_in_rule(actor=officer, organization=elderly, base=smoke_rule(), code="child-welfare-2024-3-1")
    with pytest.raises(PermissionDenied):
        cite_in_rule(actor=world.users["outsider"], organization=elderly, base=smoke_rule(), code=CODE)
    assert not AlarmRule.objects.filter(organization=elderly).exists()  # nothing half-saved


def test_the_rules_page_sets_and_shows_it(world, login, elderly):
    client = login(world.users["safety_officer"])
    r = client.post(
        reverse("monitoring:rule_criterion"),
        {"rule": smoke_rule().pk, "organization": str(elderly.uuid), "code": CODE},
        follow=True,
    )
    page = r.content.decode()
    assert r.status_code == 200 and "rule-criterion" in page and CODE in page
    r = client.post(
        reverse("monitoring:rule_criterion"),
        {"rule": smoke_rule().pk, "organization": str(elderly.uuid), "code": "nonsense"},
        follow=True,
    )
    assert AlarmRule.objects.get(organization=elderly).criterion_code == CODE  # unchanged
    from django.utils.html import escape

    from shuangfang.criteria.services import resolve

    with pytest.raises(ValidationError) as refused:
        resolve("nonsense", organization=elderly)
    assert escape(refused.value.messages[0]) in r.content.decode()  # the reason, in the page's language
