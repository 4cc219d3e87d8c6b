"""Training: requirements derived from posts, roles and risk levels; status with a controlled clock;
QR sign-in (only the institution's people, twice = once); the quiz; reminders told once."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from shuangfang.core.events import published
from shuangfang.readiness import training
from shuangfang.readiness.choices import AppliesTo
from shuangfang.readiness.models import Attendance, Requirement
from shuangfang.risks.models import AssessmentMethod
from shuangfang.risks.tests.fixtures import risk_world

from .helpers import at, defaults, fire_course, session_a

pytestmark = pytest.mark.django_db


def states(lines, person) -> dict[str, str]:
    return {x.course.name: x.state for x in lines if x.person.pk == person.pk}


def make_major(w) -> None:
    """The kitchen risk point of the cook's post assessed as a major risk (LEC 6×6×15 = 540)."""
    from shuangfang.risks import services

    rw = risk_world(w)
    services.assess(
        actor=w.users["safety_officer"],
        factor=rw.factor,
        method=AssessmentMethod.objects.get(code="lec", is_current=True),
        inputs={"L": 6, "E": 6, "C": 15},
    )


def test_requirements_follow_post_role_and_risk_level(world):
    with time_machine.travel(at(2026, 3, 1), tick=False):
        defaults(world)
        cook, head = world.users["staff"], world.users["institution_head"]
        lines = training.status_lines(world.inst_a, on=dt.date(2026, 3, 1))
        # The cook: everyone's fire course, the kitchen post's food and gas, the induction.
        assert set(states(lines, cook)) == {
            "消防安全培训",
            "食品安全培训",
            "燃气安全使用培训",
            "新员工岗前安全培训",
        }
        # The head has no post: fire and induction only.
        assert set(states(lines, head)) == {"消防安全培训", "新员工岗前安全培训"}
        # The cook's post now has a major risk point: its emergency card course is required too.
        make_major(world)
        lines = training.status_lines(world.inst_a, on=dt.date(2026, 3, 1))
        assert "重大风险点应急处置卡培训" in states(lines, cook)
        assert "重大风险点应急处置卡培训" not in states(lines, head)
        # A role requirement of the institution, edited by its safety officer.
        training.save_requirement(
            actor=world.users["safety_officer"],
            organization=world.inst_a,
            course=fire_course(world),
            applies_to=AppliesTo.ROLE,
            role="institution_head",
            due_within_days=7,
        )
        lines = training.status_lines(world.inst_a, on=dt.date(2026, 3, 1))
        assert states(lines, head)["消防安全培训"] == "due"
        # Institution B has no cook post: no kitchen course there.
        other = training.status_lines(world.inst_b, on=dt.date(2026, 3, 1))
        assert all(x.course.name != "食品安全培训" for x in other)


def test_only_the_bureau_and_the_institution_edit_requirements(world):
    defaults(world)
    before = Requirement.objects.count()
    with pytest.raises(PermissionDenied):
        training.save_requirement(
            actor=world.users["staff"],
            organization=world.inst_a,
            course=fire_course(world),
            applies_to=AppliesTo.EVERY_POST,
        )
    with pytest.raises(PermissionDenied):
        training.save_requirement(
            actor=world.users["outsider"],
            organization=world.inst_a,
            course=fire_course(world),
            applies_to=AppliesTo.EVERY_POST,
        )
    assert Requirement.objects.count() == before


def test_status_moves_from_due_to_overdue_to_done_and_expires(world):
    cook = world.users["staff"]
    with time_machine.travel(at(2026, 3, 1), tick=False):
        defaults(world)  # everyone joined on 1 March: fire course due within 30 days
        assert (
            states(training.status_lines(world.inst_a, on=dt.date(2026, 3, 20)), cook)["消防安全培训"]
            == "due"
        )
        # Induction: before the first shift (0 days) → overdue the next day.
        assert (
            states(training.status_lines(world.inst_a, on=dt.date(2026, 3, 2)), cook)["新员工岗前安全培训"]
            == "overdue"
        )
        assert (
            states(training.status_lines(world.inst_a, on=dt.date(2026, 4, 1)), cook)["消防安全培训"]
            == "overdue"
        )
        session = session_a(world)  # 10 March, with a quiz (pass mark 60)
        training.sign_in(actor=cook, session=session, key=session.sign_in_key)
    # Signed in but the quiz is not passed yet: not done.
    assert (
        states(training.status_lines(world.inst_a, on=dt.date(2026, 4, 1)), cook)["消防安全培训"] == "overdue"
    )
    q = session.questions.get()
    training.answer_quiz(actor=cook, session=session, answers={q.pk: 2})
    assert states(training.status_lines(world.inst_a, on=dt.date(2026, 4, 1)), cook)["消防安全培训"] == "done"
    # Valid 12 months from 10 March 2026: due from 30 days before, overdue on the day.
    assert states(training.status_lines(world.inst_a, on=dt.date(2027, 2, 7)), cook)["消防安全培训"] == "done"
    assert states(training.status_lines(world.inst_a, on=dt.date(2027, 2, 8)), cook)["消防安全培训"] == "due"
    assert (
        states(training.status_lines(world.inst_a, on=dt.date(2027, 3, 10)), cook)["消防安全培训"]
        == "overdue"
    )


def test_qr_sign_in_twice_is_once_and_only_for_the_institution(world):
    with time_machine.travel(at(2026, 3, 10, 9, 5), tick=False):
        session = session_a(world)
        cook = world.users["staff"]
        _a, new = training.sign_in(actor=cook, session=session, key=session.sign_in_key)
        _b, again = training.sign_in(actor=cook, session=session, key=session.sign_in_key)
        assert new and not again
        assert Attendance.objects.filter(session=session).count() == 1
        # The bureau's supervisor sees the session but is not of the institution.
        with pytest.raises(ValidationError, match="not a member"):
            training.sign_in(actor=world.users["bureau_supervisor"], session=session, key=session.sign_in_key)
        # A wrong code.
        with pytest.raises(ValidationError):
            training.sign_in(actor=world.users["department_head"], session=session, key="guess")
        # The trainer cannot mark someone of another institution; nobody of the batch is marked.
        with pytest.raises(ValidationError, match="not a member"):
            training.mark_attendance(
                actor=world.users["safety_officer"],
                session=session,
                people=[world.users["department_head"], world.users["outsider"]],
            )
        assert Attendance.objects.filter(session=session).count() == 1
        assert (
            training.mark_attendance(
                actor=world.users["safety_officer"],
                session=session,
                people=[cook, world.users["department_head"]],
            )
            == 1
        )


def test_quiz_scores_and_no_answers_after_closing(world):
    with time_machine.travel(at(2026, 3, 10, 9, 5), tick=False):
        session = session_a(world)
        cook = world.users["staff"]
        q = session.questions.get()
        with pytest.raises(ValidationError, match="Sign in"):
            training.answer_quiz(actor=cook, session=session, answers={q.pk: 2})
        training.sign_in(actor=cook, session=session, key=session.sign_in_key)
        att = training.answer_quiz(actor=cook, session=session, answers={q.pk: 1})
        assert (att.score, att.passed) == (0, False)
        training.close_session(actor=world.users["safety_officer"], session=session)
        with pytest.raises(ValidationError, match="closed"):
            training.answer_quiz(actor=cook, session=session, answers={q.pk: 2})
        with pytest.raises(ValidationError, match="closed"):
            training.sign_in(actor=world.users["department_head"], session=session, key=session.sign_in_key)
        att.refresh_from_db()
        assert (att.score, att.passed) == (0, False)


def test_reminders_are_told_once_with_a_controlled_clock(world):
    with time_machine.travel(at(2026, 3, 1), tick=False):
        defaults(world)
    with time_machine.travel(at(2026, 3, 5, 8, 20), tick=False):
        training.send_reminders()
        training.send_reminders()  # the same day again: nothing new
        due = published("readiness.training_due")
        overdue = published("readiness.training_overdue")
    cook = world.users["staff"]
    mine_due = [p for _k, p in due if p["recipient_ids"] == [cook.pk]]
    mine_overdue = [p for _k, p in overdue if p["recipient_ids"] == [cook.pk]]
    # Fire, food and gas are due by 31 March (within 30 days); induction was due on 1 March.
    assert len(mine_due) == 3
    assert len(mine_overdue) == 1 and mine_overdue[0]["roles"] == ["safety_officer"]
    assert "新员工岗前安全培训" in mine_overdue[0]["title"]


def test_certificate_expiry_is_reminded(world):
    with time_machine.travel(at(2026, 3, 1), tick=False):
        training.add_certificate(
            actor=world.users["safety_officer"],
            institution=world.inst_a,
            person=world.users["staff"],
            name="消防设施操作员",
            issued_on=dt.date(2023, 4, 1),
            expires_on=dt.date(2026, 3, 25),
        )
        with pytest.raises(ValidationError):
            training.add_certificate(
                actor=world.users["safety_officer"],
                institution=world.inst_a,
                person=world.users["outsider"],
                name="特种作业",
                issued_on=dt.date(2025, 1, 1),
            )
        training.send_reminders()
    rows = published("readiness.certificate_expiring")
    assert len(rows) == 1 and "消防设施操作员" in rows[0][1]["title"]


def test_reminders_reach_the_inbox_through_the_notifications_engine(world):
    """The daily job (``tasks.training_reminders``), delivered by the outbox to the notifications
    engine: the cook finds the courses due and overdue in the inbox, the safety officer the overdue
    one; the sweep run again the same day adds nothing."""
    from shuangfang.core import outbox
    from shuangfang.notifications.models import Notification
    from shuangfang.readiness.tasks import training_reminders

    with time_machine.travel(at(2026, 3, 1), tick=False):
        defaults(world)
    cook, officer = world.users["staff"], world.users["safety_officer"]
    with time_machine.travel(at(2026, 3, 5, 8, 20), tick=False):
        training_reminders.call_local()
        outbox.drain()
        training.send_reminders()  # the sweep again (a second worker, a retry): told once
        outbox.drain()
    mine = Notification.objects.filter(recipient=cook, kind__startswith="readiness.training")
    assert sorted(mine.values_list("kind", flat=True)) == [
        "readiness.training_due",
        "readiness.training_due",
        "readiness.training_due",
        "readiness.training_overdue",
    ]
    assert all(n.url == "/readiness/" and n.organization_id == world.inst_a.pk for n in mine)
    told = Notification.objects.filter(recipient=officer, kind="readiness.training_overdue")
    assert any("新员工岗前安全培训" in n.title and str(cook) in n.title for n in told)
    # Nobody outside institution A is told about its people (the outsider hears of their own).
    theirs = Notification.objects.filter(recipient=world.users["outsider"])
    assert theirs.exists() and not theirs.filter(organization=world.inst_a).exists()
    assert all(str(cook) not in n.title for n in theirs)
