"""What the officer sees and what the cook records through the pages: a cook without a valid health
certificate on the institution dashboard (and the bureau's row), the core temperature of a high-risk
dish with who and when (under the rule flagged in words), and each bad input refused by the page
with HTTP 400 and the reason in Chinese, nothing saved."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from shuangfang.food import meals, services, staff
from shuangfang.food.choices import LicenceKind
from shuangfang.food.figure_section import staff_without_certificate
from shuangfang.food.models import Dish, Purchase, PurchaseLine, Sample

from .conftest import T0
from .helpers import kitchen_a, not_an_image

H = dt.timedelta(hours=1)
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
NO_CERT = "无有效健康证的厨房人员"


@pytest.fixture
def ns(world, clock):
    return kitchen_a(world, photos=False)


def _kpi(html: str, label: str) -> str:
    """The number shown in the dashboard tile labelled ``label``."""
    m = re.search(r'<b><a href="[^"]*"[^>]*>([^<]*)</a></b><span>' + re.escape(label) + "</span>", html)
    assert m, f"no tile {label!r}"
    return m.group(1)


def test_a_cook_without_a_valid_certificate_is_on_the_officers_dashboard(world, ns, login, clock):
    officer = world.users["safety_officer"]
    url = reverse("dashboards:institution", kwargs={"uuid": world.inst_a.uuid})
    client = login(officer)
    assert _kpi(client.get(url, **ZH).content.decode(), NO_CERT) == "0"
    # A helper with no certificate at all, and the cook once the certificate has run out.
    staff.save_staff(actor=officer, kitchen=ns.kitchen, name="王帮厨")
    staff.save_staff(actor=officer, kitchen=ns.kitchen, name="已离职", is_active=False)
    clock.move_to(dt.datetime.combine(ns.cert.valid_until + dt.timedelta(days=1), T0.timetz()))
    html = login(officer).get(url, **ZH).content.decode()  # a new session: the old one has expired
    assert _kpi(html, NO_CERT) == "2"
    assert staff_without_certificate([world.inst_a.pk, world.inst_b.pk], ns.cert.valid_until) == {
        world.inst_a.pk: 1
    }  # on its last day the certificate is still valid
    bureau = login(world.users["bureau_supervisor"]).get(
        reverse("dashboards:bureau", kwargs={"uuid": world.bureau.uuid}), **ZH
    )
    assert NO_CERT in bureau.content.decode()


def test_core_temperature_with_who_and_when_and_under_the_rule_in_words(world, ns, login, clock):
    cook = world.users["staff"]
    client = login(cook)
    dish = ns.dish  # 红烧肉, high risk
    url = reverse("food:core_temp", kwargs={"uuid": dish.uuid})
    meal_url = reverse("food:meal_detail", kwargs={"uuid": dish.meal.uuid})
    assert "登记" in client.get(meal_url, **ZH).content.decode()  # not measured yet: the link
    r = client.post(url, {"temperature_c": "65"}, follow=True, **ZH)
    text = r.content.decode()
    dish.refresh_from_db()
    assert (dish.core_temp_c, dish.core_temp_by, dish.core_temp_at) == (Decimal(65), cook, T0)
    assert "低于 70 ℃：请继续加热红烧肉，然后再测一次。" in text  # the warning after saving
    assert "65.0 °C · 低于 70 ℃ · 08:00" in re.sub(r"<[^>]+>", "", text) and "再测一次" in text
    clock.move_to(T0 + dt.timedelta(minutes=5))
    text = client.post(url, {"temperature_c": "78.5"}, follow=True, **ZH).content.decode()
    dish.refresh_from_db()
    assert dish.core_temp_c == Decimal("78.5") and "°C · 低于" not in text and "再测一次" not in text
    assert "78.5 °C ✓ · 08:05" in re.sub(r"<[^>]+>", "", text)


@pytest.mark.parametrize("value", ["-30", "200", "1e3"])
def test_an_absurd_core_temperature_is_refused_with_400(world, ns, login, value):
    r = login(world.users["staff"]).post(
        reverse("food:core_temp", kwargs={"uuid": ns.dish.uuid}), {"temperature_c": value}, **ZH
    )
    assert r.status_code == 400 and "中心温度（℃）必须在" in r.content.decode()
    assert Dish.objects.get(pk=ns.dish.pk).core_temp_c is None


def _delivery(ns, supplier, **extra):
    return {
        "supplier": str(supplier.pk),
        "delivered_at": "2026-03-10T07:30",
        "line-TOTAL_FORMS": "1",
        "line-INITIAL_FORMS": "0",
        "line-0-item": str(ns.rice.pk),
        "line-0-quantity": "10",
        "line-0-sensory_ok": "on",
        "line-0-accepted": "1",
        **extra,
    }


def test_the_delivery_page_refuses_an_expired_supplier_and_a_ticket_that_is_not_a_picture(world, ns, login):
    officer = world.users["safety_officer"]
    old = services.save_supplier(actor=officer, kitchen=ns.kitchen, name="过期肉铺")
    services.add_licence(
        actor=officer, supplier=old, kind=LicenceKind.FOOD, valid_until=T0.date() - dt.timedelta(days=1)
    )
    client = login(world.users["staff"])
    url = reverse("food:purchase_create", kwargs={"uuid": ns.kitchen.uuid})
    before = (Purchase.objects.count(), PurchaseLine.objects.count())
    page = client.get(url, **ZH).content.decode()
    assert "过期肉铺" in page  # listed, and named among the blocked ones with the reason
    r = client.post(url, _delivery(ns, old), **ZH)
    assert r.status_code == 400 and "不能选择" in r.content.decode()
    r = client.post(url, _delivery(ns, ns.supplier, ticket=not_an_image()), **ZH)
    assert r.status_code == 400 and "不是图片" in r.content.decode()
    assert (Purchase.objects.count(), PurchaseLine.objects.count()) == before
    r = client.post(url, _delivery(ns, ns.supplier), **ZH)
    assert r.status_code == 302 and Purchase.objects.count() == before[0] + 1  # the same form, fixed


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        ("sample_future", {"weight_g": "130", "taken_at": "2026-03-10T10:00"}, "不能晚于现在"),
        ("sample_photo", {"weight_g": "130", "taken_at": "2026-03-10T07:30"}, "不是图片"),
        ("sample_absurd", {"weight_g": "99999", "taken_at": "2026-03-10T07:30"}, "重量（克）必须在"),
        ("dispose_before", {"disposed_at": "2026-03-08T10:00"}, "处理时间不能早于留样时间"),
        ("fridge_absurd", {"temperature_c": "-80", "measured_at": "2026-03-10T07:30"}, "必须在"),
        ("disinfection_negative", {"minutes": "-5", "temperature_c": "100"}, "必须在"),
        ("disinfection_hot", {"minutes": "15", "temperature_c": "900"}, "必须在"),
    ],
)
def test_each_bad_input_is_refused_by_its_page_with_400_and_nothing_saved(
    world, ns, login, name, data, words
):
    client = login(world.users["staff"])
    dish = ns.lunch.dishes.get(name="炒青菜")
    kind = name.split("_")[0]
    if kind == "sample":
        url = reverse("food:sample_create", kwargs={"uuid": dish.uuid})
        if name == "sample_photo":
            data = {**data, "photo": not_an_image()}
    elif kind == "dispose":
        url = reverse("food:sample_dispose", kwargs={"uuid": ns.sample.uuid})
    elif kind == "fridge":
        url = reverse("food:temperature_create", kwargs={"uuid": ns.kitchen.uuid})
        data = {**data, "fridge": str(ns.fridge.pk)}
    else:
        url = reverse("food:disinfection_create", kwargs={"uuid": ns.lunch.uuid})
        data = {**data, "method": "cabinet", "items": "碗筷", "done_at": "2026-03-10T07:30"}
    before = (
        Sample.objects.filter(dish=dish).count(),
        ns.kitchen.disinfections.count(),
        ns.fridge.temperatures.count(),
    )
    r = client.post(url, data, **ZH)
    assert r.status_code == 400, r.status_code
    assert words in r.content.decode()
    ns.sample.refresh_from_db()
    assert ns.sample.disposed_at is None
    assert (
        Sample.objects.filter(dish=dish).count(),
        ns.kitchen.disinfections.count(),
        ns.fridge.temperatures.count(),
    ) == before


def _fridge_line(html: str, name: str) -> str:
    m = re.search(r"<li>" + re.escape(name) + r"：(.*?)</li>", html, re.S)
    assert m, f"no line for {name}"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", m.group(1))).strip()


def test_the_cook_sees_which_refrigerator_readings_of_the_day_are_missing(world, ns, login, clock):
    """Refrigerators without a sensor are read twice a day: the cook's page shows each one's
    morning and afternoon reading, the one still to enter, and one out of range."""
    cook = world.users["staff"]
    client = login(cook)
    url = reverse("food:today", kwargs={"uuid": ns.kitchen.uuid})
    html = client.get(url, **ZH).content.decode()
    assert "今日冰箱温度" in html
    assert _fridge_line(html, "留样冰箱") == "上午 4.0 °C ✓ · 下午 稍后"  # 08:00: the helper's reading
    assert _fridge_line(html, "冷冻柜") == "上午 未录入 · 下午 稍后"
    afternoon = T0.replace(hour=15)
    clock.move_to(afternoon)
    meals.record_temperature(actor=cook, fridge=ns.freezer, temperature_c=Decimal(-10), measured_at=afternoon)
    html = client.get(url, **ZH).content.decode()
    assert _fridge_line(html, "留样冰箱") == "上午 4.0 °C ✓ · 下午 未录入"
    assert _fridge_line(html, "冷冻柜") == "上午 未录入 · 下午 -10.0 °C 超出范围"
    # A refrigerator read by a sensor is not asked for by hand.
    from shuangfang.monitoring.devices import register_device

    device, _token = register_device(
        actor=world.users["safety_officer"], organization=world.inst_a, kind="freezer_temp", code="FZ-7",
        name="冷冻柜探头",
    )  # fmt: skip
    services.save_fridge(
        actor=world.users["safety_officer"], kitchen=ns.kitchen, fridge=ns.freezer, name="冷冻柜",
        kind=ns.freezer.kind, device=device,
    )  # fmt: skip
    assert "冷冻柜：" not in client.get(url, **ZH).content.decode()
