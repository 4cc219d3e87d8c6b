"""Kitchen staff, their health certificates (健康证) and the daily morning check (晨检)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from shuangfang.core import audit
from shuangfang.core.tenancy import require
from shuangfang.core.uploads import check_image

from .models import HealthCertificate, Kitchen, KitchenStaff, MorningCheck
from .services import check_number, check_past, check_texts, store_photo


def save_staff(
    *,
    actor,
    kitchen: Kitchen,
    name: str,
    job: str = "",
    user=None,
    is_active: bool = True,
    staff: KitchenStaff | None = None,
) -> KitchenStaff:
    require(actor, "food.manage", kitchen.organization)
    name = (name or "").strip()
    if not name:
        raise ValidationError(_("Give the person's name."))
    check_texts(KitchenStaff, name=name, job=job)
    with transaction.atomic():
        if (
            KitchenStaff.objects.filter(kitchen=kitchen, name=name)
            .exclude(pk=getattr(staff, "pk", 0) or 0)
            .exists()
        ):
            raise ValidationError(_("%(name)s is already on the kitchen's staff list.") % {"name": name})
        staff = staff or KitchenStaff(kitchen=kitchen, organization=kitchen.organization)
        staff.name, staff.job, staff.user, staff.is_active = name, job.strip(), user, is_active
        staff.save()
        audit.record(
            actor=actor,
            action="food.staff_save",
            obj=staff,
            organization=kitchen.organization,
            after=audit.snapshot(staff, ("name", "job", "user", "is_active")),
        )
    return staff


def add_certificate(
    *, actor, staff: KitchenStaff, issued_on: dt.date, valid_until: dt.date, number: str = "", photo=None
) -> HealthCertificate:
    require(actor, "food.manage", staff.organization)
    check_texts(HealthCertificate, number=number)
    check_past(_("The date of issue"), issued_on)
    if valid_until < issued_on:
        raise ValidationError(_("A certificate cannot expire before it was issued."))
    if photo is not None:
        check_image(photo)
    with transaction.atomic():
        cert = HealthCertificate(
            organization=staff.organization,
            staff=staff,
            number=number.strip(),
            issued_on=issued_on,
            valid_until=valid_until,
        )
        store_photo(cert, photo, "health")
        cert.save()
        audit.record(
            actor=actor,
            action="food.certificate_add",
            obj=cert,
            organization=staff.organization,
            after={"staff": staff.name, "valid_until": valid_until.isoformat()},
        )
    return cert


def with_certificate_until(qs):
    """Annotate staff with ``cert_until``: the latest expiry of their health certificates."""
    return qs.annotate(cert_until=Max("certificates__valid_until"))


def without_valid_certificate(kitchen: Kitchen, day: dt.date):
    """Active staff with no health certificate valid on ``day`` (the officer's dashboard)."""
    qs = with_certificate_until(KitchenStaff.objects.filter(kitchen=kitchen, is_active=True))
    return qs.filter(Q(cert_until__isnull=True) | Q(cert_until__lt=day))


def record_morning_check(
    *,
    actor,
    staff: KitchenStaff,
    day: dt.date,
    temperature_c: Decimal | None = None,
    fever: bool = False,
    diarrhoea: bool = False,
    hand_wound: bool = False,
    other: str = "",
) -> MorningCheck:
    """One check a day per person (a second one the same day replaces the first). Any symptom:
    not on duty today."""
    require(actor, "food.record", staff.organization)
    check_past(_("The date of the check"), day)
    check_number(_("Body temperature (°C)"), temperature_c, Decimal(34), Decimal(43))
    check_texts(MorningCheck, other=other)
    fit = not (fever or diarrhoea or hand_wound or other.strip())
    with transaction.atomic():
        check, created = MorningCheck.objects.update_or_create(
            staff=staff,
            day=day,
            defaults={
                "organization": staff.organization,
                "temperature_c": temperature_c,
                "fever": fever,
                "diarrhoea": diarrhoea,
                "hand_wound": hand_wound,
                "other": other.strip(),
                "fit": fit,
                "checked_by": actor,
                "checked_at": timezone.now(),
            },
        )
        audit.record(
            actor=actor,
            action="food.morning_check",
            obj=check,
            organization=staff.organization,
            after=audit.snapshot(
                check, ("day", "temperature_c", "fever", "diarrhoea", "hand_wound", "other", "fit")
            ),
            note="" if created else "replaced",
        )
    return check
