"""Kitchen set-up, suppliers with their licences, the food list and deliveries (采购验收).
Meals and samples are in ``meals``, kitchen staff in ``staff``, the timers in ``sweeps``."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shuangfang.core import audit
from shuangfang.core.limits import check_length, max_chars
from shuangfang.core.photos import save_photo
from shuangfang.core.tenancy import require
from shuangfang.core.uploads import check_image, check_pdf_or_image

from .choices import COLD_CLASSES, DEFAULT_MEAL_ENDS, FridgeKind, MealKind
from .models import FoodItem, Fridge, Kitchen, Purchase, PurchaseLine, Supplier, SupplierLicence

# The monitoring device kind that watches each kind of refrigerator (its rules are the cold chain's).
SENSOR_KIND: dict[str, str] = {
    FridgeKind.FRIDGE: "fridge_temp",
    FridgeKind.SAMPLE: "fridge_temp",
    FridgeKind.FREEZER: "freezer_temp",
}

# How far ahead of the server clock a typed time may be (a phone's clock a little fast).
CLOCK_SLACK = dt.timedelta(minutes=5)


# --- checks shared by every record ---------------------------------------------------------------


def check_number(label, value: Decimal | None, low: Decimal, high: Decimal) -> None:
    """Refuse a number outside what the thing can physically be (a typo, a sign mistake)."""
    if value is None:
        return
    if not Decimal(low) <= value <= Decimal(high):
        raise ValidationError(
            _("%(label)s must be between %(low)s and %(high)s.") % {"label": label, "low": low, "high": high}
        )


def check_past(label, when: dt.datetime | dt.date | None) -> None:
    """Refuse a time (or a date) in the future."""
    if when is None:
        return
    if isinstance(when, dt.datetime):
        late = when > timezone.now() + CLOCK_SLACK
    else:
        late = when > timezone.localdate()
    if late:
        raise ValidationError(_("%(label)s cannot be in the future.") % {"label": label})


def check_texts(model, **values: str) -> None:
    for name, value in values.items():
        check_length(model._meta.get_field(name).verbose_name, value or "", max_chars(model, name))


def store_photo(obj, upload, folder: str) -> None:
    """Store a checked picture's files on ``obj`` (call ``check_image`` before the transaction)."""
    if upload is None:
        return
    stored = save_photo(upload, folder=f"food/{folder}")
    obj.original, obj.display, obj.thumb = stored.original, stored.display, stored.thumb


def _institution(org):
    if org is None or org.institution_id is None:
        raise ValidationError(_("A kitchen belongs to an institution."))
    return org.institution if org.institution_id != org.pk else org


# --- the kitchen ---------------------------------------------------------------------------------


def save_kitchen(
    *,
    actor,
    organization,
    name: str,
    kitchen: Kitchen | None = None,
    breakfast_end: dt.time | None = DEFAULT_MEAL_ENDS[MealKind.BREAKFAST],
    lunch_end: dt.time | None = DEFAULT_MEAL_ENDS[MealKind.LUNCH],
    dinner_end: dt.time | None = DEFAULT_MEAL_ENDS[MealKind.DINNER],
    risk_point=None,
) -> Kitchen:
    institution = _institution(organization)
    require(actor, "food.manage", institution)
    name = (name or "").strip()
    if not name:
        raise ValidationError(_("Give the kitchen a name."))
    check_texts(Kitchen, name=name)
    if risk_point is not None and risk_point.organization_id != institution.pk:
        raise ValidationError(_("The risk point belongs to another institution."))
    fields = ("name", "breakfast_end", "lunch_end", "dinner_end", "risk_point")
    with transaction.atomic():
        if kitchen is None:
            if Kitchen.objects.filter(organization=institution).exists():
                raise ValidationError(_("This institution already has a kitchen."))
            kitchen = Kitchen(organization=institution)
        before = audit.snapshot(kitchen, fields) if kitchen.pk else None
        kitchen.name = name
        kitchen.breakfast_end, kitchen.lunch_end, kitchen.dinner_end = breakfast_end, lunch_end, dinner_end
        kitchen.risk_point = risk_point
        kitchen.save()
        audit.record(
            actor=actor,
            action="food.kitchen_save",
            obj=kitchen,
            organization=institution,
            before=before,
            after=audit.snapshot(kitchen, fields),
        )
    return kitchen


def save_fridge(
    *, actor, kitchen: Kitchen, name: str, kind: str, device=None, fridge: Fridge | None = None
) -> Fridge:
    require(actor, "food.manage", kitchen.organization)
    name = (name or "").strip()
    if not name:
        raise ValidationError(_("Give the refrigerator a name."))
    check_texts(Fridge, name=name)
    if device is not None and device.organization_id != kitchen.organization_id:
        raise ValidationError(_("The sensor belongs to another institution."))
    if device is not None and device.kind != SENSOR_KIND[kind]:
        raise ValidationError(_("Choose a sensor of the refrigerator's type (refrigerator or freezer)."))
    with transaction.atomic():
        if (
            Fridge.objects.filter(kitchen=kitchen, name=name)
            .exclude(pk=getattr(fridge, "pk", 0) or 0)
            .exists()
        ):
            raise ValidationError(_("A refrigerator named %(name)s already exists.") % {"name": name})
        fridge = fridge or Fridge(kitchen=kitchen, organization=kitchen.organization)
        fridge.name, fridge.kind, fridge.device = name, kind, device
        fridge.save()
        audit.record(
            actor=actor,
            action="food.fridge_save",
            obj=fridge,
            organization=kitchen.organization,
            after=audit.snapshot(fridge, ("name", "kind", "device")),
        )
    return fridge


# --- suppliers -----------------------------------------------------------------------------------


def save_supplier(
    *,
    actor,
    kitchen: Kitchen,
    name: str,
    contact: str = "",
    phone: str = "",
    address: str = "",
    is_active: bool = True,
    supplier: Supplier | None = None,
) -> Supplier:
    require(actor, "food.manage", kitchen.organization)
    name = (name or "").strip()
    if not name:
        raise ValidationError(_("Give the supplier's name."))
    check_texts(Supplier, name=name, contact=contact, phone=phone, address=address)
    fields = ("name", "contact", "phone", "address", "is_active")
    with transaction.atomic():
        clash = Supplier.objects.filter(kitchen=kitchen, name=name).exclude(
            pk=getattr(supplier, "pk", 0) or 0
        )
        if clash.exists():
            raise ValidationError(_("A supplier named %(name)s already exists.") % {"name": name})
        before = audit.snapshot(supplier, fields) if supplier else None
        supplier = supplier or Supplier(kitchen=kitchen, organization=kitchen.organization)
        supplier.name, supplier.contact, supplier.phone = name, contact.strip(), phone.strip()
        supplier.address, supplier.is_active = address.strip(), is_active
        supplier.save()
        audit.record(
            actor=actor,
            action="food.supplier_save",
            obj=supplier,
            organization=kitchen.organization,
            before=before,
            after=audit.snapshot(supplier, fields),
        )
    return supplier


def add_licence(
    *,
    actor,
    supplier: Supplier,
    kind: str,
    number: str = "",
    valid_until: dt.date | None = None,
    photo=None,
) -> SupplierLicence:
    """A licence or certificate of a supplier, with its expiry date and its file: a PDF (a scan, the
    electronic licence) or a photo."""
    require(actor, "food.manage", supplier.organization)
    check_texts(SupplierLicence, number=number)
    pdf = photo is not None and _is_pdf(photo)
    with transaction.atomic():
        licence = SupplierLicence(
            organization=supplier.organization,
            supplier=supplier,
            kind=kind,
            number=number.strip(),
            valid_until=valid_until,
            uploaded_by=actor,
        )
        if pdf:
            licence.original = default_storage.save(
                f"food/licences/{supplier.organization_id}/{uuid.uuid4().hex}.pdf", ContentFile(photo.read())
            )
        else:
            store_photo(licence, photo, "licences")
        licence.save()
        audit.record(
            actor=actor,
            action="food.licence_add",
            obj=licence,
            organization=supplier.organization,
            after=audit.snapshot(licence, ("kind", "number", "valid_until")),
        )
    return licence


def _is_pdf(upload) -> bool:
    """Whether a licence file is a PDF (by its first bytes); a picture is checked like any photo;
    anything else is refused (``core.uploads.check_pdf_or_image``)."""
    return check_pdf_or_image(upload) == "PDF"


def supplier_state(supplier: Supplier, day: dt.date) -> str:
    """``ok``, ``expired`` or ``missing`` (no licence on file); uses prefetched licences."""
    licences = list(supplier.licences.all())
    if not licences:
        return "missing"
    if any(lc.valid_until is not None and lc.valid_until < day for lc in licences):
        return "expired"
    return "ok"


# --- the food list -------------------------------------------------------------------------------


def save_item(
    *,
    actor,
    kitchen: Kitchen,
    name: str,
    category: str,
    unit: str,
    storage: str,
    shelf_life_days: int | None = None,
    is_active: bool = True,
    item: FoodItem | None = None,
) -> FoodItem:
    require(actor, "food.manage", kitchen.organization)
    name, unit = (name or "").strip(), (unit or "").strip()
    if not name or not unit:
        raise ValidationError(_("Give the food's name and unit."))
    check_texts(FoodItem, name=name, unit=unit)
    check_number(_("Shelf life (days)"), Decimal(shelf_life_days or 0), Decimal(0), Decimal(3650))
    fields = ("name", "category", "unit", "storage", "shelf_life_days", "is_active")
    with transaction.atomic():
        if (
            FoodItem.objects.filter(kitchen=kitchen, name=name)
            .exclude(pk=getattr(item, "pk", 0) or 0)
            .exists()
        ):
            raise ValidationError(_("%(name)s is already on the food list.") % {"name": name})
        before = audit.snapshot(item, fields) if item else None
        item = item or FoodItem(kitchen=kitchen, organization=kitchen.organization)
        item.name, item.category, item.unit, item.storage = name, category, unit, storage
        item.shelf_life_days, item.is_active = shelf_life_days, is_active
        item.save()
        audit.record(
            actor=actor,
            action="food.item_save",
            obj=item,
            organization=kitchen.organization,
            before=before,
            after=audit.snapshot(item, fields),
        )
    return item


# --- deliveries and their acceptance --------------------------------------------------------------


@dataclass
class LineIn:
    item: FoodItem
    quantity: Decimal
    batch: str = ""
    production_date: dt.date | None = None
    sensory_ok: bool = True
    temperature_c: Decimal | None = None
    accepted: bool = True
    reject_reason: str = ""


def _check_line(kitchen: Kitchen, line: LineIn, delivered: dt.date) -> None:
    name = line.item.name
    if line.item.kitchen_id != kitchen.pk:
        raise ValidationError(_("%(name)s is not on this kitchen's food list.") % {"name": name})
    if line.quantity is None or line.quantity <= 0:
        raise ValidationError(_("%(name)s: the quantity must be more than 0.") % {"name": name})
    check_number(_("Quantity"), line.quantity, Decimal("0.01"), Decimal(100000))
    check_texts(PurchaseLine, batch=line.batch, reject_reason=line.reject_reason)
    if line.production_date is not None and line.production_date > delivered:
        raise ValidationError(_("%(name)s: the production date is after the delivery.") % {"name": name})
    check_number(_("Temperature on arrival (°C)"), line.temperature_c, Decimal(-40), Decimal(60))
    if line.accepted and line.item.storage in COLD_CLASSES and line.temperature_c is None:
        raise ValidationError(
            _("%(name)s is chilled or frozen food: measure and enter its temperature.") % {"name": name}
        )
    if line.accepted and not line.sensory_ok:
        raise ValidationError(
            _("%(name)s failed the sensory check: reject it with a reason.") % {"name": name}
        )
    if not line.accepted and not line.reject_reason.strip():
        raise ValidationError(_("%(name)s: say why it was rejected.") % {"name": name})


def record_purchase(
    *,
    actor,
    kitchen: Kitchen,
    supplier: Supplier,
    delivered_at: dt.datetime,
    lines: Sequence[LineIn],
    ticket=None,
    note: str = "",
) -> Purchase:
    """Record a delivery and what was accepted or rejected of it; all or nothing."""
    require(actor, "food.record", kitchen.organization)
    check_past(_("The delivery time"), delivered_at)
    check_texts(Purchase, note=note)
    delivered = timezone.localtime(delivered_at).date()
    if supplier.kitchen_id != kitchen.pk:
        raise ValidationError(_("The supplier belongs to another kitchen."))
    if not Supplier.objects.usable(delivered).filter(pk=supplier.pk).exists():
        raise ValidationError(
            _("%(name)s has an expired licence or none on file: it cannot be chosen.")
            % {"name": supplier.name}
        )
    if not lines:
        raise ValidationError(_("Add at least one food item."))
    for line in lines:
        _check_line(kitchen, line, delivered)
    if ticket is not None:
        check_image(ticket)
    with transaction.atomic():
        purchase = Purchase(
            organization=kitchen.organization,
            kitchen=kitchen,
            supplier=supplier,
            delivered_at=delivered_at,
            received_by=actor,
            note=note.strip(),
        )
        store_photo(purchase, ticket, "tickets")
        purchase.save()
        PurchaseLine.objects.bulk_create(
            [
                PurchaseLine(
                    organization=kitchen.organization,
                    purchase=purchase,
                    item=line.item,
                    quantity=line.quantity,
                    batch=line.batch.strip(),
                    production_date=line.production_date,
                    use_by=_use_by(line),
                    sensory_ok=line.sensory_ok,
                    temperature_c=line.temperature_c,
                    accepted=line.accepted,
                    reject_reason=line.reject_reason.strip() if not line.accepted else "",
                )
                for line in lines
            ]
        )
        audit.record(
            actor=actor,
            action="food.purchase",
            obj=purchase,
            organization=kitchen.organization,
            after={
                "supplier": supplier.name,
                "ticket": purchase.has_photo,
                "lines": [f"{ln.item.name} {ln.quantity} {'✓' if ln.accepted else '✗'}" for ln in lines],
            },
        )
    return purchase


def _use_by(line: LineIn) -> dt.date | None:
    if line.production_date is None or not line.item.shelf_life_days:
        return None
    return line.production_date + dt.timedelta(days=line.item.shelf_life_days)
