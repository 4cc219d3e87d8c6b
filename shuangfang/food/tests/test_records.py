"""Records refused or kept: bad input is refused with a reason in the user's language and nothing is
saved half-way; an expired supplier cannot be chosen; pages answer 400 with the reason."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from shuangfang.food import meals, services, staff
from shuangfang.food.choices import LicenceKind
from shuangfang.food.models import Purchase, PurchaseLine, Sample, Supplier

from .conftest import T0
from .helpers import jpeg, kitchen_a, not_an_image

H = dt.timedelta(hours=1)


def zh(fn, *args, **kwargs) -> str:
    """The Chinese message ``fn`` is refused with."""
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        fn(*args, **kwargs)
    return " ".join(exc.value.messages)


@pytest.fixture
def ns(world, clock):
    return kitchen_a(world, photos=False)


def cook(world):
    return world.users["staff"]


@pytest.mark.parametrize(
    ("grams", "words"),
    [(Decimal(-5), "重量（克）必须在"), (Decimal(0), "重量（克）必须在"), (Decimal(5000), "2000")],
)
def test_absurd_sample_weights_are_refused(world, ns, grams, words):
    dish = ns.lunch.dishes.get(name="炒青菜")
    message = zh(meals.record_sample, actor=cook(world), dish=dish, weight_g=grams, taken_at=T0)
    assert words in message
    assert not Sample.objects.filter(dish=dish).exists()


def test_a_sample_in_the_future_and_a_disposal_before_it_are_refused(world, ns):
    dish = ns.lunch.dishes.get(name="炒青菜")
    assert "不能晚于现在" in zh(
        meals.record_sample, actor=cook(world), dish=dish, weight_g=Decimal(130), taken_at=T0 + 2 * H
    )
    assert "处理时间不能早于留样时间" in zh(
        meals.dispose_sample, actor=cook(world), sample=ns.sample, disposed_at=ns.sample.taken_at - H
    )
    ns.sample.refresh_from_db()
    assert ns.sample.status == "kept" and ns.sample.disposed_at is None


def test_a_photo_that_is_not_a_picture_is_refused_and_nothing_is_saved(world, ns):
    dish = ns.lunch.dishes.get(name="炒青菜")
    assert "不是图片" in zh(
        meals.record_sample,
        actor=cook(world),
        dish=dish,
        weight_g=Decimal(130),
        taken_at=T0,
        photo=not_an_image(),
    )
    assert not Sample.objects.filter(dish=dish).exists()
    before = (Purchase.objects.count(), PurchaseLine.objects.count())
    zh(
        services.record_purchase,
        actor=cook(world),
        kitchen=ns.kitchen,
        supplier=ns.supplier,
        delivered_at=T0,
        lines=[services.LineIn(item=ns.rice, quantity=Decimal(1))],
        ticket=not_an_image(),
    )
    assert (Purchase.objects.count(), PurchaseLine.objects.count()) == before


@pytest.mark.parametrize(
    ("line", "words"),
    [
        ({"quantity": Decimal(-1)}, "数量必须大于 0"),
        ({"item": "pork", "temperature_c": None}, "请测量并填写温度"),
        ({"item": "pork", "temperature_c": Decimal(200)}, "到货温度（℃）必须在"),
        ({"sensory_ok": False}, "感官检查不合格"),
        ({"accepted": False}, "请写明拒收原因"),
        ({"production_date": T0.date() + dt.timedelta(days=1)}, "生产日期晚于到货日期"),
    ],
)
def test_bad_delivery_lines_are_refused_whole(world, ns, line, words):
    item = ns.pork if line.pop("item", "") == "pork" else ns.rice
    good = services.LineIn(item=ns.rice, quantity=Decimal(10))
    bad = services.LineIn(**{"item": item, "quantity": Decimal(2), **line})
    before = PurchaseLine.objects.count()
    assert words in zh(
        services.record_purchase,
        actor=cook(world),
        kitchen=ns.kitchen,
        supplier=ns.supplier,
        delivered_at=T0,
        lines=[good, bad],
    )
    assert PurchaseLine.objects.count() == before


def test_an_expired_supplier_cannot_be_chosen(world, ns):
    officer = world.users["safety_officer"]
    old = services.save_supplier(actor=officer, kitchen=ns.kitchen, name="过期肉铺")
    services.add_licence(
        actor=officer, supplier=old, kind=LicenceKind.FOOD, valid_until=T0.date() - dt.timedelta(days=1)
    )
    bare = services.save_supplier(actor=officer, kitchen=ns.kitchen, name="无证菜摊")
    lines = [services.LineIn(item=ns.rice, quantity=Decimal(1))]
    for supplier in (old, bare):
        assert "不能选择" in zh(
            services.record_purchase,
            actor=cook(world),
            kitchen=ns.kitchen,
            supplier=supplier,
            delivered_at=T0,
            lines=lines,
        )
    usable = set(Supplier.objects.usable(T0.date()))
    assert ns.supplier in usable and old not in usable and bare not in usable
    # Valid through its last day.
    last = services.save_supplier(actor=officer, kitchen=ns.kitchen, name="今天到期")
    services.add_licence(actor=officer, supplier=last, kind=LicenceKind.FOOD, valid_until=T0.date())
    services.record_purchase(
        actor=cook(world), kitchen=ns.kitchen, supplier=last, delivered_at=T0, lines=lines
    )


def test_morning_check_with_a_symptom_means_not_on_duty(world, ns):
    check = staff.record_morning_check(actor=cook(world), staff=ns.person, day=T0.date(), hand_wound=True)
    assert not check.fit
    assert "体温（℃）必须在" in zh(
        staff.record_morning_check,
        actor=cook(world),
        staff=ns.person,
        day=T0.date(),
        temperature_c=Decimal(50),
    )
    check.refresh_from_db()
    assert not check.fit and check.hand_wound  # the refused one changed nothing


def test_a_fridge_temperature_out_of_range_is_flagged(world, ns):
    assert not meals.record_temperature(
        actor=cook(world), fridge=ns.fridge, temperature_c=Decimal("8.5"), measured_at=T0
    ).in_range
    assert meals.record_temperature(
        actor=cook(world), fridge=ns.fridge, temperature_c=Decimal(8), measured_at=T0
    ).in_range
    assert not meals.record_temperature(
        actor=cook(world), fridge=ns.freezer, temperature_c=Decimal(-10), measured_at=T0
    ).in_range
    assert "必须在" in zh(
        meals.record_temperature,
        actor=cook(world),
        fridge=ns.fridge,
        temperature_c=Decimal(99),
        measured_at=T0,
    )


def test_the_cook_page_refuses_a_bad_sample_with_400_in_chinese(world, ns, login):
    client = login(cook(world))
    dish = ns.lunch.dishes.get(name="炒青菜")
    url = reverse("food:sample_create", kwargs={"uuid": dish.uuid})
    r = client.post(url, {"weight_g": "-3", "taken_at": "2026-03-10T07:30"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert r.status_code == 400 and "重量（克）必须在" in r.content.decode()
    r = client.post(url, {"weight_g": "130", "taken_at": "2026-03-10T07:30", "photo": jpeg()})
    assert r.status_code == 302 and Sample.objects.filter(dish=dish).exists()


def test_the_api_refuses_a_bad_sample_with_400_and_a_reason(world, ns):
    from django.test import Client

    from shuangfang.orgs import services as org_services

    _token, raw = org_services.issue_api_token(actor=cook(world), name="t", scope="read_write")
    dish = ns.lunch.dishes.get(name="炒青菜")
    r = Client().post(
        f"/api/v1/food/dishes/{dish.uuid}/sample",
        {"weight_g": "-1"},
        content_type="application/json",
        headers={"Authorization": f"Bearer {raw}", "Accept-Language": "zh-hans"},
    )
    assert r.status_code == 400 and "重量（克）必须在" in r.json()["detail"]
    r = Client().get(
        f"/api/v1/food/kitchens/{ns.kitchen.uuid}/today", headers={"Authorization": f"Bearer {raw}"}
    )
    assert r.status_code == 200 and r.json()["sample_min_weight_g"] == "125.0"


@pytest.mark.parametrize(
    ("lang", "words"),
    [("en", ["Today's samples", "Due for disposal"]), ("zh-hans", ["今日留样", "到期待处理"])],
)
def test_the_cook_page_in_both_languages(world, ns, login, lang, words):
    from django.conf import settings

    client = login(cook(world))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    text = client.get(reverse("food:today", kwargs={"uuid": ns.kitchen.uuid})).content.decode()
    assert all(w in text for w in words)
    page = client.get(reverse("food:rules", kwargs={"uuid": ns.kitchen.uuid})).content.decode()
    assert "餐饮服务食品安全操作规范" in page  # the source is data, shown in either language
