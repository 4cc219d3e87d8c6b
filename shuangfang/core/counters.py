"""Pre-aggregated counters: tables of counts keyed by a few columns, kept in step with the records.

An app that needs a count over many rows (all closed hazards of an institution, a year of tasks)
keeps a counter table and changes it **in the same transaction** as the change that moves the
count, by a delta: ``bump`` writes one ``INSERT … ON CONFLICT (key) DO UPDATE SET n = n +
excluded.n`` for every key touched (the same SQL on PostgreSQL and SQLite). Concurrent changes
never lose an increment: PostgreSQL applies the upsert to the row under its row lock, SQLite has
one writer at a time.

Deadlocks: keys are written in sorted order, so two transactions touching the same keys lock them
in the same order; and the bump is the **last write** of its transaction, so a transaction holding
a counter row waits for nothing else before it commits (the concurrency test in
``dashboards/tests/test_aggregates.py`` deadlocked while bumps sat in the middle of transactions).
The lock is held only for the commit. (Services that cause another app's change do it after their
commit, through ``core.events``: an inspection's problem becomes a hazard in its own transaction.)

Each app describes one record's share of the counts (``Counter.share``); the change of a record is
``share(after) - share(before)``. ``rebuild`` recomputes the whole table from the records (what a
migration or ``manage.py dashboards_rebuild_aggregates`` runs) and ``differences`` compares the
table with the records.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, cast

from django.db import connection, transaction
from django.db.models import Field, Model

Key = tuple
Counts = dict[Key, dict[str, int]]


def merge(*parts: Mapping[Key, Mapping[str, int]], sign: int = 1) -> Counts:
    out: Counts = defaultdict(lambda: defaultdict(int))
    for part in parts:
        for key, fields in part.items():
            for name, n in fields.items():
                out[key][name] += sign * n
    return {k: dict(v) for k, v in out.items()}


def delta(before: Mapping[Key, Mapping[str, int]], after: Mapping[Key, Mapping[str, int]]) -> Counts:
    """``after - before``, without the keys and fields that did not move."""
    moved = merge(after, merge(before, sign=-1))
    return {k: {f: n for f, n in v.items() if n} for k, v in moved.items() if any(v.values())}


@dataclass(frozen=True)
class Counter:
    """A counter table: ``model`` with the ``keys`` columns (a unique constraint over them, in this
    order) and the ``fields`` counted; ``share(record)`` is one record's share as
    ``{key tuple: {field: n}}``; ``expected()`` computes the whole table from the records."""

    model: type[Model]
    keys: tuple[str, ...]
    fields: tuple[str, ...]
    share: Callable[[Any], Counts]
    expected: Callable[[], Counts]

    def of(self, records: Iterable[Any]) -> Counts:
        """The share of ``records`` (take it before a change, and again after)."""
        return merge(*(self.share(r) for r in records))

    def move(self, before: Counts, after: Counts) -> None:
        """Records went from shares ``before`` to ``after`` (``{}`` for a record created or
        deleted): apply the difference. Call inside the transaction of the change."""
        self.bump(delta(before, after))

    def bump(self, deltas: Counts) -> None:
        rows = sorted((k, v) for k, v in deltas.items() if any(v.values()))
        if not rows:
            return
        qn = connection.ops.quote_name
        meta = self.model._meta
        key_cols = [self._column(k) for k in self.keys]
        counted = [self._column(f) for f in self.fields]
        cols = key_cols + counted
        values = ", ".join(["(" + ", ".join(["%s"] * len(cols)) + ")"] * len(rows))
        params: list[Any] = []
        for key, fields in rows:
            params.extend(key)
            params.extend(fields.get(f, 0) for f in self.fields)
        # Identifiers come from the model's metadata, quoted; every value is a parameter.
        table = qn(str(meta.db_table))
        updates = ", ".join(f"{qn(c)} = {table}.{qn(c)} + excluded.{qn(c)}" for c in counted)
        sql = (
            f"INSERT INTO {table} ({', '.join(qn(c) for c in cols)}) VALUES {values} "  # noqa: S608
            f"ON CONFLICT ({', '.join(qn(c) for c in key_cols)}) DO UPDATE SET {updates}"
        )
        with connection.cursor() as cur:
            cur.execute(sql, params)

    def _column(self, name: str) -> str:
        return str(cast(Field, self.model._meta.get_field(name)).column)

    def stored(self) -> Counts:
        return {
            tuple(row[: len(self.keys)]): dict(zip(self.fields, row[len(self.keys) :], strict=True))
            for row in self.model._default_manager.values_list(*self.keys, *self.fields)
        }

    def rebuild(self) -> int:
        """Replace the table by counts from the records; returns the number of rows written.
        On PostgreSQL the table is locked against writers first, so a change committed during the
        rebuild is either in the records read or applied afterwards as a delta, never lost."""
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cur:
                    cur.execute(
                        f"LOCK TABLE {connection.ops.quote_name(self.model._meta.db_table)} IN EXCLUSIVE MODE"
                    )
            want = self.expected()
            self.model._default_manager.all().delete()
            objs = [
                self.model(**dict(zip(self.keys, key, strict=True)), **{f: v.get(f, 0) for f in self.fields})
                for key, v in want.items()
                if any(v.values())
            ]
            self.model._default_manager.bulk_create(objs, batch_size=5000)
        return len(objs)

    def differences(self) -> dict[Key, tuple[dict[str, int], dict[str, int]]]:
        """Keys whose stored counts differ from the records: ``{key: (stored, from records)}``.
        On PostgreSQL both are read from one snapshot (a change commits its records and its counts
        together), so changes going on meanwhile show no false difference."""
        outer = connection.in_atomic_block  # then the isolation level is set already
        with transaction.atomic():
            if connection.vendor == "postgresql" and not outer:
                with connection.cursor() as cur:
                    cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            have, want = self.stored(), self.expected()
        zero = dict.fromkeys(self.fields, 0)
        out = {}
        for key in set(have) | set(want):
            a = {**zero, **have.get(key, {})}
            b = {**zero, **want.get(key, {})}
            if a != b:
                out[key] = (a, b)
        return out
