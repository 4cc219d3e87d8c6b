"""Other apps' queues that feed the hazards triage (reports from visitors waiting for a decision,
...): registered at start by the app that owns them, shown on "My hazards" above the queue to
confirm as a line with a count and a link. The hazards app imports none of them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class TriageLine:
    label: str
    count: int
    url: str


TriageSource = Callable[[Any], TriageLine | None]
SOURCES: list[TriageSource] = []


def register_triage_source(source: TriageSource) -> None:
    if source not in SOURCES:
        SOURCES.append(source)


def lines(user) -> list[TriageLine]:
    """The lines for ``user`` (a source answers None when the user has nothing there)."""
    return [line for source in SOURCES if (line := source(user)) is not None]
