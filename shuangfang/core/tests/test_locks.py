"""``core.locks.job_lock``: a second run of a job while the first still runs skips, and the lock is
free again afterwards; ``periodic`` jobs run under it."""

from __future__ import annotations

import threading

import pytest
from django.db import connections

from shuangfang.core import schedule
from shuangfang.core.locks import job_lock

pytestmark = pytest.mark.django_db(transaction=True)


def _in_other_worker(name: str) -> bool:
    got: list[bool] = []

    def run() -> None:
        try:
            with job_lock(name) as mine:
                got.append(mine)
        finally:
            connections.close_all()

    t = threading.Thread(target=run)
    t.start()
    t.join(30)
    return got[0]


def test_a_second_run_while_the_first_holds_the_lock_skips_then_the_lock_is_free():
    with job_lock("test.job") as mine:
        assert mine
        assert _in_other_worker("test.job") is False
        assert _in_other_worker("test.other") is True
    assert _in_other_worker("test.job") is True


def test_a_periodic_job_still_running_makes_the_next_slot_skip(monkeypatch):
    calls: list[str] = []
    monkeypatch.setattr(schedule, "claim", lambda name, at: True)

    def job() -> str:
        calls.append("ran")
        return "done"

    run = schedule.once("test.slow", lambda t: True, job)
    with job_lock("test.slow"):
        assert _in_thread(run) is None
    assert _in_thread(run) == "done"
    assert calls == ["ran"]


def _in_thread(fn):
    out: list[object] = []

    def go() -> None:
        try:
            out.append(fn())
        finally:
            connections.close_all()

    t = threading.Thread(target=go)
    t.start()
    t.join(30)
    return out[0]
