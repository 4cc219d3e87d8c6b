"""What a producing app calls: ``publish(kind, **fields)`` inside its service's transaction.

The kinds, their typed payloads and their consumers are listed in ``shuangfang/events.py``; the
fields are checked against the kind's payload type at once, and the event is written to the
transactional outbox (``core.outbox``): it exists if and only if the change commits, and each
consumer runs it exactly once, later, in the worker.
"""

from __future__ import annotations

from typing import Any

from . import outbox


def publish(kind: str, **fields: Any) -> None:
    outbox.emit(kind, outbox.payload_for(kind, fields))


def published(*patterns: str) -> list[tuple[str, dict[str, Any]]]:
    """The events written so far (one per origin, oldest first) whose kind matches one of
    ``patterns`` (``"alarm.*"``, ``"hazard.closed"``; none: all), for tests and the shell."""
    from django.db.models import Q

    from .models import OutboxEvent

    rows = OutboxEvent.objects.order_by("id")
    if patterns and "*" not in patterns:
        match = Q()
        for p in patterns:
            match |= Q(kind__startswith=p[:-1]) if p.endswith("*") else Q(kind=p)
        rows = rows.filter(match)
    seen: set[tuple[str, str]] = set()
    out = []
    for row in rows:
        if (row.kind, row.origin_key) not in seen:
            seen.add((row.kind, row.origin_key))
            out.append((row.kind, row.payload))
    return out


class Published:
    """A live view of :func:`published` for tests: ``seen = Published("alarm.*")`` then
    ``seen[-1][0] == "alarm.cleared"``, ``len(seen)``; ``payloads=True`` gives the payloads alone."""

    def __init__(self, *patterns: str, payloads: bool = False) -> None:
        self.patterns = patterns or ("*",)
        self.payloads = payloads

    def _rows(self) -> list[Any]:
        rows = published(*self.patterns)
        return [r[1] for r in rows] if self.payloads else rows

    def __len__(self) -> int:
        return len(self._rows())

    def __getitem__(self, i: int) -> Any:
        return self._rows()[i]

    def __iter__(self) -> Any:
        return iter(self._rows())

    def __bool__(self) -> bool:
        return bool(self._rows())

    def __eq__(self, other: object) -> bool:
        return self._rows() == other

    __hash__ = None  # type: ignore[assignment]
