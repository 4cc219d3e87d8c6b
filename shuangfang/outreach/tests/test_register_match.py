"""A person on the at-risk register who is registered at a station is matched (through the outbox)
and flagged; overdue revisits are escalated once."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from shuangfang.core import outbox
from shuangfang.core.models import AuditEntry, OutboxEvent
from shuangfang.notifications.models import Notification
from shuangfang.outreach import register, register_match
from shuangfang.outreach.register_models import RegisterMatch
from shuangfang.relief.tests.helpers import fake_id, new_case

from .test_register import add

pytestmark = pytest.mark.django_db
CST = dt.timezone(dt.timedelta(hours=8))
BORN = dt.date(1950, 1, 1)


def test_same_document_number_is_matched_and_flagged(world):
    entry = add(world, name="登记甲", id_number=fake_id(BORN, 7))
    same_name = add(world, name="求助乙", id_number="")
    add(world, name="别人", id_number=fake_id(BORN, 8))
    case = new_case(world, name="改名甲", born=BORN, seq=7)
    other = new_case(world, name="求助乙", born=BORN, seq=9)
    outbox.drain()
    outbox.drain()  # notices published by the consumer
    sure = RegisterMatch.objects.get(case_uuid=case.uuid)
    assert (sure.person, sure.matched_on, sure.organization) == (entry, "id_number", world.inst_a)
    possible = RegisterMatch.objects.get(case_uuid=other.uuid)
    assert (possible.person, possible.matched_on) == (same_name, "name")
    assert RegisterMatch.objects.count() == 2
    told = Notification.objects.filter(recipient=world.users["staff"])
    assert any(case.number in n.title for n in told)
    assert not any("登记甲" in str(e.payload) for e in OutboxEvent.objects.all())  # numbers, no names
    # A replay makes nothing twice.
    assert register_match.match_case(case) == []


def test_unknown_name_is_not_matched_by_name(world):
    add(world, name="无名氏", id_number="")
    new_case(world, name="无名氏", born=BORN, seq=3)
    outbox.drain()
    assert not RegisterMatch.objects.exists()


def test_station_page_masks_and_logs(world, login):
    add(world, name="登记甲", id_number=fake_id(BORN, 7))
    new_case(world, name="改名甲", born=BORN, seq=7)
    outbox.drain()
    url = reverse("outreach:matches") + f"?org={world.inst_a.uuid}"
    page = login(world.users["staff"]).get(url).content.decode()
    assert "138****5678" in page and "13800005678" not in page and "Show the full phone" not in page
    assert AuditEntry.objects.filter(action="outreach.match_viewed").exists()
    head = login(world.users["institution_head"])
    match = RegisterMatch.objects.get()
    shown = head.post(url, {"match": str(match.uuid)}).content.decode()
    assert "13800005678" in shown
    assert AuditEntry.objects.filter(action="outreach.match_phone_shown").count() == 1
    # The bureau, which keeps the register, does not see the station's page.
    assert login(world.users["bureau_supervisor"]).get(url).status_code == 404


def test_overdue_revisits_escalate_once(world):
    with time_machine.travel(dt.datetime(2026, 11, 20, 10, tzinfo=CST), tick=False):
        add(world)
    with time_machine.travel(dt.datetime(2027, 1, 1, 6, 40, tzinfo=CST), tick=False):
        assert register.sweep() == 1
    with time_machine.travel(dt.datetime(2027, 1, 31, 6, 40, tzinfo=CST), tick=False):
        register.sweep()
    assert not OutboxEvent.objects.filter(kind="outreach.revisits_overdue").exists()
    with time_machine.travel(dt.datetime(2027, 2, 1, 6, 40, tzinfo=CST), tick=False):
        register.sweep()
        register.sweep()
    overdue = OutboxEvent.objects.filter(kind="outreach.revisits_overdue")
    assert overdue.count() == 1
    assert overdue.get().payload["recipient_ids"] == [world.users["bureau_supervisor"].pk]
    assert "bureau_supervisor" in overdue.get().payload["roles"]
