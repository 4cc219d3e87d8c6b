"""Storage as real stock: delivered minus used or discarded, by storage class, first expiring
first, flags near and past the use-by date; over-use, a discard without a reason and a time
before the delivery are refused with nothing saved; constant queries on the page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from shuangfang.food import services, stock
from shuangfang.food.choices import StorageClass
from shuangfang.food.models import StockMove

from .conftest import T0
from .helpers import kitchen_a

H = dt.timedelta(hours=1)


@pytest.fixture
def ns(world, clock):
    return kitchen_a(world, photos=False)


def _deliver(world, ns, item, qty, use_by, hours_ago=1):
    p = services.record_purchase(
        actor=world.users["staff"],
        kitchen=ns.kitchen,
        supplier=ns.supplier,
        delivered_at=T0 - hours_ago * H,
        lines=[
            services.LineIn(
                item=item,
                quantity=Decimal(qty),
                production_date=use_by - dt.timedelta(days=item.shelf_life_days),
                temperature_c=Decimal(3),
            )
        ],
    )
    return p.lines.get()


def _groups(ns):
    return {g.storage: g for g in stock.stock(ns.kitchen, T0.date())}


def test_stock_is_delivered_minus_used_first_expiring_first(world, ns):
    today = T0.date()
    # The helper's delivery: 25 kg rice accepted (use-by from the shelf life), pork rejected.
    late = _deliver(world, ns, ns.pork, 5, today + dt.timedelta(days=3))
    soon = _deliver(world, ns, ns.pork, 4, today + dt.timedelta(days=1), hours_ago=3)
    past = _deliver(world, ns, ns.pork, 2, today - dt.timedelta(days=1), hours_ago=5)
    chilled = _groups(ns)[StorageClass.CHILLED]
    assert [ln.pk for ln in chilled.lines] == [past.pk, soon.pk, late.pk]
    assert [ln.flag for ln in chilled.lines] == ["past", "near", ""]
    assert (chilled.past, chilled.near) == (1, 1)
    rice = _groups(ns)[StorageClass.AMBIENT].lines
    assert [(ln.item.name, ln.left) for ln in rice] == [("大米", Decimal(25))]

    cook = world.users["staff"]
    stock.move_stock(actor=cook, line=soon, kind="used", quantity=Decimal("1.5"))
    stock.move_stock(actor=cook, line=past, kind="discarded", quantity=Decimal(2), reason="过期")
    chilled = _groups(ns)[StorageClass.CHILLED]
    # The discarded lot is gone; 2.5 of 4 left of the other.
    assert [(ln.pk, ln.left) for ln in chilled.lines] == [(soon.pk, Decimal("2.5")), (late.pk, Decimal(5))]


def test_bad_moves_are_refused_and_nothing_is_saved(world, ns):
    cook = world.users["staff"]
    line = _deliver(world, ns, ns.pork, 3, T0.date() + dt.timedelta(days=2))
    rejected = ns.purchase.lines.get(accepted=False)
    with translation.override("zh-hans"):
        cases: tuple[dict[str, Any], ...] = (
            {"kind": "used", "quantity": Decimal(4)},  # more than is left
            {"kind": "used", "quantity": Decimal(-1)},
            {"kind": "discarded", "quantity": Decimal(1)},  # no reason
            {"kind": "used", "quantity": Decimal(1), "moved_at": T0 + 5 * H},  # in the future
            {"kind": "used", "quantity": Decimal(1), "moved_at": T0 - 2 * H},  # before the delivery
            {"kind": "eaten", "quantity": Decimal(1)},
        )
        for kwargs in cases:
            with pytest.raises(ValidationError) as exc:
                stock.move_stock(actor=cook, line=line, **kwargs)
            assert any("\u4e00" <= ch <= "\u9fff" for ch in " ".join(exc.value.messages)), kwargs
        with pytest.raises(ValidationError):
            stock.move_stock(actor=cook, line=rejected, kind="used", quantity=Decimal(1))
    assert not StockMove.objects.exists()
    stock.move_stock(actor=cook, line=line, kind="used", quantity=Decimal(3))
    with pytest.raises(ValidationError, match="仅剩|left"):
        stock.move_stock(actor=cook, line=line, kind="used", quantity=Decimal("0.01"))


def test_pages(world, ns, login, django_assert_max_num_queries):
    client = login(world.users["staff"])
    line = ns.purchase.lines.get(accepted=True)
    url = reverse("food:stock_move", kwargs={"uuid": line.uuid})
    r = client.post(url, {"kind": "used", "quantity": "30", "moved_at": "2026-03-10T07:30", "reason": ""})
    assert r.status_code == 400 and not StockMove.objects.exists()
    r = client.post(url, {"kind": "used", "quantity": "5", "moved_at": "2026-03-10T07:30", "reason": ""})
    assert r.status_code == 302 and StockMove.objects.get().quantity == Decimal(5)
    page = reverse("food:storage", kwargs={"uuid": ns.kitchen.uuid})
    r = client.get(page)
    assert "20" in r.content.decode()

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(page).status_code == 200
        return len(ctx.captured_queries)

    before = count()
    for n in range(4):
        _deliver(world, ns, ns.pork, 1 + n, T0.date() + dt.timedelta(days=min(n, 3)))
    assert count() == before


def test_licence_as_pdf_or_photo_and_nothing_else(world, ns, login):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from shuangfang.food.models import SupplierLicence

    officer = world.users["safety_officer"]
    pdf = SimpleUploadedFile(
        "licence.pdf", b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n", content_type="application/pdf"
    )
    lc = services.add_licence(
        actor=officer, supplier=ns.supplier, kind="business", valid_until=T0.date(), photo=pdf
    )
    assert lc.is_pdf and lc.original.endswith(".pdf") and not lc.display
    r = login(officer).get(reverse("food:photo_licence", kwargs={"uuid": lc.uuid}))
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    before = SupplierLicence.objects.count()
    text = SimpleUploadedFile("licence.pdf", b"just some text", content_type="application/pdf")
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        services.add_licence(actor=officer, supplier=ns.supplier, kind="business", photo=text)
    assert "PDF" in " ".join(exc.value.messages)
    assert SupplierLicence.objects.count() == before
