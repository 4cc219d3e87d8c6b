"""One way to write a workflow: a status field, a declarative table of moves, one :meth:`Workflow.move`.

A :class:`Transition` row says: from which state(s) (``sources``), by which ``action``, to which
``target`` (``None``: the status stays, the move only records something), ``who`` may make it, an
optional ``guard`` and optional ``effects``::

    FLOW = Workflow(
        Handover,
        [Transition({DRAFT}, "sign", SIGNED, who=is_the_incoming_person, effects=(stamp_signed,))],
        audit_prefix="duty.handover_",
    )
    FLOW.move(handover, "sign", actor=user)

``who`` is

* a permission code registered in an app's ``permissions.py`` (checked with ``core.tenancy.can``
  at ``workflow.organization(obj)``),
* a callable ``(obj, actor) -> bool``, or
* ``None``: a **system move**, made only with ``actor=None`` (a sweep, a device, the worker).

``guard(obj, actor, context)`` returns ``None`` or raises ``ValidationError`` (translated message;
``PermissionDenied`` is fine too). ``effects`` are callables ``(obj, actor, context)`` that stamp
fields on ``obj`` in memory before it is written (``closed_at``, ``accepted_by``…); ``then`` are
callables run after the row is claimed, inside the same transaction (timeline rows, photos, events).
Workflow-wide ``guard``/``effects``/``then`` apply to every row, before the row's own.

:meth:`Workflow.move` is the only code that changes the status field. In one transaction it

1. (``lock=True``) re-reads the row ``SELECT … FOR UPDATE`` (of the row only) and works on that copy;
2. refuses a move not in the table for the current state with :class:`IllegalTransition` (a
   ``ValidationError``: the API answers 400 with the reason), refuses an actor who may not with
   ``PermissionDenied``, runs the guards; nothing is written and ``obj`` is left as it was;
3. runs the effects, then **claims** the row with one conditional update
   ``Model.objects.filter(pk=…, status=old).update(status=new, <changed fields>)``: of two concurrent
   moves of the same object from the same state only one succeeds, the other gets
   :class:`IllegalTransition` (so the hot path, ``lock=False``, needs no lock);
4. runs the ``then`` hooks, writes one audit row (``core.audit``) with the actor, ``<audit_prefix>
   <action>`` (or the row's ``audit_action``), the ``audited`` fields before/after and
   ``context["note"]``;
5. moves the workflow's ``counter`` (``core.counters``) last.

Options for the workflows of machines (a worker claiming rows, a device's readings):

* ``claim_on``: fields the claim also matches on, at their value before the move
  (``filter(pk=…, status=old, attempts=n)``): a worker whose lease ran out cannot record its outcome
  over the worker that claimed the row again since (same status, one more attempt).
* an effect may set a query expression (``F("attempts") + 1``): the update computes it per row and
  the object is re-read for those fields right after (one query), so that a bulk move can count
  on each row without reading it first.
* ``unaudited``: the reason this workflow writes no audit rows (empty, the default: every move
  writes one). Only for system moves in bulk whose row records them itself (a delivery's attempts
  and times); a row with ``who`` other than ``None`` is refused in an unaudited workflow.

:meth:`Workflow.move_many` is the same for a batch of objects moved by one action (a sweep): one
conditional update, one ``bulk_create`` of audit rows, one counter move; effects must give every
object the same values. :meth:`Workflow.allowed` and :meth:`Workflow.actions_for` answer "may this
person do this now" for pages (guards are not run: they need the form's context).
"""

from __future__ import annotations

import copy
import operator
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import reduce
from typing import Any, Generic, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from . import audit
from .counters import Counter
from .models import AuditEntry
from .types import Label

M = TypeVar("M", bound=models.Model)

Who = str | Callable[[Any, Any], bool] | None
Hook = Callable[[Any, Any, dict[str, Any]], None]


def _changed_meanwhile() -> str:
    return _("Someone else changed this meanwhile; reload the page and try again.")


class IllegalTransition(ValidationError):
    """A move the table does not allow from the object's current state (or lost to a concurrent move)."""


@dataclass(frozen=True, init=False)
class Transition:
    sources: frozenset[str]
    action: str
    target: str | None  # None: the status stays
    who: Who = None
    guard: Hook | None = None
    effects: tuple[Hook, ...] = ()
    then: tuple[Hook, ...] = ()
    label: Label = ""
    audit_action: str = ""

    def __init__(
        self,
        sources: Iterable[str],
        action: str,
        target: str | None,
        *,
        who: Who = None,
        guard: Hook | None = None,
        effects: Sequence[Hook] = (),
        then: Sequence[Hook] = (),
        label: Label = "",
        audit_action: str = "",
    ) -> None:
        # ``sources`` may be a single state or an iterable of states.
        srcs = frozenset([sources]) if isinstance(sources, str) else frozenset(str(s) for s in sources)
        for name, value in [
            ("sources", srcs),
            ("action", action),
            ("target", None if target is None else str(target)),
            ("who", who),
            ("guard", guard),
            ("effects", tuple(effects)),
            ("then", tuple(then)),
            ("label", label or action),
            ("audit_action", audit_action),
        ]:
            object.__setattr__(self, name, value)


# Every workflow built with ``register=True`` (the default): for tests and documentation.
WORKFLOWS: list[Workflow[Any]] = []


@dataclass
class Workflow(Generic[M]):
    model: type[M]
    transitions: Sequence[Transition]
    audit_prefix: str = ""
    status_field: str = "status"
    audited: tuple[str, ...] = ()
    organization: Callable[[M], Any] = field(default=lambda obj: obj.organization)
    lock: bool = False
    select_related: tuple[str, ...] = ()
    counter: Counter | None = None
    guard: Hook | None = None
    effects: tuple[Hook, ...] = ()
    then: tuple[Hook, ...] = ()
    refusal: Callable[[M, Transition | None, str], str] | None = None
    register: bool = True
    claim_on: tuple[str, ...] = ()
    unaudited: str = ""  # why no audit rows are written (empty: every move writes one)

    def __post_init__(self) -> None:
        self.rows: dict[str, list[Transition]] = {}
        for t in self.transitions:
            self.rows.setdefault(t.action, []).append(t)
            if self.unaudited and t.who is not None:
                raise ValueError(f"{t.action}: a person's move is always audited")
        self.claim_attnames = tuple(
            getattr(self.model._meta.get_field(f), "attname", f) for f in self.claim_on
        )
        self.audited = tuple(dict.fromkeys([self.status_field, *self.audited]))
        if self.register:
            WORKFLOWS.append(self)

    # --- questions -------------------------------------------------------------------------------

    def row(self, obj: M, action: str) -> Transition | None:
        """The row for ``action`` from ``obj``'s current state (None: not possible now)."""
        status = getattr(obj, self.status_field)
        return next((t for t in self.rows.get(action, ()) if status in t.sources), None)

    def may(self, t: Transition, obj: M, actor: Any) -> bool:
        """Whether ``actor`` is someone who may make ``t`` on ``obj`` (status aside)."""
        if t.who is None:
            return actor is None
        if actor is None:
            return False
        if isinstance(t.who, str):
            from .tenancy import can

            return can(actor, t.who, self.organization(obj))
        return bool(t.who(obj, actor))

    def allowed(self, obj: M, action: str, actor: Any) -> bool:
        t = self.row(obj, action)
        return t is not None and self.may(t, obj, actor)

    def actions_for(self, obj: M, actor: Any) -> list[Transition]:
        """The rows ``actor`` may make now, in table order (for buttons)."""
        return [t for t in self.transitions if t is self.row(obj, t.action) and self.may(t, obj, actor)]

    def check(self, obj: M, action: str, actor: Any, **context: Any) -> Transition:
        """Refuse now, as :meth:`move` would, without changing anything; the row otherwise."""
        t = self.row(obj, action)
        if t is None:
            raise IllegalTransition(self._refusal(obj, action))
        if not self.may(t, obj, actor):
            raise PermissionDenied(t.who if isinstance(t.who, str) else action)
        for guard in (self.guard, t.guard):
            if guard is not None:
                guard(obj, actor, context)
        return t

    # --- moves -----------------------------------------------------------------------------------

    def move(self, obj: M, action: str, *, actor: Any, **context: Any) -> M:
        """Make ``action`` on ``obj`` for ``actor`` (``None``: the system), or refuse and change nothing."""
        if action not in self.rows:
            raise IllegalTransition(_("Unknown action."))
        with transaction.atomic():
            target = obj
            if self.lock:
                qs = self.model._default_manager.select_for_update(of=("self",))
                if self.select_related:
                    qs = qs.select_related(*self.select_related)
                target = qs.get(pk=obj.pk)
            saved = _values(target)
            try:
                t = self.check(target, action, actor, **context)
                before = audit.snapshot(target, self.audited)
                counted = self.counter.of([target]) if self.counter else None
                old = getattr(target, self.status_field)
                if t.target is not None:
                    setattr(target, self.status_field, t.target)
                for effect in (*self.effects, *t.effects):
                    effect(target, actor, context)
                updates = _changed(target, saved)
                updates[self.status_field] = getattr(target, self.status_field)
                claim = {self.status_field: old, **{f: saved[f] for f in self.claim_attnames}}
                claimed = self.model._default_manager.filter(pk=target.pk, **claim).update(**updates)
                if claimed != 1:
                    raise IllegalTransition(_changed_meanwhile())
            except BaseException:
                _restore(target, saved)
                raise
            _reread_expressions(self.model, [target], updates)
            context.setdefault("from_status", old)
            for hook in (*self.then, *t.then):
                hook(target, actor, context)
            if not self.unaudited:
                audit.record(
                    actor=actor,
                    action=self._audit_action(t),
                    obj=target,
                    organization=self.organization(target),
                    before=before,
                    after=audit.snapshot(target, self.audited),
                    note=str(context.get("note") or ""),
                )
            if self.counter is not None and counted is not None:
                self.counter.move(counted, self.counter.of([target]))  # the last write
        if target is not obj:
            for name, value in _values(target).items():
                setattr(obj, name, value)
        return target

    def move_many(self, objs: Sequence[M], action: str, *, actor: Any, **context: Any) -> int:
        """Move every one of ``objs`` (fetched, ideally locked, by the caller) by ``action``: the
        same rules as :meth:`move`, with one update, one insert of audit rows and one counter move.
        All or nothing: if one of them is not in a source state (or was moved meanwhile), nothing is,
        and the objects are left as they were."""
        objs = list(objs)
        if not objs:
            return 0
        with transaction.atomic():
            rows = [self.check(o, action, actor, **context) for o in objs]
            if len({id(t) for t in rows}) != 1:
                raise ValueError(f"{action}: a bulk move must leave from states of one row")
            t = rows[0]
            counted = self.counter.of(objs) if self.counter else None
            befores, updates, claims = [], None, []
            saves = [_values(o) for o in objs]
            try:
                for o, saved in zip(objs, saves, strict=True):
                    claims.append(Q(pk=o.pk, **{f: saved[f] for f in self.claim_attnames}))
                    befores.append(audit.snapshot(o, self.audited) if not self.unaudited else {})
                    if t.target is not None:
                        setattr(o, self.status_field, t.target)
                    for effect in (*self.effects, *t.effects):
                        effect(o, actor, context)
                    changed = _changed(o, saved)
                    changed[self.status_field] = getattr(o, self.status_field)
                    if updates is not None and changed != updates:
                        raise ValueError(
                            f"{action}: a bulk move's effects must give every object the same values"
                        )
                    updates = changed
                assert updates is not None
                qs = self.model._default_manager.filter(
                    pk__in=[o.pk for o in objs], **{f"{self.status_field}__in": t.sources}
                )
                if self.claim_attnames:
                    qs = qs.filter(reduce(operator.or_, claims))
                if qs.update(**updates) != len(objs):
                    raise IllegalTransition(_changed_meanwhile())
            except BaseException:
                for o, saved in zip(objs, saves, strict=True):
                    _restore(o, saved)
                raise
            _reread_expressions(self.model, objs, updates)
            for hook in (*self.then, *t.then):
                for o in objs:
                    hook(o, actor, context)
            note = str(context.get("note") or "")
            if not self.unaudited:
                AuditEntry.objects.bulk_create(
                    [
                        audit.entry(
                            actor=actor,
                            action=self._audit_action(t),
                            obj=o,
                            organization=self.organization(o),
                            before=b,
                            after=audit.snapshot(o, self.audited),
                            note=note,
                        )
                        for o, b in zip(objs, befores, strict=True)
                    ]
                )
            if self.counter is not None and counted is not None:
                self.counter.move(counted, self.counter.of(objs))  # the last write
        return len(objs)

    # --- helpers ---------------------------------------------------------------------------------

    def _audit_action(self, t: Transition) -> str:
        return t.audit_action or f"{self.audit_prefix}{t.action}"

    def _refusal(self, obj: M, action: str) -> str:
        rows = self.rows.get(action, [])
        t = rows[0] if rows else None
        if self.refusal is not None:
            return self.refusal(obj, t, action)
        display = getattr(obj, f"get_{self.status_field}_display", None)
        status = display() if display else getattr(obj, self.status_field)
        return _("“%(action)s” is not possible while this is “%(status)s”.") % {
            "action": t.label if t else action,
            "status": status,
        }


def _values(obj: models.Model) -> dict[str, Any]:
    """The concrete field values of ``obj`` (by attname), copied so that in-place edits show."""
    out = {}
    for f in obj._meta.concrete_fields:
        value = obj.__dict__.get(f.attname)
        out[f.attname] = copy.deepcopy(value) if isinstance(value, dict | list) else value
    return out


def _changed(obj: models.Model, saved: dict[str, Any]) -> dict[str, Any]:
    """The fields the move changed, plus ``auto_now`` fields (the update skips ``save()``)."""
    out: dict[str, Any] = {}
    for f in obj._meta.concrete_fields:
        if f.primary_key:
            continue
        if getattr(f, "auto_now", False):
            out[f.attname] = f.pre_save(obj, add=False)
        elif obj.__dict__.get(f.attname) != saved.get(f.attname):
            out[f.attname] = obj.__dict__.get(f.attname)
    return out


def _reread_expressions(
    model: type[models.Model], objs: Sequence[models.Model], updates: dict[str, Any]
) -> None:
    """Read back the fields the update computed from query expressions (``F("n") + 1``)."""
    names = [name for name, value in updates.items() if hasattr(value, "resolve_expression")]
    if not names:
        return
    fresh = {
        row[0]: row[1:]
        for row in model._default_manager.filter(pk__in=[o.pk for o in objs]).values_list("pk", *names)
    }
    for o in objs:
        for name, value in zip(names, fresh[o.pk], strict=True):
            setattr(o, name, value)


def _restore(obj: models.Model, saved: dict[str, Any]) -> None:
    for name, value in saved.items():
        if obj.__dict__.get(name) != value:
            setattr(obj, name, value)
