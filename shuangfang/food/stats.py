"""The kitchen's figures for its page, the overview and the bureau: samples taken against dishes
due, missed meals, light and early-disposed samples, certificates, suppliers, deliveries and the
cold chain. A fixed number of queries per kitchen."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from . import rules
from .choices import RuleKey, SampleStatus
from .models import (
    Dish,
    HealthCertificate,
    Kitchen,
    Meal,
    Purchase,
    PurchaseLine,
    Sample,
    Supplier,
    SupplierLicence,
    TemperatureLog,
)
from .staff import without_valid_certificate


def month_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    first = day.replace(day=1)
    nxt = (first + dt.timedelta(days=32)).replace(day=1)
    return first, nxt - dt.timedelta(days=1)


@dataclass
class Figures:
    dishes_due: int = 0
    samples_taken: int = 0
    meals_missed: int = 0
    samples_light: int = 0
    samples_early: int = 0
    staff_without_certificate: int = 0
    certificates_expiring: int = 0
    suppliers_blocked: int = 0
    licences_expiring: int = 0
    lines_rejected: int = 0
    deliveries_without_ticket: int = 0
    temperatures_out: int = 0
    cold_chain_alarms: int = 0
    extra: dict = field(default_factory=dict)

    @property
    def sample_rate(self) -> int | None:
        return (
            round(100 * min(self.samples_taken, self.dishes_due) / self.dishes_due)
            if self.dishes_due
            else None
        )


def figures(kitchen: Kitchen, day: dt.date, first: dt.date | None = None) -> Figures:
    """From ``first`` (default the first of ``day``'s month) to ``day``."""
    first = first or month_bounds(day)[0]
    now = timezone.now()
    remind = int(rules.value(kitchen.organization, RuleKey.REMIND_DAYS))
    soon = {"valid_until__gte": day, "valid_until__lte": day + dt.timedelta(days=remind)}
    meals = Meal.objects.filter(kitchen=kitchen, day__gte=first, day__lte=day)
    samples = Sample.objects.filter(meal__in=meals).aggregate(
        n=Count("pk"),
        light=Count("pk", filter=Q(flagged_weight_at__isnull=False)),
        early=Count("pk", filter=Q(flagged_early_at__isnull=False)),
    )
    lines = PurchaseLine.objects.filter(
        purchase__kitchen=kitchen,
        purchase__delivered_at__date__gte=first,
        purchase__delivered_at__date__lte=day,
    )
    return Figures(
        dishes_due=Dish.objects.filter(meal__in=meals.filter(ends_at__lte=now)).count(),
        samples_taken=samples["n"],
        meals_missed=meals.filter(missed_at__isnull=False).count(),
        samples_light=samples["light"],
        samples_early=samples["early"],
        staff_without_certificate=without_valid_certificate(kitchen, day).count(),
        certificates_expiring=HealthCertificate.objects.filter(
            staff__kitchen=kitchen, staff__is_active=True, **soon
        ).count(),
        suppliers_blocked=Supplier.objects.filter(kitchen=kitchen, is_active=True)
        .exclude(pk__in=Supplier.objects.usable(day).values("pk"))
        .count(),
        licences_expiring=SupplierLicence.objects.filter(
            supplier__kitchen=kitchen, supplier__is_active=True, **soon
        ).count(),
        lines_rejected=lines.filter(accepted=False).count(),
        deliveries_without_ticket=Purchase.objects.filter(
            kitchen=kitchen, delivered_at__date__gte=first, delivered_at__date__lte=day, original=""
        ).count(),
        temperatures_out=TemperatureLog.objects.filter(
            fridge__kitchen=kitchen, in_range=False, measured_at__date__gte=first, measured_at__date__lte=day
        ).count(),
        cold_chain_alarms=cold_chain_alarms(kitchen, first, day),
    )


def cold_chain_alarms(kitchen: Kitchen, first: dt.date, last: dt.date) -> int:
    """Sensor alarms (monitoring app) of the kitchen's refrigerators opened in the period."""
    from shuangfang.monitoring.models import Alarm

    devices = kitchen.fridges.filter(device__isnull=False).values("device_id")
    return Alarm.objects.filter(
        device_id__in=devices, opened_at__date__gte=first, opened_at__date__lte=last
    ).count()


def attention(kitchen: Kitchen, day: dt.date) -> dict:
    """What the officer must act on: staff without a valid certificate, blocked suppliers,
    certificates about to expire, the week's rejected goods and deliveries without a ticket."""
    remind = int(rules.value(kitchen.organization, RuleKey.REMIND_DAYS))
    week = timezone.now() - dt.timedelta(days=7)
    soon = {"valid_until__gte": day, "valid_until__lte": day + dt.timedelta(days=remind)}
    return {
        "no_certificate": list(without_valid_certificate(kitchen, day)),
        "certificates_expiring": list(
            HealthCertificate.objects.filter(
                staff__kitchen=kitchen, staff__is_active=True, **soon
            ).select_related("staff")
        ),
        "suppliers_blocked": list(
            Supplier.objects.filter(kitchen=kitchen, is_active=True).exclude(
                pk__in=Supplier.objects.usable(day).values("pk")
            )
        ),
        "licences_expiring": list(
            SupplierLicence.objects.filter(
                supplier__kitchen=kitchen, supplier__is_active=True, **soon
            ).select_related("supplier")
        ),
        "rejected": list(
            PurchaseLine.objects.filter(
                purchase__kitchen=kitchen, accepted=False, purchase__delivered_at__gte=week
            ).select_related("item", "purchase", "purchase__supplier")
        ),
        "no_ticket": list(
            Purchase.objects.filter(kitchen=kitchen, original="", delivered_at__gte=week).select_related(
                "supplier"
            )
        ),
    }


def handover_items(organization, start=None, end=None, limit: int = 20) -> list[str]:
    """For the shift handover: the kitchen's samples kept past their hours by the shift's end,
    still to dispose of."""
    from .meals import due_at

    inst = organization.institution if organization.institution_id else organization
    kitchen = Kitchen.objects.filter(organization=inst).first()
    if kitchen is None:
        return []
    keep = rules.value(inst, RuleKey.SAMPLE_KEEP_HOURS)
    now = end or timezone.now()
    kept = Sample.objects.filter(meal__kitchen=kitchen, status=SampleStatus.KEPT).select_related(
        "dish", "meal"
    )
    due = [s for s in kept.order_by("taken_at")[:200] if due_at(s, keep) <= now][:limit]
    return [
        _("Sample due for disposal: %(dish)s (%(meal)s)") % {"dish": s.dish.name, "meal": str(s.meal)}
        for s in due
    ]
