"""Consumer (``shuangfang/events.py``): a control measure edited in the risk register updates the
checklist items made from it."""

from __future__ import annotations

from shuangfang.events import MeasureChanged


def follow_measure(kind: str, event: MeasureChanged) -> None:
    from .checklists import follow_measure as follow

    follow(event.measure_uuid, event.what_to_check, deleted=event.deleted)
