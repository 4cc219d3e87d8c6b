"""Panels other apps add to the alarm page, so that monitoring imports none of them (apps depend one
way): an app registers ``fn(request, alarm) -> Panel | None`` in its ``AppConfig.ready`` (equipment
shows the cameras at the alarm's risk point with the time window to look at)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)


@dataclass
class Panel:
    template: str
    context: dict[str, Any] = field(default_factory=dict)


ALARM_PANELS: list[Callable[[Any, Any], Panel | None]] = []


def register_alarm_panel(fn: Callable[[Any, Any], Panel | None]) -> Callable[[Any, Any], Panel | None]:
    if fn not in ALARM_PANELS:
        ALARM_PANELS.append(fn)
    return fn


def alarm_panels(request, alarm) -> list[Panel]:
    """The panels for one alarm; a panel that fails is left out (the alarm page always shows)."""
    out = []
    for fn in ALARM_PANELS:
        try:
            panel = fn(request, alarm)
        except Exception:
            log.exception("alarm panel %s", getattr(fn, "__name__", fn))
            continue
        if panel is not None:
            out.append(panel)
    return out
