"""The institution's safety officers are told when a visitor's report arrives (issue 15): through
the events outbox and the notifications engine, once per report, nothing of the visitor in it."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from shuangfang.core import outbox
from shuangfang.notifications.models import Notification
from shuangfang.publicreports import services
from shuangfang.publicreports.tests.test_services import send

from .factories import poster_at

pytestmark = pytest.mark.django_db


def test_the_safety_officer_is_told_once_with_the_place_and_the_link(world, officer, point):
    report = send(poster_at(world.inst_a, point), text="楼梯灯坏了", phone="138 0000 0000")
    outbox.drain()
    notice = Notification.objects.get()
    assert notice.recipient == officer and notice.kind == "publicreport.received"
    assert notice.url == report.get_absolute_url()
    assert "厨房" in notice.title and world.inst_a.name in notice.title
    assert "138" not in notice.title and "楼梯灯" not in notice.title  # nothing of the visitor
    assert notice.origin == f"public-report:{report.uuid}:received"
    # The same fact published again (a replay) and a second drain tell nobody twice.
    services._tell_officers(report)
    outbox.drain()
    outbox.drain()
    assert Notification.objects.count() == 1


def test_each_report_is_its_own_notice_and_other_institutions_hear_nothing(world, officer):
    send(poster_at(world.inst_a), address="203.0.113.1", device="phone-1")
    send(poster_at(world.inst_a), address="203.0.113.2", device="phone-2")
    send(poster_at(world.inst_b), address="203.0.113.3", device="phone-3")
    outbox.drain()
    assert Notification.objects.filter(recipient=officer).count() == 2
    assert set(Notification.objects.values_list("organization", flat=True)) <= {
        world.inst_a.pk,
        world.inst_b.pk,
    }
    assert not Notification.objects.filter(recipient=world.users["outsider"]).exists()  # inst B's head
    assert not Notification.objects.filter(recipient=world.users["staff"]).exists()
    title = Notification.objects.filter(recipient=officer).first().title  # type: ignore[union-attr]
    assert title == f"访客反映问题：{world.inst_a.name}"  # no risk point: the institution alone


def test_a_refused_report_tells_nobody(world):
    with pytest.raises(ValidationError):
        send(poster_at(world.inst_a), text="", photos=())
    outbox.drain()
    assert not Notification.objects.exists()
