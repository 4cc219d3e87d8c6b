"""Locks across processes, for work that must not run twice at the same time.

- ``serialised(name)``: inside a transaction, wait for any other transaction holding ``name`` to
  finish (PostgreSQL ``pg_advisory_xact_lock``, released at commit or rollback). On SQLite every
  transaction already holds the database's write lock from its first statement
  (``transaction_mode = IMMEDIATE`` in the settings), so nothing more is needed there.
- ``job_lock(name)``: a lock held for the length of a job, taken without waiting; a second run of
  the same job while the first is still going gets ``False`` and skips (PostgreSQL
  ``pg_try_advisory_lock`` on its own connection; SQLite installs run on one box, so an exclusive
  ``flock`` on ``var/locks/<name>.lock``).
"""

from __future__ import annotations

import fcntl
import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connection


def _key(name: str) -> int:
    """A stable signed 64-bit key for PostgreSQL's advisory locks."""
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "big", signed=True)


def serialised(name: str) -> None:
    """Call first thing inside ``transaction.atomic()``: one transaction at a time gets past it."""
    if not connection.in_atomic_block:
        raise RuntimeError("serialised() needs a transaction")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_key(name)])


@contextmanager
def job_lock(name: str) -> Iterator[bool]:
    """``with job_lock("reports.generate") as mine: if mine: …``."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [_key(name)])
            mine = bool(cursor.fetchone()[0])
        try:
            yield mine
        finally:
            if mine:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [_key(name)])
        return
    folder = Path(settings.VAR_DIR) / "locks"
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / f"{name}.lock", "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
