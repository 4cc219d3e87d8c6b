"""Demo kitchens: the relief station's and the first elderly home's, with a week of meals, samples
(one meal missed, one sample light), deliveries (one line rejected, one ticket missing), staff with
certificates (one expiring, one expired), morning checks, disinfection and temperatures. The
sweep then opens the hazards the week deserves. Idempotent: a kitchen already there is left."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from shuangfang.core.demo import register
from shuangfang.risks.models import RiskPoint

from . import meals, services, staff, stock, sweeps
from .choices import FoodCategory, FridgeKind, LicenceKind, StorageClass
from .models import Kitchen, Meal, PurchaseLine

KITCHENS = {
    # institution: (kitchen name, officer, cook)
    "汴州市救助管理站": ("救助站食堂", "liuyang", "yangfan"),
    "汴州市第一养老院": ("养老院中心厨房", "machao", "hujun"),
}
ITEMS = [
    ("大米", FoodCategory.GRAIN, "kg", StorageClass.AMBIENT, 365),
    ("食用油", FoodCategory.GRAIN, "桶", StorageClass.AMBIENT, 540),
    ("猪肉", FoodCategory.MEAT, "kg", StorageClass.CHILLED, 3),
    ("冻鸡腿", FoodCategory.MEAT, "kg", StorageClass.FROZEN, 180),
    ("鸡蛋", FoodCategory.EGG_DAIRY, "kg", StorageClass.CHILLED, 30),
    ("青菜", FoodCategory.VEGETABLE, "kg", StorageClass.AMBIENT, 3),
    ("豆腐", FoodCategory.SOY, "kg", StorageClass.CHILLED, 2),
]
MENUS = [
    ["小米粥", "馒头", "煮鸡蛋"],
    ["米饭", "红烧肉", "清炒青菜"],
    ["面条", "麻婆豆腐", "凉拌黄瓜"],
]
STAFF = [("厨师", None, 200), ("帮厨", None, 20), ("面点师", None, -10)]  # job, _, certificate days left


@register(60, "food safety")
def build(city) -> None:
    for name, (kitchen_name, officer_name, cook_name) in KITCHENS.items():
        inst = city.institutions[name]
        if Kitchen.objects.filter(organization=inst).exists():
            continue
        officer, cook = city.people[officer_name], city.people[cook_name]
        point = RiskPoint.objects.filter(organization=inst, name__contains="厨房").first()
        k = services.save_kitchen(actor=officer, organization=inst, name=kitchen_name, risk_point=point)
        fridges = _fridges(k, officer)
        supplier, items = _suppliers_and_items(k, officer)
        _staff(k, officer, cook)
        _week(k, cook, fridges, supplier, items)
        _stock(k, cook)
    sweeps.sweep()


def _stock(k: Kitchen, cook) -> None:
    """What the kitchen took out of storage: each delivery's pork used by the next day (the oldest
    discarded), most of the eggs and some rice used; the latest delivery is still whole."""
    now = timezone.now()
    lines = list(
        PurchaseLine.objects.filter(purchase__kitchen=k, accepted=True)
        .select_related("item", "purchase")
        .order_by("purchase__delivered_at")
    )
    latest = max((ln.purchase.delivered_at for ln in lines), default=None)
    for n, ln in enumerate(lines):
        if ln.purchase.delivered_at == latest:
            continue
        at = min(ln.purchase.delivered_at + dt.timedelta(hours=4), now)
        if ln.item.name == "猪肉" and n < 3:
            stock.move_stock(
                actor=cook, line=ln, kind="discarded", quantity=Decimal(2), moved_at=at, reason="超过保质期"
            )
            stock.move_stock(actor=cook, line=ln, kind="used", quantity=ln.quantity - 2, moved_at=at)
        elif ln.item.name in ("猪肉", "鸡蛋"):
            stock.move_stock(actor=cook, line=ln, kind="used", quantity=ln.quantity - 1, moved_at=at)
        else:
            stock.move_stock(actor=cook, line=ln, kind="used", quantity=Decimal(30), moved_at=at)


def _fridges(k: Kitchen, officer) -> dict:
    return {
        kind: services.save_fridge(actor=officer, kitchen=k, name=name, kind=kind)
        for name, kind in (
            ("留样冰箱", FridgeKind.SAMPLE),
            ("冷藏冰箱", FridgeKind.FRIDGE),
            ("冷冻柜", FridgeKind.FREEZER),
        )
    }


def _suppliers_and_items(k: Kitchen, officer):
    today = timezone.localdate()
    good = services.save_supplier(
        actor=officer,
        kitchen=k,
        name="汴州市放心粮油副食配送中心",
        contact="赵经理",
        phone="0371-2233 4455",
        address="汴州市城东路 18 号",
    )
    services.add_licence(actor=officer, supplier=good, kind=LicenceKind.BUSINESS, number="91410200MA4K000001")
    services.add_licence(
        actor=officer,
        supplier=good,
        kind=LicenceKind.FOOD,
        number="JY14102000012345",
        valid_until=today + dt.timedelta(days=400),
    )
    veg = services.save_supplier(
        actor=officer, kitchen=k, name="城南蔬菜合作社", contact="钱师傅", phone="13903710001"
    )
    services.add_licence(
        actor=officer,
        supplier=veg,
        kind=LicenceKind.FOOD,
        number="JY14102000067890",
        valid_until=today + dt.timedelta(days=20),
    )
    meat = services.save_supplier(actor=officer, kitchen=k, name="老街肉铺", phone="13903710002")
    services.add_licence(
        actor=officer,
        supplier=meat,
        kind=LicenceKind.FOOD,
        number="JY14102000099999",
        valid_until=today - dt.timedelta(days=5),
    )
    items = {
        name: services.save_item(
            actor=officer,
            kitchen=k,
            name=name,
            category=cat,
            unit=unit,
            storage=storage,
            shelf_life_days=days,
        )
        for name, cat, unit, storage, days in ITEMS
    }
    return good, items


def _staff(k: Kitchen, officer, cook) -> None:
    today = timezone.localdate()
    names = {
        "厨师": cook.name,
        "帮厨": "帮厨 " + cook.name[:1] + "师傅",
        "面点师": "面点师 " + cook.name[:1] + "阿姨",
    }
    for job, _unused, days in STAFF:
        person = staff.save_staff(
            actor=officer, kitchen=k, name=names[job], job=job, user=cook if job == "厨师" else None
        )
        staff.add_certificate(
            actor=officer,
            staff=person,
            number=f"JKZ-{today:%Y}-{abs(days):04d}",
            issued_on=today + dt.timedelta(days=days - 365),
            valid_until=today + dt.timedelta(days=days),
        )
        for back in range(3):
            staff.record_morning_check(
                actor=cook,
                staff=person,
                day=today - dt.timedelta(days=back),
                temperature_c=Decimal("36.4"),
                hand_wound=(job == "帮厨" and back == 1),
            )


def _week(k: Kitchen, cook, fridges: dict, supplier, items: dict) -> None:  # long: a week told in order
    now = timezone.now()
    today = timezone.localdate()
    for back in range(6, -1, -1):
        day = today - dt.timedelta(days=back)
        if back % 2 == 0:
            _delivery(k, cook, supplier, items, day, rejected=(back == 4), ticket_missing=(back == 2))
        for i, meal in enumerate(meals.ensure_meals(k, day)):
            if meal.ends_at > now:
                continue
            meals.set_menu(actor=cook, meal=meal, dishes=[(d, d in ("红烧肉", "凉拌黄瓜")) for d in MENUS[i]])
            if back == 3 and i == 2:
                continue  # dinner three days ago: nobody kept samples
            _samples(meal, cook, fridges[FridgeKind.SAMPLE], light=(back == 1 and i == 1), now=now)
            meals.record_disinfection(
                actor=cook,
                meal=meal,
                method="cabinet",
                items="碗、盘、筷、勺",
                minutes=20,
                temperature_c=Decimal(120),
                done_at=meal.ends_at - dt.timedelta(minutes=10),
            )
        for hour in (8, 16):
            at = timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))
            if at > now:
                continue
            meals.record_temperature(
                actor=cook,
                fridge=fridges[FridgeKind.FRIDGE],
                measured_at=at,
                temperature_c=Decimal("9.5") if (back == 5 and hour == 16) else Decimal("4.0"),
            )
            meals.record_temperature(
                actor=cook, fridge=fridges[FridgeKind.FREEZER], measured_at=at, temperature_c=Decimal("-18.0")
            )


def _samples(meal: Meal, cook, fridge, *, light: bool, now: dt.datetime) -> None:
    for dish in meal.dishes.all():
        taken = meal.ends_at - dt.timedelta(minutes=40)
        weight = Decimal(110) if light and dish.high_risk else Decimal(150)
        sample = meals.record_sample(actor=cook, dish=dish, weight_g=weight, taken_at=taken, fridge=fridge)
        disposal = taken + dt.timedelta(hours=49)
        if disposal <= now:
            meals.dispose_sample(actor=cook, sample=sample, disposed_at=disposal)


def _delivery(
    k: Kitchen, cook, supplier, items: dict, day: dt.date, *, rejected: bool, ticket_missing: bool
) -> None:
    at = timezone.make_aware(dt.datetime.combine(day, dt.time(6, 30)))
    if at > timezone.now():
        return
    lines = [
        services.LineIn(
            item=items["大米"],
            quantity=Decimal(50),
            batch=f"DM{day:%m%d}",
            production_date=day - dt.timedelta(days=20),
        ),
        services.LineIn(
            item=items["鸡蛋"],
            quantity=Decimal(10),
            production_date=day - dt.timedelta(days=1),
            temperature_c=Decimal(6),
        ),
        services.LineIn(
            item=items["猪肉"],
            quantity=Decimal(8),
            production_date=day,
            temperature_c=Decimal("3.5"),
            sensory_ok=not rejected,
            accepted=not rejected,
            reject_reason="肉色发暗、有异味" if rejected else "",
        ),
    ]
    services.record_purchase(
        actor=cook,
        kitchen=k,
        supplier=supplier,
        delivered_at=at,
        lines=lines,
        ticket=None if ticket_missing else _ticket(),
        note="",
    )


def _ticket() -> SimpleUploadedFile:
    """A stand-in for the photo of a delivery ticket (a plain picture with the ticket's colours)."""
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (480, 320), (250, 248, 240))
    draw = ImageDraw.Draw(img)
    for y in range(40, 300, 32):
        draw.line((30, y, 450, y), fill=(180, 180, 200), width=2)
    buf = io.BytesIO()
    img.save(buf, format="JPEG")
    return SimpleUploadedFile("ticket.jpg", buf.getvalue(), content_type="image/jpeg")
