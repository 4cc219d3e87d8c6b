"""Every test here runs on a set clock: the figures depend on where in the month and quarter
"today" falls (a task missed five days ago is in this month on the 18th, in the last one on the
4th), and no test may depend on the day it runs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
import time_machine

TODAY = dt.datetime(2026, 11, 18, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def _fixed_clock() -> Iterator[None]:
    with time_machine.travel(TODAY, tick=True):
        yield
