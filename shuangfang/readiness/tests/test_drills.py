"""Drills: a drill ending before it starts is refused; evacuation time from the timeline; each
improvement becomes exactly one hazard; the fire drill frequency setting with its source."""

from __future__ import annotations

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import translation

from shuangfang.hazards.models import Hazard
from shuangfang.readiness import defaults, drills
from shuangfang.readiness.choices import DrillStatus, StepKind
from shuangfang.readiness.models import DrillStep, Improvement

from .helpers import at, drill_a

pytestmark = pytest.mark.django_db


def record(w, drill, **kw):
    return drills.record_drill(
        actor=w.users["safety_officer"],
        drill=drill,
        started_at=kw.get("start", at(2026, 3, 20, 9, 0)),
        ended_at=kw.get("end", at(2026, 3, 20, 9, 30)),
        steps=kw.get(
            "steps",
            [
                drills.Step(at(2026, 3, 20, 9, 1, 0), StepKind.ALARM, "烟感报警"),
                drills.Step(at(2026, 3, 20, 9, 4, 35), StepKind.EVACUATED, "人员全部撤离至集合点"),
            ],
        ),
        participants=[w.users["staff"], w.users["department_head"]],
        others=30,
    )


def test_a_drill_ending_before_it_starts_is_refused_and_nothing_saved(world):
    drill = drill_a(world)
    with pytest.raises(ValidationError, match="cannot end before it starts"):
        record(world, drill, start=at(2026, 3, 20, 10), end=at(2026, 3, 20, 9))
    drill.refresh_from_db()
    assert drill.status == DrillStatus.PLANNED and drill.started_at is None
    assert not DrillStep.objects.filter(drill=drill).exists()


def test_participants_from_another_institution_are_refused(world):
    drill = drill_a(world)
    with pytest.raises(ValidationError, match="not a member"):
        drills.record_drill(
            actor=world.users["safety_officer"],
            drill=drill,
            started_at=at(2026, 3, 20, 9),
            ended_at=at(2026, 3, 20, 9, 30),
            participants=[world.users["outsider"]],
        )
    drill.refresh_from_db()
    assert drill.status == DrillStatus.PLANNED


def test_evacuation_time_and_improvements_become_one_hazard_each(world):
    with time_machine.travel(at(2026, 3, 20, 10), tick=False):
        drill = record(world, drill_a(world))
        assert drill.evacuation_seconds == 215 and drill.participant_count == 32
        drill = drills.evaluate_drill(
            actor=world.users["safety_officer"],
            drill=drill,
            evaluation="疏散基本有序，二楼东侧疏散较慢",
            improvements=["二楼东侧安全出口指示灯不亮", "", "集合点无人清点人数"],
        )
        assert drill.status == DrillStatus.EVALUATED
        imps = list(Improvement.objects.filter(drill=drill))
        assert len(imps) == 2 and all(i.hazard_uuid for i in imps)
        hazards = Hazard.objects.filter(origin__startswith="drill-improvement:")
        assert hazards.count() == 2
        assert {h.uuid for h in hazards} == {i.hazard_uuid for i in imps}
        # Filing again (a retry) files nothing more.
        assert drills.file_improvement_hazards(drill, actor=world.users["safety_officer"]) == 0
        assert Hazard.objects.filter(origin__startswith="drill-improvement:").count() == 2
        # An evaluated drill cannot be evaluated again.
        with pytest.raises(ValidationError):
            drills.evaluate_drill(
                actor=world.users["safety_officer"], drill=drill, evaluation="x", improvements=["y"]
            )
        assert Hazard.objects.count() == 2


def test_fire_drill_frequency_is_a_setting_with_its_source(world):
    with time_machine.travel(at(2026, 3, 20, 10), tick=False):
        progress = drills.fire_drill_progress(world.inst_a, 2026)
        assert progress["required"] == 2 and progress["where"] is None
        assert "F.3" in progress["source"]
        with translation.override("zh-hans"):  # the default's source in the reader's language
            zh = drills.fire_drill_progress(world.inst_a, 2026)["source"]
        assert "每年至少两次" in zh and "Common practice" not in zh
        record(world, drill_a(world))
        drills.save_setting(
            actor=world.root,
            organization=world.bureau,
            key=defaults.FIRE_DRILLS_PER_YEAR,
            value=4,
            source="市民政局 2026 年安全工作要点",
        )
        progress = drills.fire_drill_progress(world.inst_a, 2026)
        assert (progress["required"], progress["done"], progress["where"]) == (4, 1, world.bureau)
        with pytest.raises(ValidationError):
            drills.save_setting(
                actor=world.root,
                organization=world.bureau,
                key=defaults.FIRE_DRILLS_PER_YEAR,
                value=3,
                source="",
            )
        history = drills.evacuation_history(world.inst_a)
        assert [d.evacuation_seconds for d in history["综合楼"]] == [215]


def test_qr_sign_in_to_a_drill_twice_is_once_and_counts(world):
    drill = drill_a(world)
    cook = world.users["staff"]
    assert drills.sign_in_drill(actor=cook, drill=drill, key=drill.sign_in_key)
    assert not drills.sign_in_drill(actor=cook, drill=drill, key=drill.sign_in_key)
    with pytest.raises(ValidationError, match="not a member"):
        drills.sign_in_drill(actor=world.users["bureau_supervisor"], drill=drill, key=drill.sign_in_key)
    with pytest.raises(ValidationError):
        drills.sign_in_drill(actor=world.users["department_head"], drill=drill, key="guess")
    recorded = record(world, drill)  # the cook again, and the department head, and 30 others
    assert recorded.participant_count == 32
    assert drill.participants.count() == 2
    with pytest.raises(ValidationError, match="sign-in is closed"):
        drills.sign_in_drill(actor=world.users["institution_head"], drill=drill, key=drill.sign_in_key)
