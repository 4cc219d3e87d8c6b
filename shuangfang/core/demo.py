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


# Lines for the console once the server is up (``serve``): the demo's logins, registered by the app
# that makes the demo people.
CONSOLE: list[Callable[[], list[str]]] = []


def console(fn: Callable[[], list[str]]) -> Callable[[], list[str]]:
    if fn not in CONSOLE:
        CONSOLE.append(fn)
    return fn


def console_lines() -> list[str]:
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("demo")
    return [line for fn in CONSOLE for line in fn()]
