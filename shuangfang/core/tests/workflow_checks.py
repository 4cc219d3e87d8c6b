"""The invariant every workflow's property test checks after each attempted move (``core.workflow``):

* an object whose status changed, or that got an audit row of the workflow, made exactly one move
  that is a row of the table: from its state before, by the action tried, to the row's target, by
  someone the row allows, with exactly one audit row naming that actor and that action;
* an object the attempt did not move has neither a new status nor a new audit row of the workflow.

For a workflow without audit rows (``unaudited``), a change of status is the move, and no audit row
of the workflow is ever written; the test checks what the row records itself.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models

from shuangfang.core.models import AuditEntry
from shuangfang.core.tenancy import can
from shuangfang.core.workflow import Transition, Workflow
from shuangfang.orgs.tests.factories import PERSONAS

# Who tries the moves in the property tests: every persona of the world and the system (None).
PEOPLE_AND_SYSTEM: list[str | None] = [p for p in PERSONAS if p != "anonymous"] + [None]


def _may(flow: Workflow[Any], row: Transition, obj: models.Model, actor: Any) -> bool:
    """The row's ``who``, read here and not through ``Workflow.may`` (which is under test)."""
    if row.who is None:
        return actor is None
    if actor is None:
        return False
    if isinstance(row.who, str):
        return can(actor, row.who, flow.organization(obj))
    return bool(row.who(obj, actor))


def _state(flow: Workflow[Any], objs: Sequence[models.Model]) -> dict[int, tuple[models.Model, list[int]]]:
    actions = {flow._audit_action(t) for t in flow.transitions}
    ct = ContentType.objects.get_for_model(flow.model)
    fresh = flow.model._default_manager.in_bulk([o.pk for o in objs])
    out: dict[int, tuple[models.Model, list[int]]] = {}
    for pk, obj in fresh.items():
        entries = AuditEntry.objects.filter(content_type=ct, object_id=str(pk))
        if not flow.unaudited:  # unaudited: any audit row of the object at all
            entries = entries.filter(action__in=actions)
        ids = entries.values_list("pk", flat=True)
        out[pk] = (obj, list(ids))
    return out


def attempt(
    flow: Workflow[Any],
    objs: Sequence[models.Model],
    action: str,
    actor: Any,
    do: Callable[[], Any],
) -> bool:
    """Run ``do`` (a service call that tries ``action`` as ``actor``) and check every one of ``objs``.
    Returns whether ``do`` succeeded (it may also be refused with ValidationError/PermissionDenied)."""
    before = _state(flow, objs)
    try:
        do()
        ok = True
    except (ValidationError, PermissionDenied):
        ok = False
    after = _state(flow, objs)
    for pk, (old, old_ids) in before.items():
        new, new_ids = after[pk]
        added = [i for i in new_ids if i not in old_ids]
        old_status = getattr(old, flow.status_field)
        new_status = getattr(new, flow.status_field)
        if flow.unaudited:
            assert not added, f"{flow.model.__name__} {pk}: an audit row in an unaudited workflow"
            if new_status == old_status:
                continue
            assert ok, "a refused attempt changed the status"
        elif not added:
            assert new_status == old_status, f"{flow.model.__name__} {pk} changed status without a move"
            continue
        else:
            assert ok, "a refused attempt wrote an audit row"
            assert len(added) == 1, f"{flow.model.__name__} {pk}: {len(added)} audit rows for one move"
        row = flow.row(old, action)
        assert row is not None, f"{action} from {old_status} is not in the table, yet it happened"
        assert new_status == (row.target or old_status), (action, old_status, new_status)
        assert _may(flow, row, old, actor), f"{actor} may not {action}, yet it happened"
        if flow.unaudited:
            continue
        entry = AuditEntry.objects.get(pk=added[0])
        assert entry.actor_id == getattr(actor, "pk", None)
        assert entry.action == flow._audit_action(row)
    return ok
