"""Property test of the handover table (``services.HANDOVER_FLOW``): random people (and the system)
trying to sign never make a move outside the table, and every move writes exactly one audit row
naming its actor."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shuangfang.core.tests.workflow_checks import PEOPLE_AND_SYSTEM as PEOPLE
from shuangfang.core.tests.workflow_checks import attempt
from shuangfang.duty import services
from shuangfang.duty.models import HandoverStatus

from .helpers import shift_a

pytestmark = pytest.mark.django_db


def test_random_signatures_stay_in_the_table(world):
    shift = shift_a(world)
    signed = []

    @settings(
        max_examples=30,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(st.sampled_from(["staff", "department_head"]), st.lists(st.sampled_from(PEOPLE), max_size=5))
    def walk(to, signers):
        frm = "department_head" if to == "staff" else "staff"
        handover = services.write_handover(
            actor=world.users[frm], shift=shift, day=dt.date(2026, 1, 2), to_user=world.users[to]
        )
        for who in signers:
            actor = world.users[who] if who else None
            if who is None:

                def do(actor=actor):
                    return services.HANDOVER_FLOW.move(handover, "sign", actor=actor)
            else:

                def do(actor=actor):
                    return services.sign_handover(actor=actor, handover=handover)

            if attempt(services.HANDOVER_FLOW, [handover], "sign", actor, do):
                signed.append(who)
                assert who == to
        handover.refresh_from_db()
        assert (handover.status == HandoverStatus.SIGNED) == (to in signers)

    walk()
    assert signed
