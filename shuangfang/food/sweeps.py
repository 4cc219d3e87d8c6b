"""The kitchen's timers, run by the periodic tasks (``tasks.py``) and idempotent: running one twice
opens nothing twice. Each finding is claimed with a conditional update of its own marker
(``missed_at``, ``flagged_weight_at``, ``flagged_early_at``, ``reminded_for``) in the transaction that
opens the hazard (through ``hazards.services.report_hazard``, the normal loop) or publishes the
reminder (the outbox; the notifications app tells people)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Count, DateTimeField, ExpressionWrapper, F, Max, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from shuangfang.core.events import publish
from shuangfang.core.vocabulary import CheckCategory, Severity

from . import rules
from .choices import RuleKey, SampleStatus
from .meals import due_at, ensure_meals
from .models import FoodRule, HealthCertificate, Kitchen, Meal, Sample, SupplierLicence

LOOK_BACK = dt.timedelta(days=7)  # meals older than this are not judged again
TOLD = ["safety_officer", "institution_head"]


def _open_hazard(kitchen: Kitchen, *, title: str, description: str, origin: str) -> None:
    from shuangfang.hazards.choices import Source
    from shuangfang.hazards.services import report_hazard

    report_hazard(
        actor=None,
        organization=kitchen.organization,
        title=title,
        description=description,
        source=Source.CONTROL_FAILURE,
        category=CheckCategory.FOOD,
        origin=origin,
        risk_point=kitchen.risk_point,
        location=kitchen.name if kitchen.risk_point is None else "",
    )


def check_meal(meal: Meal, now: dt.datetime) -> bool:
    """A meal whose window has ended with a dish (or the whole meal) unsampled: one hazard."""
    if meal.ends_at > now or meal.missed_at is not None:
        return False
    dishes = list(meal.dishes.annotate(n=Count("samples")))
    missing = [d.name for d in dishes if d.n == 0]
    if dishes and not missing:
        return False
    with transaction.atomic():
        if not Meal.objects.filter(pk=meal.pk, missed_at__isnull=True).update(missed_at=now):
            return False  # another sweep claimed it
        kitchen = meal.kitchen
        with translation.override("zh-hans"):
            what = "、".join(missing) if missing else _("no dish recorded, no sample")
            title = _("%(kitchen)s: %(meal)s without samples") % {"kitchen": kitchen.name, "meal": str(meal)}
            description = _(
                "The window of %(meal)s ended at %(end)s without a retained sample of: %(what)s."
            ) % {"meal": str(meal), "end": timezone.localtime(meal.ends_at).strftime("%H:%M"), "what": what}
        _open_hazard(kitchen, title=title, description=description, origin=f"food-meal:{meal.uuid}")
    return True


def check_sample(sample: Sample) -> list[str]:
    """Under weight, or disposed of before the rule's hours: one hazard each, once."""
    values = {k: r.value for k, r in rules.rules_for(sample.organization).items()}
    found = []
    now = timezone.now()
    kitchen = Kitchen.objects.get(pk=sample.meal.kitchen_id)
    dish = sample.dish.name
    minimum = values[RuleKey.SAMPLE_MIN_WEIGHT]
    if sample.weight_g < minimum and sample.flagged_weight_at is None:
        with transaction.atomic():
            if Sample.objects.filter(pk=sample.pk, flagged_weight_at__isnull=True).update(
                flagged_weight_at=now
            ):
                sample.flagged_weight_at = now
                with translation.override("zh-hans"):
                    title = _("%(kitchen)s: sample of %(dish)s under weight") % {
                        "kitchen": kitchen.name,
                        "dish": dish,
                    }
                    description = _(
                        "The sample of %(dish)s (%(meal)s) weighs %(w)s g; the rule is at least %(min)s g."
                    ) % {"dish": dish, "meal": str(sample.meal), "w": sample.weight_g, "min": minimum}
                _open_hazard(
                    kitchen, title=title, description=description, origin=f"food-weight:{sample.uuid}"
                )
                found.append("weight")
    keep = values[RuleKey.SAMPLE_KEEP_HOURS]
    early = (
        sample.status == SampleStatus.DISPOSED
        and sample.disposed_at is not None
        and sample.disposed_at < due_at(sample, keep)
    )
    if early and sample.flagged_early_at is None:
        with transaction.atomic():
            if Sample.objects.filter(pk=sample.pk, flagged_early_at__isnull=True).update(
                flagged_early_at=now
            ):
                sample.flagged_early_at = now
                assert sample.disposed_at is not None
                kept = (sample.disposed_at - sample.taken_at).total_seconds() / 3600
                with translation.override("zh-hans"):
                    title = _("%(kitchen)s: sample of %(dish)s disposed of early") % {
                        "kitchen": kitchen.name,
                        "dish": dish,
                    }
                    description = _(
                        "The sample of %(dish)s (%(meal)s) was disposed of after %(h).1f hours; "
                        "the rule is at least %(keep)s hours."
                    ) % {"dish": dish, "meal": str(sample.meal), "h": kept, "keep": keep}
                _open_hazard(
                    kitchen, title=title, description=description, origin=f"food-early:{sample.uuid}"
                )
                found.append("early")
    return found


def _suspect_q() -> Q:
    """Samples that may break a rule somewhere: lighter than the strictest weight rule of any
    institution, or disposed of before the strictest keeping time (each is then judged against its
    own institution's rules). Keeps the sweep from re-reading every good sample."""
    strictest = FoodRule.objects.aggregate(
        w=Max("value", filter=Q(key=RuleKey.SAMPLE_MIN_WEIGHT)),
        h=Max("value", filter=Q(key=RuleKey.SAMPLE_KEEP_HOURS)),
    )
    weight = strictest["w"] or rules.DEFAULTS[RuleKey.SAMPLE_MIN_WEIGHT].value
    hours = strictest["h"] or rules.DEFAULTS[RuleKey.SAMPLE_KEEP_HOURS].value
    keep_until = ExpressionWrapper(
        F("taken_at") + dt.timedelta(hours=float(hours)), output_field=DateTimeField()
    )
    return Q(flagged_weight_at__isnull=True, weight_g__lt=weight) | Q(
        flagged_early_at__isnull=True, status=SampleStatus.DISPOSED, disposed_at__lt=keep_until
    )


def sweep(now: dt.datetime | None = None) -> dict[str, int]:
    """Make today's usual meals, judge ended meals and unflagged samples. Idempotent."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    out = {"meals_missed": 0, "samples_flagged": 0}
    for kitchen in Kitchen.objects.all():
        ensure_meals(kitchen, today)
    meals = Meal.objects.filter(ends_at__lte=now, ends_at__gte=now - LOOK_BACK, missed_at__isnull=True)
    for meal in meals.select_related("kitchen", "kitchen__risk_point", "organization"):
        out["meals_missed"] += int(check_meal(meal, now))
    suspects = Sample.objects.filter(taken_at__gte=now - LOOK_BACK).filter(_suspect_q())
    for sample in suspects.select_related("meal", "dish", "organization"):
        out["samples_flagged"] += len(check_sample(sample))
    return out


def _remind(kind: str, row, kitchen: Kitchen, title: str, url: str) -> bool:
    with transaction.atomic():
        claimed = (
            type(row)
            .objects.filter(pk=row.pk)
            .exclude(reminded_for=row.valid_until)
            .update(reminded_for=row.valid_until)
        )
        if not claimed:
            return False
        publish(
            kind,
            organization_id=kitchen.organization_id,
            object_uuid=str(row.uuid),
            title=title,
            url=url,
            severity=Severity.WARNING,
            roles=TOLD,
            valid_until=row.valid_until.isoformat(),
        )
    return True


def send_reminders(today: dt.date | None = None) -> dict[str, int]:
    """A health certificate or a supplier licence expiring within the rule's days: told once per
    expiry date (a renewed certificate is told about again when its own time comes)."""
    today = today or timezone.localdate()
    sent = {"certificates": 0, "licences": 0}
    for kitchen in Kitchen.objects.select_related("organization"):
        days = int(rules.value(kitchen.organization, RuleKey.REMIND_DAYS))
        window = {"valid_until__gte": today, "valid_until__lte": today + dt.timedelta(days=days)}
        certs = HealthCertificate.objects.filter(staff__kitchen=kitchen, staff__is_active=True, **window)
        for cert in certs.exclude(reminded_for=F("valid_until")).select_related("staff"):
            with translation.override("zh-hans"):
                title = _("Health certificate of %(name)s expires on %(date)s") % {
                    "name": cert.staff.name,
                    "date": cert.valid_until.isoformat(),
                }
            url = reverse("food:staff_detail", args=[cert.staff.uuid])
            sent["certificates"] += int(_remind("food.certificate_expiring", cert, kitchen, title, url))
        licences = SupplierLicence.objects.filter(
            supplier__kitchen=kitchen, supplier__is_active=True, **window
        )
        for lic in licences.exclude(reminded_for=F("valid_until")).select_related("supplier"):
            with translation.override("zh-hans"):
                title = _("%(kind)s of %(name)s expires on %(date)s") % {
                    "kind": lic.get_kind_display(),
                    "name": lic.supplier.name,
                    "date": lic.valid_until.isoformat(),
                }
            url = reverse("food:supplier_detail", args=[lic.supplier.uuid])
            sent["licences"] += int(_remind("food.licence_expiring", lic, kitchen, title, url))
    return sent
