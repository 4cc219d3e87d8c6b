"""Random sequences of moves by random people never close a hazard without acceptance by someone
other than the fixer, never start a major hazard's rectification without the five assurances, and a
refused move never changes anything."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from shuangfang.core.vocabulary import CheckCategory, HazardGrade
from shuangfang.hazards import services
from shuangfang.hazards.choices import PhotoKind, Status
from shuangfang.hazards.models import Hazard
from shuangfang.hazards.workflow import MOVES, PLAN_FIELDS, transition

from .conftest import jpeg, soon

pytestmark = pytest.mark.django_db

PEOPLE = [
    "admin",
    "bureau_supervisor",
    "institution_head",
    "safety_officer",
    "department_head",
    "staff",
    "assessor",
    "outsider",
]


def candidate_fields(world, h):
    """Per field, a few values including bad ones (missing, past dates, foreign duplicates)."""
    import datetime as dt

    from django.utils import timezone

    from shuangfang.criteria.models import Criterion

    past = timezone.localdate() - dt.timedelta(days=3)
    return {
        "grade": [HazardGrade.GENERAL, HazardGrade.MAJOR],  # first value of each list: a valid one
        "category": [CheckCategory.FIRE, CheckCategory.FOOD],
        "cause": ["老化"],
        "preventive_measures": ["纳入每日检查"],
        "responsible": [world.users["staff"], world.users["department_head"], world.users["outsider"]],
        "measures": ["更换"],
        "deadline": [soon(5), past],
        "funds": [300, -1],
        "contingency_plan": ["疏散"],
        "interim_measures": ["停用"],
        "fix_note": ["已修好"],
        "reject_reason": ["误报"],
        "duplicate_of": [world.other_a, world.other_b],
        "extension_until": [soon(20), past],
        "extension_reason": ["缺货"],
        "supervision_deadline": [soon(9)],
        "supervision_note": ["限期"],
        "criterion": [Criterion.objects.get(code="elderly-2023-4-1")],
    }


def snapshot(h: Hazard) -> tuple:
    h.refresh_from_db()
    return (
        h.status,
        h.grade,
        h.responsible_id,
        h.deadline,
        h.fixed_by_id,
        h.accepted_by_id,
        h.events.count(),
        h.photos.count(),
    )


def test_random_moves_keep_the_invariants(world):
    world.other_a = services.report_hazard(
        actor=world.users["staff"], organization=world.inst_a, description="原始隐患", source="snap"
    )
    world.other_b = services.report_hazard(
        actor=world.users["outsider"], organization=world.inst_b, description="别家的隐患", source="snap"
    )

    reached: set[tuple[str, str]] = set()

    class Machine(RuleBasedStateMachine):
        @initialize()
        def start(self):
            self.hazard = services.report_hazard(
                actor=world.users["staff"], organization=world.inst_a, description="随机", source="snap"
            )

        @rule(
            action=st.sampled_from(
                sorted(MOVES) + ["assign", "submit", "accept", "confirm_major", "approve_plan"] * 2
            ),
            who=st.sampled_from(PEOPLE + ["safety_officer", "institution_head", "staff"]),
            data=st.data(),
            with_photo=st.integers(0, 9).map(lambda n: n < 7),
            with_note=st.integers(0, 9).map(lambda n: n < 8),
        )
        def move(self, action, who, data, with_photo, with_note):
            options = candidate_fields(world, self.hazard)
            move = MOVES[action]
            fields = {}
            careful = data.draw(st.integers(0, 2), label="careful") > 0  # else: random, often bad, input
            for name in sorted(move.fields):
                if name not in options:
                    continue
                if careful:
                    fields[name] = (
                        HazardGrade.MAJOR
                        if (action, name) == ("confirm_major", "grade")
                        else options[name][0]
                    )
                elif data.draw(st.booleans(), label=f"give {name}"):
                    fields[name] = data.draw(st.sampled_from(options[name]), label=name)
            self.attempt(action, who, fields, with_photo, with_note)

        @rule(major=st.booleans())
        def step_towards_closing(self, major):
            """The next move of the ordinary path, by the right person with valid input, so that
            the walks reach "closed" on purpose and not by the luck of the draw (the draws change
            whenever code elsewhere changes)."""
            h = Hazard.objects.get(pk=self.hazard.pk)
            acceptor = (
                "institution_head" if h.fixed_by_id == world.users["safety_officer"].pk else "safety_officer"
            )
            action, who = {
                Status.REPORTED: ("confirm_major" if major else "assign", "safety_officer"),
                Status.PLANNING: ("approve_plan", "institution_head"),
                Status.RECTIFYING: ("submit", "staff"),
                Status.PENDING_ACCEPTANCE: ("accept", acceptor),
            }.get(Status(h.status), ("", ""))
            if action:
                options = candidate_fields(world, h)
                fields = {name: options[name][0] for name in MOVES[action].fields if name in options}
                if action == "confirm_major":
                    fields["grade"] = HazardGrade.MAJOR
                self.attempt(action, who, fields, with_photo=True, with_note=True)

        def attempt(self, action, who, fields, with_photo, with_note):
            h = self.hazard
            before = snapshot(h)
            try:
                transition(
                    h,
                    action,
                    actor=world.users[who],
                    note="说明" if with_note else "",
                    photos=[jpeg()] if with_photo else [],
                    **fields,
                )
            except (ValidationError, PermissionDenied):
                assert snapshot(h) == before, "a refused move changed the hazard"
            reached.add((h.grade, h.status))

        @invariant()
        def closed_only_after_independent_acceptance(self):
            h = Hazard.objects.get(pk=self.hazard.pk)
            if h.status == Status.CLOSED:
                assert h.accepted_by_id is not None
                assert h.fixed_by_id is not None and h.accepted_by_id != h.fixed_by_id
                assert h.photos.filter(kind=PhotoKind.AFTER).exists()
                if h.treatment != "on_spot":  # 四个不放过
                    assert h.cause and h.preventive_measures

        @invariant()
        def major_rectification_has_a_plan(self):
            h = Hazard.objects.get(pk=self.hazard.pk)
            if h.grade == HazardGrade.MAJOR and h.status in (
                Status.RECTIFYING,
                Status.PENDING_ACCEPTANCE,
                Status.CLOSED,
            ):
                assert all(getattr(h, f) not in (None, "") for f in PLAN_FIELDS)

        @invariant()
        def stays_in_its_institution(self):
            h = Hazard.objects.get(pk=self.hazard.pk)
            if h.duplicate_of_id:
                assert Hazard.objects.get(pk=h.duplicate_of_id).organization_id == h.organization_id

    Machine.TestCase.settings = settings(
        max_examples=60,
        stateful_step_count=25,
        derandomize=True,  # the same walks every run: the reachability checks below must not flake
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    from hypothesis.stateful import run_state_machine_as_test

    run_state_machine_as_test(Machine, settings=Machine.TestCase.settings)
    # the random walks did reach the interesting places (else the invariants prove little)
    assert any(status == Status.CLOSED for _grade, status in reached), reached
    assert (HazardGrade.MAJOR, Status.RECTIFYING) in reached, reached
