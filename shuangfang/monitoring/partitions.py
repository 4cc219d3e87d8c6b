"""The readings table partitioned by month on PostgreSQL (issue 23: province scale).

On PostgreSQL ``monitoring_reading`` is a range-partitioned table on ``ts`` (migration
``0010_partition_readings``): one partition per calendar month in UTC, ``monitoring_reading_yYYYYmMM``,
and a DEFAULT partition that catches a reading for a month without its partition, so nothing is
lost. Its primary key is ``(id, ts)`` (a partitioned table's keys must include the partition key);
Django still treats ``id`` as the primary key, which stays unique (one identity sequence). SQLite
keeps the plain table.

``maintain`` (the periodic job ``maintain_reading_partitions``) keeps it in shape, and is safe to run
twice or at once (one transaction at a time, ``serialised``):

- creates the partitions of this month and the next ``MONITORING_READING_MONTHS_AHEAD`` (3) months;
- moves readings found in the DEFAULT partition into their month's partition (created for them),
  with a warning in the log: they mean the job did not run in time (months older than the retention
  are left to the downsample, which rolls them up and deletes them);
- drops the partitions wholly older than the raw retention (``MONITORING_RAW_DAYS``, 14 days) once
  they are empty: the hourly downsample has aggregated their readings into rollups and deleted
  them. A partition still holding readings (the downsample has not reached them) is kept for a
  later run, so no reading is dropped before it is counted in the rollups.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from shuangfang.core.locks import serialised

from .rollups import retention_days

log = logging.getLogger(__name__)

TABLE = "monitoring_reading"
DEFAULT = f"{TABLE}_default"
_NAME = re.compile(rf"^{TABLE}_y(\d{{4}})m(\d{{2}})$")


def months_ahead() -> int:
    return int(getattr(settings, "MONITORING_READING_MONTHS_AHEAD", 3))


def month_start(value: dt.datetime) -> dt.datetime:
    value = value.astimezone(dt.UTC)
    return value.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def next_month(month: dt.datetime) -> dt.datetime:
    return month.replace(year=month.year + month.month // 12, month=month.month % 12 + 1)


def partition_name(month: dt.datetime) -> str:
    return f"{TABLE}_y{month.year:04d}m{month.month:02d}"


def is_partitioned(cursor: Any) -> bool:
    if connection.vendor != "postgresql":
        return False
    cursor.execute("SELECT relkind FROM pg_class WHERE oid = to_regclass(%s)", [TABLE])
    row = cursor.fetchone()
    return bool(row and row[0] == "p")


def month_partitions(cursor: Any) -> dict[dt.datetime, str]:
    """The monthly partitions attached now: {first instant of the month (UTC): name}."""
    cursor.execute(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        "WHERE i.inhparent = to_regclass(%s)",
        [TABLE],
    )
    out: dict[dt.datetime, str] = {}
    for (name,) in cursor.fetchall():
        match = _NAME.match(name)
        if match:
            out[dt.datetime(int(match[1]), int(match[2]), 1, tzinfo=dt.UTC)] = name
    return out


def create_month(cursor: Any, month: dt.datetime) -> int:
    """Create and attach ``month``'s partition, moving into it the readings of that month that sit
    in the DEFAULT partition (PostgreSQL refuses a partition whose rows the DEFAULT partition still
    holds). Returns how many were moved. Call inside a transaction."""
    name, end = partition_name(month), next_month(month)
    # Inserts routed to the DEFAULT partition wait until the partition is attached (inserts for
    # other months go on); without this a reading of this month arriving between the move and
    # the ATTACH would make the ATTACH fail.
    cursor.execute(f"LOCK TABLE {DEFAULT} IN ACCESS EXCLUSIVE MODE")
    cursor.execute(f"CREATE TABLE {name} (LIKE {TABLE} INCLUDING DEFAULTS)")
    cursor.execute(
        f"WITH moved AS (DELETE FROM {DEFAULT} WHERE ts >= %s AND ts < %s "  # noqa: S608
        "RETURNING id, channel, ts, value, device_id) "
        f"INSERT INTO {name} (id, channel, ts, value, device_id) SELECT * FROM moved",
        [month, end],
    )
    moved = cursor.rowcount
    bounds = f"FROM ('{month.isoformat()}') TO ('{end.isoformat()}')"  # datetimes: nothing to escape
    cursor.execute(f"ALTER TABLE {TABLE} ATTACH PARTITION {name} FOR VALUES {bounds}")
    return max(moved, 0)


def maintain(*, now: dt.datetime | None = None) -> dict[str, Any]:
    """Create the coming months' partitions, empty the DEFAULT partition, drop the old empty ones."""
    done: dict[str, Any] = {"created": [], "moved": 0, "dropped": [], "kept": []}
    with transaction.atomic(), connection.cursor() as cursor:
        if not is_partitioned(cursor):
            return done  # SQLite: the downsample deletes old readings row by row
        serialised("monitoring.partitions")
        now = now or timezone.now()
        cutoff = now - dt.timedelta(days=retention_days())
        have = month_partitions(cursor)
        wanted = [month_start(now)]
        for _i in range(months_ahead()):
            wanted.append(next_month(wanted[-1]))
        # Months held in the DEFAULT partition, newer than the retention (older ones: downsample).
        cursor.execute(
            f"SELECT DISTINCT date_trunc('month', ts AT TIME ZONE 'UTC') FROM {DEFAULT} "  # noqa: S608
            "WHERE ts >= %s",
            [month_start(cutoff)],
        )
        stray = sorted(m.replace(tzinfo=dt.UTC) for (m,) in cursor.fetchall())
        for month in sorted(set(wanted) | set(stray)):
            if month in have or next_month(month) <= cutoff:
                continue
            moved = create_month(cursor, month)
            have[month] = partition_name(month)
            done["created"].append(have[month])
            if moved:
                done["moved"] += moved
                log.warning(
                    "%s readings of %s were in %s (no partition for their month): moved into %s",
                    moved,
                    f"{month:%Y-%m}",
                    DEFAULT,
                    have[month],
                )
        for month, name in sorted(have.items()):
            if next_month(month) > cutoff:
                continue
            cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {name})")  # noqa: S608
            if cursor.fetchone()[0]:
                done["kept"].append(name)  # not rolled up yet: a later run drops it
                continue
            # Checks of foreign keys deferred earlier in the transaction (Django's FKs are
            # DEFERRABLE INITIALLY DEFERRED) must run before a table is dropped; done now instead of
            # at commit, then back to deferred.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"DROP TABLE {name}")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            done["dropped"].append(name)
    return done
