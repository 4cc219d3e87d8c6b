"""Every periodic job is safe if it ever runs twice (issue 23): run over the demo city, a second
run right after the first changes no row of any table. ``core.schedule`` already runs each slot
once; this is the promise for a manual run, a restored schedule table or a clock step."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps
from django.core.management import call_command
from django.utils.module_loading import autodiscover_modules

from shuangfang.core.schedule import JOBS

pytestmark = pytest.mark.django_db

# Just after midnight on the 1st of a month, an hour after the reports' nightly slot would see
# the month that ended: every job has work (reminders, missed tasks, rollups of old readings).
AT = dt.datetime(2026, 12, 1, 3, 30, tzinfo=ZoneInfo("Asia/Shanghai"))


def _snapshot() -> dict[str, list[tuple]]:
    return {
        m._meta.label: list(m._default_manager.order_by("pk").values_list())
        for m in apps.get_models()
        if m._meta.label != "core.ScheduledRun" and m._meta.managed and not m._meta.proxy
    }


def _differences(before: dict[str, list[tuple]], after: dict[str, list[tuple]]) -> dict[str, str]:
    out = {}
    for label, rows in after.items():
        if rows != before[label]:
            out[label] = f"{len(before[label])} → {len(rows)} rows"
    return out


def test_every_periodic_job_run_twice_changes_nothing_the_second_time():
    autodiscover_modules("tasks")
    assert len(JOBS) >= 8, sorted(JOBS)
    with time_machine.travel(AT - dt.timedelta(days=20), tick=False):
        call_command("demo", verbosity=0)
    with time_machine.travel(AT, tick=False):
        changed, worked = {}, set()
        before = _snapshot()
        for name, job in sorted(JOBS.items()):
            job()
            first = _snapshot()
            if _differences(before, first):
                worked.add(name)
            job()
            diff = _differences(first, _snapshot())
            if diff:
                changed[name] = diff
            before = first
    assert not changed, changed
    # The demo gives these jobs work on their first run (or the test would prove little). Not the
    # notifications sweep: the outbox drain (run first) starts each alarm's incident and sends its
    # first step itself (notifications/tests/test_storm.py), so nothing is due for the sweep yet.
    assert worked >= {
        "shuangfang.assessment.tasks.refresh_score_snapshots",
        "shuangfang.core.tasks.drain_outbox_periodic",
        "shuangfang.hazards.tasks.hazard_reminders",
        "shuangfang.inspections.tasks.generate_and_sweep",
        "shuangfang.monitoring.tasks.downsample_readings",
        "shuangfang.monitoring.tasks.sweep_offline_devices",
        "shuangfang.reports.tasks.generate_reports",
    }, sorted(worked)
