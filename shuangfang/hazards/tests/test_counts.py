"""The monthly hazard counts (``hazards.counts``) move with every report and every workflow move, in
the same transaction, and always equal the counts made from the records."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from shuangfang.core.vocabulary import CheckCategory, HazardGrade
from shuangfang.hazards import services
from shuangfang.hazards.counts import HAZARDS
from shuangfang.hazards.models import HazardMonth

from .conftest import jpeg, soon

pytestmark = pytest.mark.django_db


def stored(inst, month: dt.date) -> dict:
    row = HazardMonth.objects.filter(organization=inst, month=month).first()
    fields = ("reported", "still_open", "closed", "closed_on_time")
    return {f: getattr(row, f) if row else 0 for f in fields}


def same_as_records() -> None:
    assert HAZARDS.differences() == {}


def test_every_move_keeps_the_monthly_counts_equal_to_the_records(world, report):
    officer, staff, head = (world.users[k] for k in ("safety_officer", "staff", "institution_head"))
    month = timezone.localdate().replace(day=1)

    # General hazard: report → assign → submit → reject back → submit → accept (on time).
    h = report()
    same_as_records()
    assert stored(world.inst_a, month) == {"reported": 1, "still_open": 1, "closed": 0, "closed_on_time": 0}
    services.assign(
        actor=officer,
        hazard=h,
        grade=HazardGrade.GENERAL,
        category=CheckCategory.FIRE,
        responsible=staff,
        measures="更换灭火器",
        deadline=soon(),
    )
    services.submit_for_acceptance(actor=staff, hazard=h, fix_note="已更换", photos=[jpeg()])
    services.reject_back(actor=officer, hazard=h, reason="照片不清楚")
    services.record_progress(actor=staff, hazard=h, note="重新采购")
    services.submit_for_acceptance(actor=staff, hazard=h, fix_note="已更换", photos=[jpeg()])
    same_as_records()
    services.accept(
        actor=officer, hazard=h, comment="合格", cause="未定期检查", preventive_measures="纳入月检"
    )
    same_as_records()
    assert stored(world.inst_a, month) == {"reported": 1, "still_open": 0, "closed": 1, "closed_on_time": 1}

    # Fixed on the spot, accepted by someone else.
    h = report(description="通道堆物")
    services.confirm_fix_now(
        actor=officer,
        hazard=h,
        grade=HazardGrade.GENERAL,
        category=CheckCategory.FIRE,
        fix_note="已清理",
        photos=[jpeg()],
    )
    same_as_records()
    services.accept(actor=head, hazard=h)
    same_as_records()

    # Major: confirm → supervision → plan → extension requested and approved (all still open).
    major = report(description="线路老化")
    services.confirm_major(
        actor=officer, hazard=major, category=CheckCategory.FIRE, cause="老化", interim_measures="停用"
    )
    services.supervise(
        actor=world.users["bureau_supervisor"], hazard=major, deadline=soon(20), requirements="限期"
    )
    services.approve_plan(
        actor=officer,
        hazard=major,
        measures="更换线路",
        responsible=staff,
        deadline=soon(30),
        funds=5000,
        contingency_plan="疏散预案",
    )
    services.request_extension(actor=staff, hazard=major, until=soon(40), reason="等货")
    services.decide_extension(actor=officer, hazard=major, approve=True)
    services.comment(actor=officer, hazard=major, note="看过了")
    same_as_records()

    # Not a hazard, and a duplicate: they leave the reported count.
    services.reject(actor=officer, hazard=report(description="误报"), reason="不是隐患")
    services.mark_duplicate(actor=officer, hazard=report(description="重复"), original=major)
    same_as_records()
    assert stored(world.inst_a, month) == {"reported": 3, "still_open": 1, "closed": 2, "closed_on_time": 2}


def test_a_refused_move_changes_no_count(world, report):
    h = report()
    before = stored(world.inst_a, timezone.localdate().replace(day=1))
    with pytest.raises(ValidationError):
        services.accept(actor=world.users["safety_officer"], hazard=h)
    assert stored(world.inst_a, timezone.localdate().replace(day=1)) == before
    same_as_records()


def test_months_are_local_and_closing_late_counts_apart(world, report):
    """Reported on 31 January 23:30 in Shanghai (still January in UTC too); closed late on
    1 March 00:30 Shanghai time, which is 28 February in UTC: the count goes to March."""
    officer, staff = world.users["safety_officer"], world.users["staff"]
    tz = timezone.get_default_timezone()
    with time_machine.travel(dt.datetime(2026, 1, 31, 23, 30, tzinfo=tz), tick=False):
        h = report()
        services.assign(
            actor=officer,
            hazard=h,
            grade=HazardGrade.GENERAL,
            category=CheckCategory.FIRE,
            responsible=staff,
            measures="更换",
            deadline=dt.date(2026, 2, 10),
        )
    with time_machine.travel(dt.datetime(2026, 2, 27, 9, 0, tzinfo=tz), tick=False):
        services.submit_for_acceptance(actor=staff, hazard=h, fix_note="已更换", photos=[jpeg()])
    with time_machine.travel(dt.datetime(2026, 3, 1, 0, 30, tzinfo=tz), tick=False):
        services.accept(actor=officer, hazard=h, cause="未定期检查", preventive_measures="纳入月检")
    same_as_records()
    assert stored(world.inst_a, dt.date(2026, 1, 1)) == {
        "reported": 1,
        "still_open": 0,
        "closed": 0,
        "closed_on_time": 0,
    }
    assert stored(world.inst_a, dt.date(2026, 3, 1)) == {
        "reported": 0,
        "still_open": 0,
        "closed": 1,
        "closed_on_time": 0,
    }
