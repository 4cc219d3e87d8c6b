"""The readings table partitioned by month on PostgreSQL (issue 23, province scale): readings land
in their month's partition, a month without one falls into the DEFAULT partition and is moved out
by the job (never lost), old partitions go once the downsample has rolled them up, the job is safe
to run twice, and the migration converts a table that holds readings (and back)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Sum

from shuangfang.monitoring import partitions, rollups
from shuangfang.monitoring.ingestion import MemoryLimiter, ingest
from shuangfang.monitoring.models import Reading, Rollup

from .conftest import telemetry

pytestmark = pytest.mark.django_db

JAN = dt.datetime(2026, 1, 10, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _postgresql_only(request):
    if request.node.name.startswith("test_sqlite_"):
        if connection.vendor != "sqlite":
            pytest.skip("the SQLite side of the readings table")
    elif connection.vendor != "postgresql":
        pytest.skip("SQLite keeps the plain readings table: the downsample deletes old rows there")


def _partitions() -> list[str]:
    with connection.cursor() as cur:
        cur.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = 'monitoring_reading'::regclass ORDER BY 1"
        )
        return [name for (name,) in cur.fetchall()]


def _where() -> dict[int, str]:
    """Each reading's id → the partition holding it."""
    with connection.cursor() as cur:
        cur.execute("SELECT id, tableoid::regclass::text FROM monitoring_reading")
        return dict(cur.fetchall())


def _feed(kit, ts: dt.datetime, n: int = 1) -> None:
    items = [
        (kit.meter, telemetry("EL-0001", ts + dt.timedelta(minutes=i), residual_current_ma=2))
        for i in range(n)
    ]
    outcome = ingest(items, transport="test", now=ts + dt.timedelta(minutes=n), limiter=MemoryLimiter())
    assert outcome.accepted == n, outcome.rejected


def test_readings_land_in_their_months_partition(kit):
    done = partitions.maintain(now=JAN)
    assert {"monitoring_reading_y2026m01", "monitoring_reading_y2026m04"} <= set(done["created"])
    expected = {"monitoring_reading_y2026m01", "monitoring_reading_y2026m02", "monitoring_reading_default"}
    assert expected <= set(_partitions())
    _feed(kit, dt.datetime(2026, 1, 31, 23, 58, tzinfo=dt.UTC), n=4)  # across the month's end
    jan, feb = "monitoring_reading_y2026m01", "monitoring_reading_y2026m02"
    assert sorted(_where().values()) == [jan, jan, feb, feb]


def test_old_partitions_go_after_the_retention_once_rolled_up_and_twice_is_harmless(kit, settings):
    settings.MONITORING_RAW_DAYS = 14
    partitions.maintain(now=JAN)
    _feed(kit, dt.datetime(2026, 1, 20, 8, 0, tzinfo=dt.UTC), n=30)
    _feed(kit, dt.datetime(2026, 2, 20, 8, 0, tzinfo=dt.UTC), n=5)
    march = dt.datetime(2026, 3, 1, 1, 0, tzinfo=dt.UTC)

    # January is past the retention but not rolled up yet: kept, nothing lost.
    done = partitions.maintain(now=march)
    assert "monitoring_reading_y2026m01" in done["kept"] and not done["dropped"]
    assert Reading.objects.count() == 35

    rollups.downsample(now=march)
    assert Rollup.objects.filter(seconds=rollups.HOUR).aggregate(n=Sum("n"))["n"] == 30
    done = partitions.maintain(now=march)
    assert done["dropped"] == ["monitoring_reading_y2026m01"]
    assert "monitoring_reading_y2026m01" not in _partitions()
    assert "monitoring_reading_y2026m02" in _partitions()  # ends after the cutoff (15 February)
    assert set(_where().values()) == {"monitoring_reading_y2026m02"}

    before = (_partitions(), _where())
    again = partitions.maintain(now=march)
    assert again == {"created": [], "moved": 0, "dropped": [], "kept": []}
    assert (_partitions(), _where()) == before


def test_a_month_without_partition_lands_in_default_and_is_moved_out(kit):
    far = dt.datetime(2031, 5, 3, 12, 0, tzinfo=dt.UTC)
    _feed(kit, far, n=3)
    where = _where()
    assert set(where.values()) == {"monitoring_reading_default"}

    done = partitions.maintain(now=JAN)
    assert done["moved"] == 3 and "monitoring_reading_y2031m05" in done["created"]
    assert _where() == dict.fromkeys(where, "monitoring_reading_y2031m05")  # same readings, same ids
    assert list(Reading.objects.order_by("ts").values_list("ts", flat=True)) == [
        far + dt.timedelta(minutes=i) for i in range(3)
    ]
    assert partitions.maintain(now=JAN)["created"] == []

    # A later reading of that month goes straight to its partition; the key goes on.
    _feed(kit, far + dt.timedelta(days=1))
    assert set(_where().values()) == {"monitoring_reading_y2031m05"}
    assert Reading.objects.order_by("-id").values_list("id", flat=True)[0] > max(where)


def test_the_migration_converts_a_table_with_readings_and_back(kit):
    executor = MigrationExecutor(connection)
    executor.migrate([("monitoring", "0009_rule_criterion")])
    with connection.cursor() as cur:
        cur.execute("SELECT relkind FROM pg_class WHERE relname = 'monitoring_reading'")
        assert cur.fetchone()[0] == "r"
    _feed(kit, dt.datetime(2025, 11, 28, tzinfo=dt.UTC), n=3)
    _feed(kit, dt.datetime(2025, 12, 28, tzinfo=dt.UTC), n=2)
    ids = set(_where())

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([("monitoring", "0010_partition_readings")])
    where = _where()
    assert set(where) == ids
    assert sorted(where.values()) == ["monitoring_reading_y2025m11"] * 3 + ["monitoring_reading_y2025m12"] * 2
    _feed(kit, dt.datetime(2025, 12, 29, tzinfo=dt.UTC))
    assert max(_where()) > max(ids)  # the identity sequence went on after the copied ids

    executor = MigrationExecutor(connection)
    executor.migrate([("monitoring", "0009_rule_criterion")])
    assert set(_where().values()) == {"monitoring_reading"} and len(_where()) == 6
    executor = MigrationExecutor(connection)
    executor.migrate([("monitoring", "0010_partition_readings")])
    assert len(_where()) == 6


def test_readings_have_no_foreign_key_and_a_deleted_device_takes_its_readings(kit):
    """The key was checked for every reading at commit (a third of the listener's database time):
    it is gone from the table and every partition; deleting a device still deletes its readings."""
    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND conrelid IN ("
            "SELECT 'monitoring_reading'::regclass UNION ALL "
            "SELECT inhrelid FROM pg_inherits WHERE inhparent = 'monitoring_reading'::regclass)"
        )
        assert cur.fetchone()[0] == 0
    _feed(kit, dt.datetime(2026, 1, 20, 8, 0, tzinfo=dt.UTC), n=3)
    assert Reading.objects.filter(device=kit.meter).count() == 3
    kit.meter.delete()
    assert not Reading.objects.exists()


def test_sqlite_keeps_the_plain_table_and_the_downsample_deletes_old_rows(kit):
    _feed(kit, dt.datetime(2026, 1, 20, 8, 0, tzinfo=dt.UTC), n=3)
    march = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    assert partitions.maintain(now=march) == {"created": [], "moved": 0, "dropped": [], "kept": []}
    assert Reading.objects.count() == 3
    rollups.downsample(now=march)
    assert not Reading.objects.exists()
    assert Rollup.objects.filter(seconds=rollups.HOUR).aggregate(n=Sum("n"))["n"] == 3
