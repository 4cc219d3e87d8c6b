"""The workflow helper: a move outside the table is refused and saves nothing; two moves of the same
object from the same state cannot both succeed; every move writes one audit row with its actor."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.models import F, Value
from django.db.models.functions import Concat
from django.utils import timezone, translation

from shuangfang.core.models import AuditEntry
from shuangfang.core.permissions import REGISTRY
from shuangfang.core.workflow import WORKFLOWS, IllegalTransition, Transition, Workflow
from shuangfang.duty.models import Handover, HandoverStatus
from shuangfang.duty.tests.helpers import handover_a

pytestmark = pytest.mark.django_db

D, S = HandoverStatus.DRAFT, HandoverStatus.SIGNED


def _stamp(h: Handover, actor: Any, context: dict[str, Any]) -> None:
    h.to_signed_at = timezone.now()
    h.notes = context.get("note", h.notes)


def _no_shouting(h: Handover, actor: Any, context: dict[str, Any]) -> None:
    if context.get("note", "").isupper():
        raise ValidationError("no shouting")


def _incoming(h: Handover, actor: Any) -> bool:
    return actor.pk == h.to_user_id


def flow(*, lock: bool = False, **kw: Any) -> Workflow[Handover]:
    return Workflow(
        Handover,
        [
            Transition(
                D, "sign", S, who=lambda h, a: a.pk == h.to_user_id, guard=_no_shouting, effects=[_stamp]
            ),
            Transition([D, S], "comment", None, who="duty.view"),
            Transition(S, "archive", D, who=None),  # a system move
        ],
        audit_prefix="test.",
        lock=lock,
        register=False,
        **kw,
    )


def audits(h: Handover) -> list[AuditEntry]:
    return list(AuditEntry.objects.for_object(h).filter(action__startswith="test.").order_by("pk"))


def state(h: Handover) -> tuple:
    row = Handover.objects.get(pk=h.pk)
    return row.status, row.to_signed_at, row.notes


def test_a_move_sets_the_status_stamps_and_writes_one_audit_row_with_its_actor(world):
    h, staff = handover_a(world), world.users["staff"]
    moved = flow().move(h, "sign", actor=staff, note="收到")
    assert moved.status == S == Handover.objects.get(pk=h.pk).status
    assert state(h)[1] is not None and state(h)[2] == "收到"
    [entry] = audits(h)
    assert entry.actor == staff and entry.action == "test.sign" and entry.note == "收到"
    assert entry.organization == h.organization
    assert entry.changes["status"][1] == HandoverStatus.SIGNED  # the code; shown in words by change_rows


@pytest.mark.parametrize("lock", [False, True])
def test_a_move_not_in_the_table_is_refused_and_nothing_is_saved(world, lock):
    h = handover_a(world)
    before = state(h)
    with translation.override("en"), pytest.raises(IllegalTransition, match="not possible while"):
        flow(lock=lock).move(h, "archive", actor=None)  # archive leaves from signed only
    with pytest.raises(IllegalTransition):
        flow(lock=lock).move(h, "fly", actor=world.users["staff"])
    assert state(h) == before and h.status == D and audits(h) == []


@pytest.mark.parametrize("lock", [False, True])
def test_who_may_guards_and_effects_refuse_without_saving_or_dirtying_the_object(world, lock):
    h, staff = handover_a(world), world.users["staff"]
    before, notes = state(h), h.notes
    with pytest.raises(PermissionDenied):
        flow(lock=lock).move(h, "sign", actor=world.users["safety_officer"])  # not the incoming person
    with pytest.raises(PermissionDenied):
        flow(lock=lock).move(h, "comment", actor=world.users["outsider"])  # no duty.view there
    with pytest.raises(ValidationError, match="no shouting"):
        flow(lock=lock).move(h, "sign", actor=staff, note="OK")

    def boom(h: Handover, actor: Any, context: dict[str, Any]) -> None:
        raise ValidationError("late")

    with pytest.raises(ValidationError, match="late"):
        flow(lock=lock, effects=(_stamp, boom)).move(h, "sign", actor=staff, note="收到")
    assert state(h) == before and audits(h) == []
    assert h.status == D and h.notes == notes and h.to_signed_at is None


def test_system_moves_are_for_the_system_only(world):
    h, staff = handover_a(world), world.users["staff"]
    f = flow()
    f.move(h, "sign", actor=staff)
    assert not f.allowed(h, "archive", staff)
    with pytest.raises(PermissionDenied):
        f.move(h, "archive", actor=staff)
    assert f.allowed(h, "archive", None)
    f.move(h, "archive", actor=None)
    assert [(e.action, e.actor) for e in audits(h)] == [("test.sign", staff), ("test.archive", None)]


def test_actions_for_lists_only_what_the_person_may_do_now(world):
    h, f = handover_a(world), flow()
    assert [t.action for t in f.actions_for(h, world.users["staff"])] == ["sign", "comment"]
    assert [t.action for t in f.actions_for(h, world.users["safety_officer"])] == ["comment"]
    assert f.actions_for(h, world.users["outsider"]) == []
    f.move(h, "comment", actor=world.users["staff"])  # stays in draft
    assert h.status == D and len(audits(h)) == 1


@pytest.mark.parametrize("lock", [False, True])
def test_the_second_move_of_the_same_object_from_the_same_state_fails(world, lock):
    """Two requests loaded the draft; both press "sign". One wins; the other changes nothing."""
    h = handover_a(world)
    first, second = Handover.objects.get(pk=h.pk), Handover.objects.get(pk=h.pk)
    f = flow(lock=lock)
    f.move(first, "sign", actor=world.users["staff"], note="第一")
    with pytest.raises(IllegalTransition):
        f.move(second, "sign", actor=world.users["staff"], note="第二")
    assert state(h)[0] == S and state(h)[2] == "第一"
    assert len(audits(h)) == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrency needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_concurrent_moves_in_two_threads_only_one_wins(world):
    h = handover_a(world)
    staff = world.users["staff"]
    f = flow()
    copies = [Handover.objects.get(pk=h.pk) for _ in range(2)]
    barrier, outcome = threading.Barrier(2), []

    def run(copy: Handover) -> None:
        from django.db import connection as conn

        try:
            barrier.wait()
            f.move(copy, "sign", actor=staff)
            outcome.append("ok")
        except IllegalTransition:
            outcome.append("refused")
        finally:
            conn.close()

    threads = [threading.Thread(target=run, args=(c,)) for c in copies]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcome) == ["ok", "refused"]
    assert len(audits(h)) == 1


def test_move_many_moves_all_or_nothing_with_one_audit_row_each(world, django_assert_max_num_queries):
    h = handover_a(world)
    other = Handover.objects.create(
        organization=h.organization,
        shift=h.shift,
        day=h.day,
        from_user=h.from_user,
        to_user=h.to_user,
        from_signed_at=h.from_signed_at,
    )
    f = flow()
    Handover.objects.filter(pk__in=[h.pk, other.pk]).update(status=S)
    both = list(Handover.objects.filter(pk__in=[h.pk, other.pk]).select_related("organization", "shift"))
    stale = Handover.objects.get(pk=other.pk)
    with django_assert_max_num_queries(4):  # savepoint, update, audit insert, release
        assert f.move_many(both, "archive", actor=None) == 2
    assert set(Handover.objects.filter(pk__in=[h.pk, other.pk]).values_list("status", flat=True)) == {D}
    assert len(audits(h)) == len(audits(other)) == 1
    # ``stale`` still thinks it is signed: the batch with it is refused and nothing moves.
    f.move(h, "sign", actor=world.users["staff"])
    with pytest.raises(IllegalTransition):
        f.move_many([Handover.objects.get(pk=h.pk), stale], "archive", actor=None)
    assert Handover.objects.get(pk=h.pk).status == S
    assert len(audits(h)) == 2 and len(audits(other)) == 1


def test_every_workflow_names_registered_permissions_and_known_states():
    assert WORKFLOWS, "the apps' workflows register themselves"
    for wf in WORKFLOWS:
        states = {str(v) for v, _label in wf.model._meta.get_field(wf.status_field).choices}
        for t in wf.transitions:
            if isinstance(t.who, str):
                assert t.who in REGISTRY, (wf.model, t.action, t.who)
            assert t.sources <= states and (t.target is None or t.target in states), (wf.model, t.action)


def _system_flow(**kw: Any) -> Workflow[Handover]:
    return Workflow(
        Handover,
        [Transition(D, "close", S, who=None, effects=kw.pop("effects", ()))],
        audit_prefix="test.",
        register=False,
        **kw,
    )


def test_claim_on_matches_the_fields_as_they_were_before_the_move(world):
    """A worker whose copy is out of date on a ``claim_on`` field loses the claim, even from the
    right state (a lease that ran out, and the row claimed again since)."""
    h = handover_a(world)
    stale = Handover.objects.get(pk=h.pk)
    Handover.objects.filter(pk=h.pk).update(notes="claimed again")
    f = _system_flow(claim_on=("notes",))
    with pytest.raises(IllegalTransition):
        f.move(stale, "close", actor=None)
    with pytest.raises(IllegalTransition):
        f.move_many([stale], "close", actor=None)
    assert state(h)[0] == D and stale.status == D
    f.move(Handover.objects.get(pk=h.pk), "close", actor=None)
    assert state(h)[0] == S


def test_an_expression_effect_is_computed_per_row_and_read_back(world):
    h = handover_a(world)
    other = Handover.objects.create(
        organization=h.organization,
        shift=h.shift,
        day=h.day,
        from_user=h.from_user,
        to_user=h.to_user,
        from_signed_at=h.from_signed_at,
        notes="乙",
    )
    Handover.objects.filter(pk=h.pk).update(notes="甲")
    both = list(Handover.objects.filter(pk__in=[h.pk, other.pk]).order_by("pk"))

    def append(obj: Handover, actor: Any, context: dict[str, Any]) -> None:
        obj.notes = Concat(F("notes"), Value("+"))

    assert _system_flow(effects=(append,)).move_many(both, "close", actor=None) == 2
    assert [o.notes for o in both] == ["甲+", "乙+"]  # read back: values, not expressions
    assert [state(o)[2] for o in both] == ["甲+", "乙+"]
    assert [a.actor for a in audits(h)] == [None]


def test_an_unaudited_workflow_writes_no_audit_rows_and_has_system_moves_only(world):
    h = handover_a(world)
    f = _system_flow(unaudited="the row records it")
    f.move(h, "close", actor=None)
    assert state(h)[0] == S and audits(h) == []
    with pytest.raises(ValueError, match="always audited"):
        Workflow(Handover, [Transition(D, "sign", S, who="duty.view")], unaudited="why", register=False)
