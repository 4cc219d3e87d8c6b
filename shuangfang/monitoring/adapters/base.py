from __future__ import annotations

from typing import Any


class AdapterError(ValueError):
    """A vendor message that cannot be mapped: the reason names the field."""


def need(obj: Any, path: str) -> Any:
    """``obj["a"]["b"]`` for ``"a.b"``, or :class:`AdapterError` naming the missing field."""
    cur = obj
    for part in path.split("."):
        if not isinstance(cur, dict) or part not in cur or cur[part] in (None, ""):
            raise AdapterError(f"missing field: {path}")
        cur = cur[part]
    return cur
