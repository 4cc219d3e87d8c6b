"""A kitchen at institution A for tests (created on first use, cached on the world)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from types import SimpleNamespace

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from shuangfang.food import meals, services, staff
from shuangfang.food.choices import FoodCategory, FridgeKind, LicenceKind, MealKind, StorageClass


def jpeg(name: str = "photo.jpg") -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (90, 160, 60)).save(buf, format="JPEG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/jpeg")


def not_an_image() -> SimpleUploadedFile:
    return SimpleUploadedFile("ticket.jpg", b"%PDF-1.4 not a picture", content_type="image/jpeg")


def kitchen_a(w, *, photos: bool = True) -> SimpleNamespace:
    """Kitchen of institution A with a supplier (valid licence), two foods, refrigerators, a cook
    with a certificate, one delivery, lunch of yesterday with a sample, a disinfection, a morning
    check and a temperature. Times relative to now (call inside a frozen clock for exact ones)."""
    if "kitchen_a" in w.__dict__:
        return w.__dict__["kitchen_a"]
    officer, cook = w.users["safety_officer"], w.users["staff"]
    now = timezone.now()
    today = timezone.localdate()
    k = services.save_kitchen(actor=officer, organization=w.inst_a, name="职工食堂")
    fridge = services.save_fridge(actor=officer, kitchen=k, name="留样冰箱", kind=FridgeKind.SAMPLE)
    freezer = services.save_fridge(actor=officer, kitchen=k, name="冷冻柜", kind=FridgeKind.FREEZER)
    supplier = services.save_supplier(actor=officer, kitchen=k, name="汴州粮油店", phone="0371-5550000")
    licence = services.add_licence(
        actor=officer,
        supplier=supplier,
        kind=LicenceKind.FOOD,
        number="JY14101000000001",
        valid_until=today + dt.timedelta(days=365),
        photo=jpeg() if photos else None,
    )
    rice = services.save_item(
        actor=officer,
        kitchen=k,
        name="大米",
        category=FoodCategory.GRAIN,
        unit="kg",
        storage=StorageClass.AMBIENT,
        shelf_life_days=365,
    )
    pork = services.save_item(
        actor=officer,
        kitchen=k,
        name="猪肉",
        category=FoodCategory.MEAT,
        unit="kg",
        storage=StorageClass.CHILLED,
        shelf_life_days=3,
    )
    purchase = services.record_purchase(
        actor=cook,
        kitchen=k,
        supplier=supplier,
        delivered_at=now - dt.timedelta(hours=2),
        lines=[
            services.LineIn(item=rice, quantity=Decimal(25), batch="B1"),
            services.LineIn(
                item=pork,
                quantity=Decimal(8),
                temperature_c=Decimal(3),
                accepted=False,
                reject_reason="颜色发暗",
            ),
        ],
        ticket=jpeg() if photos else None,
    )
    yesterday = today - dt.timedelta(days=1)
    lunch = meals.ensure_meals(k, yesterday)[1]
    meals.set_menu(actor=cook, meal=lunch, dishes=[("红烧肉", True), ("炒青菜", False)])
    dish = lunch.dishes.get(name="红烧肉")
    sample = meals.record_sample(
        actor=cook,
        dish=dish,
        weight_g=Decimal(150),
        fridge=fridge,
        taken_at=lunch.ends_at - dt.timedelta(hours=1),
        photo=jpeg() if photos else None,
    )
    person = staff.save_staff(actor=officer, kitchen=k, name="王厨师", user=cook, job="厨师")
    cert = staff.add_certificate(
        actor=officer,
        staff=person,
        issued_on=today - dt.timedelta(days=100),
        valid_until=today + dt.timedelta(days=265),
        number="JK001",
        photo=jpeg() if photos else None,
    )
    check = staff.record_morning_check(actor=cook, staff=person, day=today, temperature_c=Decimal("36.5"))
    disinfection = meals.record_disinfection(
        actor=cook,
        meal=lunch,
        method="cabinet",
        items="碗、盘、筷",
        minutes=20,
        temperature_c=Decimal(120),
        done_at=lunch.ends_at,
    )
    temp = meals.record_temperature(actor=cook, fridge=fridge, temperature_c=Decimal(4), measured_at=now)
    ns = SimpleNamespace(
        kitchen=k,
        fridge=fridge,
        freezer=freezer,
        supplier=supplier,
        licence=licence,
        rice=rice,
        pork=pork,
        purchase=purchase,
        lunch=lunch,
        dish=dish,
        sample=sample,
        person=person,
        cert=cert,
        check=check,
        disinfection=disinfection,
        temp=temp,
        kind=MealKind.LUNCH,
    )
    w.__dict__["kitchen_a"] = ns
    return ns
