"""The bureau's five systems: readiness indicators against hand-computed values, the spot-check
plan by rule from the bureau inspections, a meeting with the period's figures and follow-ups,
notices sent and acknowledged, accountability records with the institution's own evidence only."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from shuangfang.core.events import published
from shuangfang.hazards import services as hazards
from shuangfang.inspections.checklists import create_checklist
from shuangfang.inspections.records import Answer, bureau_inspect
from shuangfang.readiness import bureau, drills, indicators, letters, training
from shuangfang.readiness.choices import StepKind
from shuangfang.readiness.models import NoticeReceipt

from .helpers import at, defaults, drill_a, letter_a, session_a, template_b
from .test_letters import drawn_png

pytestmark = pytest.mark.django_db


def test_indicators_against_hand_computed_values(world):
    """Institution A on 1 April 2026 (everyone joined 1 March; defaults installed):
    its 5 people (head, officer, department head, cook, assessor) each need fire and induction
    (10 pairs), the cook also food and gas (2): 12 required pairs.
    The cook and the department head attend the fire session on 10 March and pass: 2 pairs done.
    Training completion = 2/12 = 16.7 %.
    Fire drills in Q1 (Jan–Mar): setting 2 a year → ceil(2 × 3 / 12) = 1 required; 1 recorded → 1/1.
    Letters 2026: the cook's post-holder letter and the department head's letter, 1 signed → 1/2 = 50 %."""
    defaults(world)
    session = session_a(world)
    q = session.questions.get()
    for persona in ("staff", "department_head"):
        person = world.users[persona]
        training.sign_in(actor=person, session=session, key=session.sign_in_key)
        training.answer_quiz(actor=person, session=session, answers={q.pk: 2})
    drills.record_drill(
        actor=world.users["safety_officer"],
        drill=drill_a(world),
        started_at=at(2026, 3, 20, 9),
        ended_at=at(2026, 3, 20, 9, 30),
        steps=[
            drills.Step(at(2026, 3, 20, 9, 1), StepKind.ALARM),
            drills.Step(at(2026, 3, 20, 9, 5), StepKind.EVACUATED),
        ],
    )
    letters.sign_letter(actor=world.users["staff"], letter=letter_a(world), png=drawn_png())
    letters.generate_letters(
        actor=world.root, template=template_b(world, "department_head"), institution=world.inst_a, year=2026
    )
    figs = indicators.all_for(world.inst_a, dt.date(2026, 1, 1), dt.date(2026, 4, 1))
    assert (figs["training"].part, figs["training"].whole, figs["training"].pct) == (2, 12, 16.7)
    assert (figs["fire_drills"].part, figs["fire_drills"].whole) == (1, 1)
    assert (figs["letters"].part, figs["letters"].whole, figs["letters"].pct) == (1, 2, 50.0)
    # A whole year asks for 2 fire drills; only 1 is done.
    year = indicators.fire_drills(world.inst_a, dt.date(2026, 1, 1), dt.date(2027, 1, 1))
    assert (year.part, year.whole, year.pct) == (1, 2, 50.0)
    # Institution B: nothing required of its fire drills done, no letters (no data, not 0 %).
    assert indicators.letters_signed(world.inst_b, 2026).pct is None


def test_spot_check_plan_by_rule_counts_bureau_inspections(world):
    checklist = create_checklist(
        actor=world.users["admin"],
        organization=world.bureau,
        name="局检",
        kind="bureau",
        category="rules",
        library_codes=["F01"],
    )
    item = checklist.items.get()
    with time_machine.travel(at(2026, 2, 10, 10), tick=False):
        bureau_inspect(
            actor=world.users["bureau_supervisor"],
            institution=world.inst_a,
            checklist=checklist,
            answers=[Answer(str(item.uuid), "ok")],
        )
    # The default rule: once a quarter, twice below a score of 60.
    rows = {
        r.institution.pk: r
        for r in bureau.spot_check_plan(world.bureau, dt.date(2026, 3, 1), scores={world.inst_b.pk: 55.0})
    }
    a, b = rows[world.inst_a.pk], rows[world.inst_b.pk]
    assert (a.required, a.done, a.behind) == (1, 1, 0)
    assert (b.required, b.done, b.behind) == (2, 0, 2)
    bureau.save_spot_rule(
        actor=world.users["bureau_supervisor"],
        bureau=world.bureau,
        per_quarter=2,
        low_score_below=None,
        low_score_per_quarter=None,
        source="局务会决定",
    )
    rows = {r.institution.pk: r for r in bureau.spot_check_plan(world.bureau, dt.date(2026, 3, 1), scores={})}
    assert rows[world.inst_a.pk].behind == 1
    # The next quarter starts from zero.
    rows = {r.institution.pk: r for r in bureau.spot_check_plan(world.bureau, dt.date(2026, 4, 1), scores={})}
    assert rows[world.inst_a.pk].done == 0
    with pytest.raises(PermissionDenied):
        bureau.save_spot_rule(
            actor=world.users["institution_head"],
            bureau=world.bureau,
            per_quarter=1,
            low_score_below=None,
            low_score_per_quarter=None,
            source="x",
        )


def test_meeting_keeps_the_figures_and_follow_ups(world):
    with time_machine.travel(at(2026, 3, 5, 10), tick=False):
        hazards.report_hazard(
            actor=world.users["staff"], organization=world.inst_a, description="灭火器过期", source="snap"
        )
    meeting = bureau.record_meeting(
        actor=world.users["bureau_supervisor"],
        organization=world.bureau,
        title="3 月安全形势分析研判会",
        held_on=dt.date(2026, 4, 2),
        period_start=dt.date(2026, 3, 1),
        period_end=dt.date(2026, 4, 1),
        decisions="对测试救助站开展专项督导",
        follow_ups=[("督导测试救助站灭火器更换", world.users["bureau_supervisor"], dt.date(2026, 4, 15))],
    )
    assert meeting.figures["hazards_reported"] == 1 and meeting.figures["institutions"] == 2
    follow = meeting.follow_ups.get()
    bureau.finish_follow_up(actor=world.users["bureau_supervisor"], follow_up=follow)
    with pytest.raises(ValidationError):
        bureau.finish_follow_up(actor=world.users["bureau_supervisor"], follow_up=follow)
    with pytest.raises(ValidationError):
        bureau.record_meeting(
            actor=world.users["bureau_supervisor"],
            organization=world.bureau,
            title="x",
            held_on=dt.date(2026, 4, 2),
            period_start=dt.date(2026, 4, 1),
            period_end=dt.date(2026, 3, 1),
            decisions="y",
        )


def test_notices_are_sent_to_each_institution_and_acknowledged_once(world):
    notice = bureau.send_notice(
        actor=world.users["bureau_supervisor"],
        bureau=world.bureau,
        title="汛期安全责任告知",
        body="请落实汛期安全责任",
    )
    receipts = NoticeReceipt.objects.filter(notice=notice)
    assert {r.organization for r in receipts} == {world.inst_a, world.inst_b}
    assert len(published("readiness.notice_sent")) == 2
    mine = receipts.get(organization=world.inst_a)
    with pytest.raises(PermissionDenied):
        bureau.acknowledge(actor=world.users["outsider"], receipt=mine)
    with pytest.raises(PermissionDenied):
        bureau.acknowledge(actor=world.users["staff"], receipt=mine)
    bureau.acknowledge(actor=world.users["institution_head"], receipt=mine)
    with pytest.raises(ValidationError, match="already"):
        bureau.acknowledge(actor=world.users["safety_officer"], receipt=mine)


def test_accountability_links_only_the_institutions_own_evidence(world):
    with time_machine.travel(at(2026, 3, 1, 9), tick=False):
        h = hazards.report_hazard(
            actor=world.users["staff"], organization=world.inst_a, description="通道堵塞", source="snap"
        )
        hazards.assign(
            actor=world.users["safety_officer"],
            hazard=h,
            responsible=world.users["department_head"],
            measures="清理通道",
            deadline=dt.date(2026, 3, 3),
            grade="general",
            category="fire",
        )
        other = hazards.report_hazard(
            actor=world.users["outsider"], organization=world.inst_b, description="x", source="snap"
        )
    with time_machine.travel(at(2026, 3, 10, 9), tick=False):
        choices = bureau.evidence_choices(world.inst_a, dt.date(2026, 3, 10))
        assert [c["uuid"] for c in choices] == [str(h.uuid)]
        record = bureau.record_accountability(
            actor=world.users["bureau_supervisor"],
            institution=world.inst_a,
            kind="interview",
            description="隐患逾期未整改，约谈机构负责人",
            evidence_uuids=[str(h.uuid)],
            person=world.users["institution_head"],
        )
        assert record.evidence[0]["label"].startswith(h.number) and record.by_bureau == world.bureau
        with pytest.raises(ValidationError, match="Link only"):
            bureau.record_accountability(
                actor=world.users["bureau_supervisor"],
                institution=world.inst_a,
                kind="interview",
                description="x",
                evidence_uuids=[str(other.uuid)],
            )


def test_spot_check_findings_become_hazards_on_the_page(world, client, django_assert_max_num_queries):
    from shuangfang.core import outbox
    from shuangfang.hazards.models import Hazard
    from shuangfang.inspections.checklists import add_item

    actor = world.users["bureau_supervisor"]
    checklist = create_checklist(
        actor=world.users["admin"],
        organization=world.bureau,
        name="局检",
        kind="bureau",
        category="rules",
        library_codes=["F01"],
    )
    add_item(actor=world.users["admin"], checklist=checklist, text="消防通道畅通", category="rules")
    ok, bad = list(checklist.items.order_by("pk"))

    def inspect(day: int, problem: bool) -> None:
        with time_machine.travel(at(2026, 2, day, 10), tick=False):
            bureau_inspect(
                actor=actor,
                institution=world.inst_a,
                checklist=checklist,
                answers=[
                    Answer(str(ok.uuid), "ok"),
                    Answer(str(bad.uuid), "problem" if problem else "ok", note="堆放杂物" if problem else ""),
                ],
            )

    inspect(10, True)
    start, end = bureau.quarter_of(dt.date(2026, 3, 1))
    (check,) = bureau.spot_checks(world.bureau, start, end)
    assert [(f.text, f.hazard) for f in check.findings] == [("消防通道畅通", None)]  # not filed yet
    outbox.drain()
    outbox.drain()  # delivered twice: still one hazard
    hazard = Hazard.objects.get(organization=world.inst_a)
    assert hazard.title == "堆放杂物"
    (check,) = bureau.spot_checks(world.bureau, start, end)
    assert check.findings[0].hazard == hazard and check.record.problem_count == 1
    # Another quarter shows none.
    assert bureau.spot_checks(world.bureau, *bureau.quarter_of(dt.date(2026, 4, 1))) == []

    client.force_login(actor)
    url = f"/readiness/bureau/?org={world.bureau.uuid}"
    with django_assert_max_num_queries(60) as one:
        page = client.get(url)
    assert page.status_code == 200 and hazard.number in page.content.decode()
    for day in (11, 12, 13):
        inspect(day, day % 2 == 1)
    outbox.drain()
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = client.get(url)
    numbers = list(Hazard.objects.filter(organization=world.inst_a).values_list("number", flat=True))
    assert len(numbers) == 3 and all(n in page.content.decode() for n in numbers)
