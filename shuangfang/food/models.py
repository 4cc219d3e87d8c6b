"""The kitchen of an institution and its records (domain-reference §4.5): suppliers and their
licences, the food list, deliveries with their acceptance, meals and dishes, the 48-hour samples,
tableware disinfection, kitchen staff with health certificates and the morning check, refrigerator
temperatures, and the thresholds as data rows with their source."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shuangfang.core.tenancy import TenantModel, TenantQuerySet

from .choices import (
    Confidence,
    DisinfectionMethod,
    FoodCategory,
    FridgeKind,
    LicenceKind,
    MealKind,
    RuleKey,
    RuleSource,
    SampleStatus,
    StockMoveKind,
    StorageClass,
)

USER = settings.AUTH_USER_MODEL


class PhotoFields(models.Model):
    """Storage names of a checked picture (``core.photos.save_photo``), served by a scoped view."""

    original = models.CharField(max_length=255, blank=True)
    display = models.CharField(max_length=255, blank=True)
    thumb = models.CharField(max_length=255, blank=True)

    class Meta:
        abstract = True

    @property
    def has_photo(self) -> bool:
        return bool(self.original)


class Kitchen(TenantModel):
    """The kitchen (canteen) of one institution, with the end of each meal's window: a meal whose
    window has ended without a sample of every dish opens a hazard."""

    name = models.CharField(_("name"), max_length=60)
    breakfast_end = models.TimeField(_("breakfast window ends"), null=True, blank=True)
    lunch_end = models.TimeField(_("lunch window ends"), null=True, blank=True)
    dinner_end = models.TimeField(_("dinner window ends"), null=True, blank=True)
    risk_point = models.ForeignKey(
        "risks.RiskPoint",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("risk point"),
        help_text=_("Hazards opened by the kitchen's timers are filed at this risk point."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organization__name"]
        verbose_name = _("kitchen")
        verbose_name_plural = _("kitchens")
        constraints = [models.UniqueConstraint(fields=["organization"], name="food_one_kitchen")]

    def __str__(self) -> str:
        return self.name

    def meal_ends(self) -> dict[str, dt.time]:
        ends = {
            MealKind.BREAKFAST: self.breakfast_end,
            MealKind.LUNCH: self.lunch_end,
            MealKind.DINNER: self.dinner_end,
        }
        return {k: v for k, v in ends.items() if v is not None}


class Fridge(TenantModel):
    kitchen = models.ForeignKey(Kitchen, on_delete=models.CASCADE, related_name="fridges")
    name = models.CharField(_("name"), max_length=60)
    kind = models.CharField(_("type"), max_length=10, choices=FridgeKind.choices)
    device = models.ForeignKey(
        "monitoring.Device",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("temperature sensor"),
    )
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["kitchen", "kind", "name"]
        verbose_name = _("refrigerator")
        verbose_name_plural = _("refrigerators")
        constraints = [models.UniqueConstraint(fields=["kitchen", "name"], name="food_fridge_unique_name")]

    def __str__(self) -> str:
        return self.name


class SupplierQuerySet(TenantQuerySet):
    def usable(self, day: dt.date):
        """Suppliers with at least one licence on file and none expired on ``day``."""
        expired = SupplierLicence.objects.filter(valid_until__lt=day).values("supplier_id")
        return self.filter(is_active=True, licences__isnull=False).exclude(pk__in=expired).distinct()


class Supplier(TenantModel):
    kitchen = models.ForeignKey(Kitchen, on_delete=models.CASCADE, related_name="suppliers")
    name = models.CharField(_("name"), max_length=100)
    contact = models.CharField(_("contact person"), max_length=40, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SupplierQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        ordering = ["name"]
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")
        constraints = [models.UniqueConstraint(fields=["kitchen", "name"], name="food_supplier_unique_name")]

    def __str__(self) -> str:
        return self.name


class SupplierLicence(TenantModel, PhotoFields):
    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="licences")
    kind = models.CharField(
        pgettext_lazy("licence", "certificate"), max_length=12, choices=LicenceKind.choices
    )
    number = models.CharField(pgettext_lazy("certificate", "number"), max_length=60, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    reminded_for = models.DateField(null=True, blank=True, editable=False)
    uploaded_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["supplier", "kind", "-valid_until"]
        verbose_name = _("supplier certificate")
        verbose_name_plural = _("supplier certificates")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"

    @property
    def is_pdf(self) -> bool:
        return self.original.endswith(".pdf")


class FoodItem(TenantModel):
    """One entry of an institution's food list (what its kitchen buys)."""

    kitchen = models.ForeignKey(Kitchen, on_delete=models.CASCADE, related_name="items")
    name = models.CharField(_("name"), max_length=60)
    category = models.CharField(_("category"), max_length=12, choices=FoodCategory.choices)
    unit = models.CharField(_("unit"), max_length=10)
    shelf_life_days = models.PositiveIntegerField(_("shelf life (days)"), null=True, blank=True)
    storage = models.CharField(_("storage"), max_length=10, choices=StorageClass.choices)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["category", "name"]
        verbose_name = _("food item")
        verbose_name_plural = _("food items")
        constraints = [models.UniqueConstraint(fields=["kitchen", "name"], name="food_item_unique_name")]

    def __str__(self) -> str:
        return f"{self.name}（{self.unit}）"


class Purchase(TenantModel, PhotoFields):
    """A delivery and its acceptance (进货查验): the ticket photo is the 索票."""

    kitchen = models.ForeignKey(Kitchen, on_delete=models.CASCADE, related_name="purchases")
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="purchases")
    delivered_at = models.DateTimeField(pgettext_lazy("goods", "delivered at"))
    received_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("accepted by")
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-delivered_at"]
        verbose_name = pgettext_lazy("goods", "delivery")
        verbose_name_plural = pgettext_lazy("goods", "deliveries")

    def __str__(self) -> str:
        return f"{self.delivered_at:%Y-%m-%d} {self.supplier_id}"


class PurchaseLine(TenantModel):
    purchase = models.ForeignKey(Purchase, on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey(FoodItem, on_delete=models.PROTECT, related_name="+", verbose_name=_("food"))
    quantity = models.DecimalField(_("quantity"), max_digits=10, decimal_places=2)
    batch = models.CharField(_("batch"), max_length=40, blank=True)
    production_date = models.DateField(_("production date"), null=True, blank=True)
    use_by = models.DateField(_("use by"), null=True, blank=True)
    sensory_ok = models.BooleanField(_("looks, smells and feels right"), default=True)
    temperature_c = models.DecimalField(
        _("temperature on arrival (°C)"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    accepted = models.BooleanField(_("accepted"), default=True)
    reject_reason = models.CharField(_("reason for rejection"), max_length=200, blank=True)

    class Meta:
        ordering = ["purchase", "pk"]
        verbose_name = _("delivered item")
        verbose_name_plural = _("delivered items")


class StockMove(TenantModel):
    """Food taken out of storage (used or discarded) from one accepted delivery line: what is left
    of the line is its quantity minus its moves (docs/food.md "Storage")."""

    line = models.ForeignKey(PurchaseLine, on_delete=models.CASCADE, related_name="moves")
    kind = models.CharField(
        pgettext_lazy("stock", "what happened"), max_length=10, choices=StockMoveKind.choices
    )
    quantity = models.DecimalField(_("quantity"), max_digits=10, decimal_places=2)
    moved_at = models.DateTimeField(_("when"))
    moved_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("by"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-moved_at"]
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.quantity}"


class Meal(TenantModel):
    kitchen = models.ForeignKey(Kitchen, on_delete=models.CASCADE, related_name="meals")
    day = models.DateField(_("date"))
    kind = models.CharField(_("meal"), max_length=10, choices=MealKind.choices)
    ends_at = models.DateTimeField(_("window ends"))
    diners = models.PositiveIntegerField(_("diners"), null=True, blank=True)
    missed_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-day", "ends_at"]
        verbose_name = _("meal")
        verbose_name_plural = _("meals")
        constraints = [models.UniqueConstraint(fields=["kitchen", "day", "kind"], name="food_one_meal")]

    def __str__(self) -> str:
        return f"{self.day:%m-%d} {self.get_kind_display()}"


class Dish(TenantModel):
    meal = models.ForeignKey(Meal, on_delete=models.CASCADE, related_name="dishes")
    name = models.CharField(_("dish"), max_length=60)
    high_risk = models.BooleanField(_("high-risk dish"), default=False)
    core_temp_c = models.DecimalField(
        _("core temperature (°C)"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    core_temp_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, related_name="+")
    core_temp_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["meal", "pk"]
        verbose_name = _("dish")
        verbose_name_plural = _("dishes")
        constraints = [models.UniqueConstraint(fields=["meal", "name"], name="food_dish_unique_name")]

    def __str__(self) -> str:
        return self.name


class Sample(TenantModel, PhotoFields):
    """A retained sample (留样) of one dish: at least the rule's weight, kept at least the rule's
    hours in the sample refrigerator; its disposal is recorded."""

    meal = models.ForeignKey(Meal, on_delete=models.CASCADE, related_name="samples")
    dish = models.ForeignKey(Dish, on_delete=models.CASCADE, related_name="samples")
    weight_g = models.DecimalField(_("weight (g)"), max_digits=6, decimal_places=1)
    fridge = models.ForeignKey(
        Fridge,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("refrigerator"),
    )
    label = models.CharField(_("container label"), max_length=40, blank=True)
    taken_at = models.DateTimeField(_("put in at"))
    taken_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("kept by"))
    status = models.CharField(
        _("status"), max_length=10, choices=SampleStatus.choices, default=SampleStatus.KEPT
    )
    disposed_at = models.DateTimeField(_("disposed of at"), null=True, blank=True)
    disposed_by = models.ForeignKey(
        USER,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("disposed of by"),
    )
    flagged_weight_at = models.DateTimeField(null=True, blank=True, editable=False)
    flagged_early_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-taken_at"]
        verbose_name = _("sample")
        verbose_name_plural = _("samples")
        constraints = [
            models.CheckConstraint(condition=Q(weight_g__gt=0), name="food_sample_weight_positive"),
            models.CheckConstraint(
                condition=Q(disposed_at__isnull=True) | Q(disposed_at__gte=models.F("taken_at")),
                name="food_sample_disposed_after_taken",
            ),
        ]

    def __str__(self) -> str:
        return self.label


class Disinfection(TenantModel):
    kitchen = models.ForeignKey(Kitchen, on_delete=models.CASCADE, related_name="disinfections")
    meal = models.ForeignKey(
        Meal, on_delete=models.CASCADE, related_name="disinfections", verbose_name=_("meal")
    )
    method = models.CharField(_("method"), max_length=10, choices=DisinfectionMethod.choices)
    items = models.CharField(_("tableware"), max_length=120)
    minutes = models.PositiveIntegerField(_("minutes"))
    temperature_c = models.DecimalField(
        _("temperature (°C)"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    done_at = models.DateTimeField(_("done at"))
    done_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("done by"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["-done_at"]
        verbose_name = _("tableware disinfection")
        verbose_name_plural = _("tableware disinfections")


class KitchenStaff(TenantModel):
    """Someone who works in the kitchen (an account is optional: temporary helpers have none)."""

    kitchen = models.ForeignKey(Kitchen, on_delete=models.CASCADE, related_name="staff")
    name = models.CharField(_("name"), max_length=40)
    user = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("account")
    )
    job = models.CharField(_("job"), max_length=40, blank=True)
    is_active = models.BooleanField(_("working here"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("kitchen staff")
        verbose_name_plural = _("kitchen staff")
        constraints = [models.UniqueConstraint(fields=["kitchen", "name"], name="food_staff_unique_name")]

    def __str__(self) -> str:
        return self.name


class HealthCertificate(TenantModel, PhotoFields):
    staff = models.ForeignKey(KitchenStaff, on_delete=models.CASCADE, related_name="certificates")
    number = models.CharField(pgettext_lazy("certificate", "number"), max_length=60, blank=True)
    issued_on = models.DateField(_("issued on"))
    valid_until = models.DateField(_("valid until"))
    reminded_for = models.DateField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["staff", "-valid_until"]
        verbose_name = _("health certificate")
        verbose_name_plural = _("health certificates")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__gte=models.F("issued_on")), name="food_cert_valid_after_issue"
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.valid_until}"


class MorningCheck(TenantModel):
    """The daily morning check (晨检): any symptom means not on duty today."""

    staff = models.ForeignKey(KitchenStaff, on_delete=models.CASCADE, related_name="checks")
    day = models.DateField(_("date"))
    temperature_c = models.DecimalField(
        _("body temperature (°C)"), max_digits=3, decimal_places=1, null=True, blank=True
    )
    fever = models.BooleanField(_("fever"), default=False)
    diarrhoea = models.BooleanField(_("diarrhoea or vomiting"), default=False)
    hand_wound = models.BooleanField(_("wound or infection on the hands"), default=False)
    other = models.CharField(_("other symptoms"), max_length=120, blank=True)
    fit = models.BooleanField(_("on duty today"))
    checked_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("checked by")
    )
    checked_at = models.DateTimeField(_("checked at"))

    class Meta:
        ordering = ["-day", "staff"]
        verbose_name = _("morning check")
        verbose_name_plural = _("morning checks")
        constraints = [models.UniqueConstraint(fields=["staff", "day"], name="food_one_check_a_day")]


class TemperatureLog(TenantModel):
    """A refrigerator temperature written by hand (twice a day); sensors report to monitoring."""

    fridge = models.ForeignKey(Fridge, on_delete=models.CASCADE, related_name="temperatures")
    measured_at = models.DateTimeField(_("measured at"))
    temperature_c = models.DecimalField(_("temperature (°C)"), max_digits=4, decimal_places=1)
    in_range = models.BooleanField(_("in range"))
    recorded_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )

    class Meta:
        ordering = ["-measured_at"]
        verbose_name = _("refrigerator temperature")
        verbose_name_plural = _("refrigerator temperatures")

    def __str__(self) -> str:
        return f"{self.temperature_c} °C"


class FoodRule(models.Model):
    """A threshold with its source: the default rows have no organisation; an institution's own
    (stricter) row replaces the default for it."""

    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    key = models.CharField(_("rule"), max_length=30, choices=RuleKey.choices)
    value = models.DecimalField(_("value"), max_digits=7, decimal_places=1)
    source = models.CharField(_("source"), max_length=20, choices=RuleSource.choices)
    reference = models.CharField(_("reference"), max_length=300)
    confidence = models.CharField(_("confidence"), max_length=10, choices=Confidence.choices)

    class Meta:
        ordering = ["key"]
        verbose_name = _("food safety rule")
        verbose_name_plural = _("food safety rules")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "key"], condition=Q(organization__isnull=False), name="food_site_rule"
            ),
            models.UniqueConstraint(
                fields=["key"], condition=Q(organization__isnull=True), name="food_default_rule"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key}={self.value}"
