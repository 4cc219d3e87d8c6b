"""Every allowed and every forbidden move of the hazard workflow, and the bad inputs of the issue."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from shuangfang.core.models import AuditEntry
from shuangfang.core.vocabulary import CheckCategory, HazardGrade
from shuangfang.hazards import services, workflow
from shuangfang.hazards.choices import PhotoKind, Status
from shuangfang.hazards.models import Hazard, HazardEvent, HazardPhoto
from shuangfang.hazards.workflow import MOVES, transition

from .conftest import jpeg, soon

pytestmark = pytest.mark.django_db


def valid_kwargs(action: str, w, h: Hazard) -> dict:
    """Arguments that make ``action`` valid when the status allows it."""
    staff = w.users["staff"]
    return {
        "confirm_fix_now": {
            "grade": HazardGrade.GENERAL,
            "category": CheckCategory.FIRE,
            "fix_note": "换了",
            "photos": [jpeg()],
        },
        "assign": {
            "grade": HazardGrade.GENERAL,
            "category": CheckCategory.FIRE,
            "responsible": staff,
            "measures": "更换灭火器",
            "deadline": soon(),
        },
        "confirm_major": {"category": CheckCategory.FIRE, "cause": "无人检查", "interim_measures": "停用"},
        "approve_plan": {},
        "reject": {"reject_reason": "不是隐患", "note": "不是隐患"},
        "mark_duplicate": {"duplicate_of": w.other},
        "record_progress": {"note": "已采购"},
        "submit": {"fix_note": "已更换", "photos": [jpeg()]},
        "accept": {"note": "合格", "preventive_measures": "纳入每日检查"},
        "reject_back": {"note": "照片不清楚"},
        "request_extension": {"extension_until": soon(30), "extension_reason": "等货"},
        "approve_extension": {},
        "refuse_extension": {"note": "不同意"},
        "supervise": {"supervision_deadline": soon(20), "supervision_note": "限期完成"},
        "comment": {"note": "看过了"},
        "cite_criterion": {"criterion": criterion()},
        "request_downgrade": {"note": "经鉴定不属于危房"},
        "approve_downgrade": {"note": "同意"},
        "refuse_downgrade": {"note": "不同意"},
    }[action]


def criterion():
    from shuangfang.criteria.models import Criterion

    return Criterion.objects.get(code="elderly-2023-4-1")


def ready_for(action: str, h: Hazard) -> Hazard:
    """The criterion state a criterion move needs (test set-up only)."""
    if action in ("request_downgrade", "approve_downgrade", "refuse_downgrade"):
        pending = timezone.now() if action != "request_downgrade" else None
        Hazard.objects.filter(pk=h.pk).update(
            criterion=criterion(), grade=HazardGrade.MAJOR, downgrade_requested_at=pending
        )
        h.refresh_from_db()
    return h


def put_in(h: Hazard, status: str, w) -> Hazard:
    """Force a hazard into ``status`` with everything any move from there needs (test set-up only)."""
    officer, staff = w.users["safety_officer"], w.users["staff"]
    Hazard.objects.filter(pk=h.pk).update(
        status=status,
        grade=HazardGrade.GENERAL,
        category=CheckCategory.FIRE,
        responsible=staff,
        measures="更换",
        deadline=soon(),
        funds=100,
        contingency_plan="预案",
        cause="原因",
        interim_measures="停用",
        fixed_by=staff if status == Status.PENDING_ACCEPTANCE else None,
        extension_until=soon(30) if status == Status.RECTIFYING else None,
        accepted_by=officer if status == Status.CLOSED else None,
    )
    if status == Status.PENDING_ACCEPTANCE:
        HazardPhoto.objects.create(hazard=h, kind=PhotoKind.AFTER, original="x", display="x", thumb="x")
    h.refresh_from_db()
    return h


ACTOR = {  # a persona allowed to make each move (the fixer in put_in is the staff member)
    "record_progress": "staff",
    "submit": "staff",
    "request_extension": "staff",
    "supervise": "bureau_supervisor",
    "comment": "staff",
    "approve_downgrade": "bureau_supervisor",
    "refuse_downgrade": "bureau_supervisor",
}


@pytest.mark.parametrize("action", list(MOVES))
@pytest.mark.parametrize("status", list(Status.values))
def test_every_move_from_every_status(world, report, action, status):
    world.other = report(description="另一个")
    h = ready_for(action, put_in(report(), status, world))
    actor = world.users[ACTOR.get(action, "safety_officer")]
    kwargs = valid_kwargs(action, world, h)
    move = MOVES[action]
    before_events = HazardEvent.objects.filter(hazard=h).count()
    if status in move.sources:
        transition(h, action, actor=actor, **kwargs)
        assert h.status == (move.target or status)
        assert HazardEvent.objects.filter(hazard=h, action=action).count() == 1
        assert AuditEntry.objects.filter(action=f"hazard.{action}", object_id=str(h.pk)).exists()
    else:
        with pytest.raises(ValidationError, match="not possible now"):
            transition(h, action, actor=actor, **kwargs)
        h.refresh_from_db()
        assert h.status == status
        assert HazardEvent.objects.filter(hazard=h).count() == before_events


WHO_MAY = {
    "hazard.confirm": {"admin", "institution_head", "safety_officer"},
    "hazard.plan": {"admin", "institution_head", "safety_officer"},
    "hazard.accept": {"admin", "institution_head", "safety_officer", "bureau_supervisor"},
    "hazard.supervise": {"admin", "bureau_supervisor"},
    "hazard.view": {
        "admin",
        "bureau_supervisor",
        "institution_head",
        "safety_officer",
        "department_head",
        "staff",
        "assessor",
    },
}


@pytest.mark.parametrize("action", list(MOVES))
def test_who_may_make_each_move(world, report, action):
    world.other = report(description="另一个")
    move = MOVES[action]
    status = next(iter(sorted(move.sources)))
    for persona in [
        "admin",
        "bureau_supervisor",
        "institution_head",
        "safety_officer",
        "department_head",
        "staff",
        "assessor",
        "outsider",
    ]:
        h = ready_for(action, put_in(report(), status, world))
        if action in ("accept", "reject_back"):
            Hazard.objects.filter(pk=h.pk).update(fixed_by=world.users["department_head"])
            h.refresh_from_db()
        allowed = persona in WHO_MAY[move.perm] or (move.responsible_may and persona == "staff")
        kwargs = valid_kwargs(action, world, h)
        if allowed:
            transition(h, action, actor=world.users[persona], **kwargs)
        else:
            with pytest.raises(PermissionDenied):
                transition(h, action, actor=world.users[persona], **kwargs)
            h.refresh_from_db()
            assert h.status == status


def test_closed_loop_with_events_and_number(world, report, django_capture_on_commit_callbacks, captured):
    seen = captured
    officer, staff, head = (world.users[p] for p in ("safety_officer", "staff", "institution_head"))
    with django_capture_on_commit_callbacks(execute=True):
        h = report(photos=[jpeg()])
    year = timezone.localdate().year
    assert h.number == f"YH-{year}-0001"
    assert report(description="第二个").number == f"YH-{year}-0002"
    with django_capture_on_commit_callbacks(execute=True):
        services.assign(
            actor=officer,
            hazard=h,
            grade=HazardGrade.GENERAL,
            category=CheckCategory.FIRE,
            responsible=staff,
            measures="更换灭火器",
            deadline=soon(),
            funds=200,
        )
        services.submit_for_acceptance(actor=staff, hazard=h, fix_note="已更换", photos=[jpeg()])
        services.accept(actor=head, hazard=h, comment="合格", cause="老化", preventive_measures="每月检查")
    h.refresh_from_db()
    assert h.status == Status.CLOSED and h.accepted_by == head and h.closed_on_time
    kinds = [k for k, _p in seen]
    assert kinds[:1] == ["hazard.reported"]
    assert "hazard.assigned" in kinds and "hazard.acceptance_needed" in kinds and "hazard.closed" in kinds
    assigned = dict(seen)["hazard.assigned"]
    assert assigned["recipient_ids"] == [staff.pk]
    assert assigned["url"] == f"/hazards/{h.uuid}/"
    assert h.number in assigned["title"] and "分派" in assigned["title"]
    assert dict(seen)["hazard.reported"]["roles"] == ["safety_officer"]
    assert list(h.events.values_list("action", flat=True)) == ["report", "assign", "submit", "accept"]
    assert h.photos.filter(kind=PhotoKind.BEFORE).count() == 1
    assert h.photos.filter(kind=PhotoKind.AFTER).count() == 1


def test_numbers_are_per_institution(world, report):
    a = report()
    b = report(who="outsider", org=world.inst_b)
    assert a.number == b.number


# --- bad input: refused with a reason, nothing changes ------------------------------------------


def _unchanged(h: Hazard, status: str, n_events: int) -> None:
    h.refresh_from_db()
    assert h.status == status
    assert h.events.count() == n_events


def test_skipping_a_step_is_refused(world, report):
    h = report()
    with pytest.raises(ValidationError, match="not possible now"):
        services.accept(actor=world.users["safety_officer"], hazard=h)
    with pytest.raises(ValidationError, match="not possible now"):
        services.submit_for_acceptance(
            actor=world.users["safety_officer"], hazard=h, fix_note="x", photos=[jpeg()]
        )
    _unchanged(h, Status.REPORTED, 1)


def test_accepting_ones_own_fix_is_refused(world, report):
    officer = world.users["safety_officer"]
    h = report()
    services.confirm_fix_now(
        actor=officer,
        hazard=h,
        grade=HazardGrade.GENERAL,
        category=CheckCategory.FIRE,
        fix_note="当场更换",
        photos=[jpeg()],
    )
    with pytest.raises(ValidationError, match="other than the person who fixed"):
        services.accept(actor=officer, hazard=h)
    _unchanged(h, Status.PENDING_ACCEPTANCE, 2)
    services.accept(actor=world.users["institution_head"], hazard=h)
    assert h.status == Status.CLOSED


def test_closing_without_after_photo_is_refused(world, report):
    officer, staff = world.users["safety_officer"], world.users["staff"]
    h = report()
    with pytest.raises(ValidationError, match="after-photo"):
        services.confirm_fix_now(
            actor=officer,
            hazard=h,
            grade=HazardGrade.GENERAL,
            category=CheckCategory.FIRE,
            fix_note="当场更换",
        )
    _unchanged(h, Status.REPORTED, 1)
    services.assign(
        actor=officer,
        hazard=h,
        grade=HazardGrade.GENERAL,
        category=CheckCategory.FIRE,
        responsible=staff,
        measures="换",
        deadline=soon(),
    )
    with pytest.raises(ValidationError, match="after-photo"):
        services.submit_for_acceptance(actor=staff, hazard=h, fix_note="换了")
    _unchanged(h, Status.RECTIFYING, 2)


def test_deadline_in_the_past_is_refused(world, report):
    h = report()
    with pytest.raises(ValidationError, match="past"):
        services.assign(
            actor=world.users["safety_officer"],
            hazard=h,
            grade=HazardGrade.GENERAL,
            category=CheckCategory.FIRE,
            responsible=world.users["staff"],
            measures="换",
            deadline=timezone.localdate() - dt.timedelta(days=1),
        )
    _unchanged(h, Status.REPORTED, 1)


def test_duplicate_of_another_institutions_hazard_is_refused(world, report):
    h = report()
    theirs = report(who="outsider", org=world.inst_b)
    with pytest.raises(ValidationError, match="same institution"):
        services.mark_duplicate(actor=world.users["safety_officer"], hazard=h, original=theirs)
    _unchanged(h, Status.REPORTED, 1)
    with pytest.raises(ValidationError, match="same institution"):
        services.mark_duplicate(actor=world.users["safety_officer"], hazard=h, original=h)
    mine = report(description="原始")
    services.mark_duplicate(actor=world.users["safety_officer"], hazard=h, original=mine)
    assert h.status == Status.DUPLICATE and h.duplicate_of == mine


def test_major_hazard_needs_the_five_assurances(world, report, django_capture_on_commit_callbacks, captured):
    officer = world.users["safety_officer"]
    h = report()
    with pytest.raises(ValidationError, match="major hazard"):
        services.assign(
            actor=officer,
            hazard=h,
            grade=HazardGrade.MAJOR,
            category=CheckCategory.FIRE,
            responsible=world.users["staff"],
            measures="x",
            deadline=soon(),
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.confirm_major(
            actor=officer,
            hazard=h,
            category=CheckCategory.FIRE,
            cause="线路老化",
            interim_measures="断电停用",
        )
    assert h.status == Status.PLANNING and h.reported_to_bureau_at is not None
    major = [p for k, p in captured if k == "hazard.major_reported"]
    assert major and "bureau_supervisor" in major[0]["roles"] and major[0]["severity"] == "critical"
    with pytest.raises(ValidationError, match="Missing"):
        services.approve_plan(
            actor=officer, hazard=h, measures="更换线路", responsible=world.users["staff"], deadline=soon(30)
        )
    h.refresh_from_db()
    assert h.status == Status.PLANNING
    services.approve_plan(
        actor=officer,
        hazard=h,
        measures="更换线路",
        responsible=world.users["staff"],
        deadline=soon(30),
        funds=5000,
        contingency_plan="疏散预案",
    )
    assert h.status == Status.RECTIFYING and not h.plan_missing


def test_extension_request_and_decision(world, report):
    officer, staff = world.users["safety_officer"], world.users["staff"]
    h = report()
    services.assign(
        actor=officer,
        hazard=h,
        grade=HazardGrade.GENERAL,
        category=CheckCategory.FIRE,
        responsible=staff,
        measures="换",
        deadline=soon(3),
    )
    with pytest.raises(ValidationError, match="later"):
        services.request_extension(actor=staff, hazard=h, until=soon(2), reason="等货")
    services.request_extension(actor=staff, hazard=h, until=soon(10), reason="等货")
    services.decide_extension(actor=officer, hazard=h, approve=True)
    assert h.deadline == soon(10) and h.extension_until is None
    with pytest.raises(ValidationError, match="No extension"):
        services.decide_extension(actor=officer, hazard=h, approve=False)


def test_reminders_are_sent_once(world, report, django_capture_on_commit_callbacks, captured):
    officer, staff = world.users["safety_officer"], world.users["staff"]
    due = report()
    services.assign(
        actor=officer,
        hazard=due,
        grade=HazardGrade.GENERAL,
        category=CheckCategory.FIRE,
        responsible=staff,
        measures="换",
        deadline=soon(1),
    )
    late = report()
    services.assign(
        actor=officer,
        hazard=late,
        grade=HazardGrade.GENERAL,
        category=CheckCategory.FIRE,
        responsible=staff,
        measures="换",
        deadline=soon(1),
    )
    Hazard.objects.filter(pk=late.pk).update(deadline=timezone.localdate() - dt.timedelta(days=2))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_reminders() == {
            "deadline_approaching": 1,
            "overdue": 1,
            "supervision_overdue": 0,
        }
        assert services.send_reminders() == {
            "deadline_approaching": 0,
            "overdue": 0,
            "supervision_overdue": 0,
        }
    seen = [(k, p) for k, p in captured if k in ("hazard.deadline_approaching", "hazard.overdue")]
    assert sorted(k for k, _p in seen) == ["hazard.deadline_approaching", "hazard.overdue"]
    assert all(p["recipient_ids"] == [staff.pk] for _k, p in seen)
    assert Hazard.objects.overdue().count() == 1


def test_report_is_idempotent_on_origin_and_system_actor(world):
    a = services.report_hazard(
        actor=None, organization=world.inst_a, description="电气火灾报警", source="sensor", origin="alarm:abc"
    )
    b = services.report_hazard(
        actor=None, organization=world.inst_a, description="电气火灾报警", source="sensor", origin="alarm:abc"
    )
    assert a.pk == b.pk
    entry = AuditEntry.objects.get(action="hazard.report", object_id=str(a.pk))
    assert entry.actor is None and entry.note == "system"


def test_alarm_event_opens_a_hazard(world, django_capture_on_commit_callbacks):
    from shuangfang.core import events
    from shuangfang.events import AlarmNotice
    from shuangfang.hazards.consumers import hazard_from_alarm

    first = {
        "organization_id": world.inst_a.pk,
        "object_uuid": "u1",
        "title": "剩余电流超限",
        "severity": "critical",
        "open_hazard": True,
        "hazard_description": "配电箱剩余电流超限",
        "alarm_type": "residual_current",
        "device_uuid": "d1",
    }
    with django_capture_on_commit_callbacks(execute=True):
        events.publish("alarm.opened", **first)
        events.publish("alarm.opened", **{**first, "title": "x"})  # the same alarm: written once
        events.publish("alarm.opened", **{**first, "object_uuid": "u2", "open_hazard": False})
    # The consumer itself is idempotent on the alarm, whatever delivers the event again.
    hazard_from_alarm("alarm.opened", AlarmNotice(**first))
    hs = Hazard.objects.filter(organization=world.inst_a)
    assert hs.count() == 1
    assert hs.get().origin == "alarm:u1" and hs.get().source == "sensor"


def test_staff_cannot_report_for_another_institution(world):
    with pytest.raises(PermissionDenied):
        services.report_hazard(
            actor=world.users["staff"], organization=world.inst_b, description="x", source="snap"
        )


def test_available_moves_hide_accept_from_fixer(world, report):
    officer = world.users["safety_officer"]
    h = report()
    services.confirm_fix_now(
        actor=officer,
        hazard=h,
        grade=HazardGrade.GENERAL,
        category=CheckCategory.FIRE,
        fix_note="当场更换",
        photos=[jpeg()],
    )
    assert "accept" not in [m.action for m in workflow.available(h, officer)]
    assert "accept" in [m.action for m in workflow.available(h, world.users["institution_head"])]
