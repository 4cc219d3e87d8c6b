"""The ledgers against the records: the Excel export has one row per record with the record's
values, the month filter keeps the month, the PDF is a PDF, and the outsider sees nothing of A."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from shuangfang.food import meals
from shuangfang.food.models import MorningCheck, PurchaseLine, Sample

from .conftest import T0
from .helpers import kitchen_a


def sheet(response) -> list[list]:
    body = b"".join(response.streaming_content)
    ws = load_workbook(io.BytesIO(body)).active
    assert ws is not None
    return [[c.value for c in row] for row in ws.iter_rows()]


@pytest.fixture
def ns(world, clock):
    return kitchen_a(world, photos=False)


def test_sample_ledger_rows_are_the_samples(world, ns, login):
    client = login(world.users["safety_officer"])
    rows = sheet(client.get(reverse("food:ledger_samples"), {"export": "xlsx"}))
    header, body = rows[0], rows[1:]
    assert len(body) == Sample.objects.count() == 1
    row = dict(zip(header, body[0], strict=True))
    s = ns.sample
    assert row["菜品"] == "红烧肉" and row["重量（克）"] == 150
    keep_until = row["留存至"]
    assert keep_until.replace(tzinfo=None) == (s.taken_at + dt.timedelta(hours=48)).astimezone(
        dt.timezone(dt.timedelta(hours=8))
    ).replace(tzinfo=None)


def test_purchase_ledger_has_one_row_per_line_and_shows_the_rejection(world, ns, login):
    client = login(world.users["institution_head"])
    rows = sheet(client.get(reverse("food:ledger_purchases"), {"export": "xlsx", "accepted": "false"}))
    assert len(rows) - 1 == PurchaseLine.objects.filter(accepted=False).count() == 1
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["食品"] == "猪肉" and row["拒收原因"] == "颜色发暗" and row["验收结论"] == "拒收"
    all_rows = sheet(client.get(reverse("food:ledger_purchases"), {"export": "xlsx"}))
    assert len(all_rows) - 1 == PurchaseLine.objects.count() == 2


def test_month_filter_and_outsider(world, ns, login):
    meals.ensure_meals(ns.kitchen, T0.date() - dt.timedelta(days=40))  # nothing recorded last month
    client = login(world.users["safety_officer"])
    assert (
        len(sheet(client.get(reverse("food:ledger_morning_checks"), {"export": "xlsx", "month": "2026-03"})))
        == 2
    )
    assert (
        len(sheet(client.get(reverse("food:ledger_morning_checks"), {"export": "xlsx", "month": "2026-02"})))
        == 1
    )
    assert MorningCheck.objects.count() == 1
    outsider = login(world.users["outsider"])
    for name in ("samples", "purchases", "disinfection", "morning_checks", "suppliers"):
        assert (
            len(sheet(outsider.get(reverse(f"food:ledger_{name}"), {"export": "xlsx"}))) == 1
        )  # headers only


def test_monthly_pdf(world, ns, login):
    client = login(world.users["safety_officer"])
    r = client.get(reverse("food:ledger_samples_pdf"), {"month": "2026-03", "organization": world.inst_a.pk})
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf" and r.content.startswith(b"%PDF")
    assert client.get(reverse("food:ledger_samples_pdf"), {"month": "March"}).status_code == 400


def test_ledger_queries_do_not_grow_with_rows(world, ns, login):
    client = login(world.users["safety_officer"])

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("food:ledger_samples")).status_code == 200
        return len(ctx)

    count()  # warm: the first request of a session loads the person's memberships into the cache
    first = count()
    lunch = meals.ensure_meals(ns.kitchen, T0.date())[1]
    meals.set_menu(actor=world.users["staff"], meal=lunch, dishes=[(f"菜{i}", False) for i in range(5)])
    for d in lunch.dishes.all():
        meals.record_sample(actor=world.users["staff"], dish=d, weight_g=Decimal(130), taken_at=T0)
    assert Sample.objects.count() == 6
    assert count() == first


def test_storage_lists_accepted_food_first_expiring_first(world, ns, login, clock):
    from shuangfang.food import services

    services.record_purchase(
        actor=world.users["staff"],
        kitchen=ns.kitchen,
        supplier=ns.supplier,
        delivered_at=T0,
        lines=[
            services.LineIn(
                item=ns.pork,
                quantity=Decimal(3),
                temperature_c=Decimal(2),
                production_date=T0.date() - dt.timedelta(days=2),
            )
        ],
    )
    page = login(world.users["staff"]).get(reverse("food:storage", kwargs={"uuid": ns.kitchen.uuid}))
    text = page.content.decode()
    assert page.status_code == 200
    assert "大米" in text and "优先使用" in text  # pork made two days ago keeps three: use by tomorrow
    assert "颜色发暗" not in text  # the rejected pork is not in storage
