"""Run the same work in several threads at once, each with its own database connection, as several
workers would (for transactional tests on PostgreSQL)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from django.db import connections

T = TypeVar("T")


def at_once(fn: Callable[[], T], n: int = 2, timeout: float = 120) -> list[T]:
    """``fn()`` in ``n`` threads released together; their results. Raises the first error."""
    errors: list[BaseException] = []
    results: list[T] = []
    barrier = threading.Barrier(n)

    def worker() -> None:
        try:
            barrier.wait()
            results.append(fn())
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
    if errors:
        raise errors[0]
    return results
