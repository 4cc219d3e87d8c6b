"""Roster objects for a test world (created on first use, cached on the world)."""

from __future__ import annotations

import datetime as dt

from shuangfang.duty import services
from shuangfang.duty.models import Handover, Shift


def shift_a(w) -> Shift:
    if "shift_a" not in w.__dict__:
        w.__dict__["shift_a"] = services.save_shift(
            actor=w.root,
            organization=w.inst_a,
            members=[w.users["staff"], w.users["department_head"]],
            name="白班",
            start_time=dt.time(8, 0),
            duration_minutes=12 * 60,
            rotation_start=dt.date(2026, 1, 1),
            post=w.post_a,
        )
    return w.__dict__["shift_a"]


def handover_a(w) -> Handover:
    if "handover_a" not in w.__dict__:
        w.__dict__["handover_a"] = services.write_handover(
            actor=w.users["department_head"],
            shift=shift_a(w),
            day=dt.date(2026, 1, 2),
            to_user=w.users["staff"],
            notes="煤气阀已检查",
        )
    return w.__dict__["handover_a"]
