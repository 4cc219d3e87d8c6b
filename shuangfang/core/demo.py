"""Registry of demo-data builders. Each app may add one in its ``demo.py``: a function that takes the
demo city (from ``orgs.demo``) and adds its records idempotently."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

BUILDERS: list[tuple[int, str, Callable[[Any], None]]] = []


def register(order: int, name: str) -> Callable:
    def decorator(fn: Callable[[Any], None]) -> Callable[[Any], None]:
        if name not in {n for _o, n, _f in BUILDERS}:
            BUILDERS.append((order, name, fn))
        return fn

    return decorator
