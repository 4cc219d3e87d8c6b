"""The equipment ledger (设备设施台账), its documents and external maintenance visits, and the video
part: recorders (NVR), cameras and the daily retention checks."""

from __future__ import annotations

import datetime as dt
import uuid as uuid_lib

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shuangfang.core.tenancy import TenantModel, TenantQuerySet

from .catalogue import KIND_CHOICES, KINDS
from .choices import Adapter, RetentionResult, VisitKind


class EquipmentQuerySet(TenantQuerySet["Equipment"]):
    def active(self):
        return self.filter(is_active=True)


class Equipment(TenantModel):
    number = models.PositiveIntegerField(_("number"), editable=False)
    code = models.CharField(_("code"), max_length=20, editable=False)
    kind = models.CharField(_("kind"), max_length=30, choices=KIND_CHOICES)
    name = models.CharField(_("name"), max_length=80)
    risk_point = models.ForeignKey(
        "risks.RiskPoint",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("place (risk point)"),
    )
    location = models.CharField(_("where exactly"), max_length=120, blank=True)
    model = models.CharField(_("model"), max_length=80, blank=True)
    serial_number = models.CharField(_("serial number"), max_length=60, blank=True)
    registration_number = models.CharField(
        _("registration number"),
        max_length=60,
        blank=True,
        help_text=_("Special equipment: the use registration number (使用登记证编号)."),
    )
    supplier = models.CharField(_("supplier"), max_length=120, blank=True)
    manufactured_on = models.DateField(_("manufactured on"), null=True, blank=True)
    installed_on = models.DateField(_("installed on"), null=True, blank=True)
    life_years = models.PositiveSmallIntegerField(_("service life (years)"), null=True, blank=True)
    expires_on = models.DateField(_("end of service life"), null=True, blank=True, db_index=True)
    next_inspection_on = models.DateField(
        _("next statutory inspection"), null=True, blank=True, db_index=True
    )
    next_repair_on = models.DateField(
        _("next repair and hydrostatic test"), null=True, blank=True, db_index=True
    )
    # The due date an overdue-inspection hazard was opened for (once per due date).
    statutory_hazard_for = models.DateField(null=True, blank=True, editable=False)
    checkpoint = models.OneToOneField(
        "inspections.Checkpoint", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    is_active = models.BooleanField(_("in use"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = EquipmentQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        ordering = ["organization", "number"]
        verbose_name = _("equipment")
        verbose_name_plural = _("equipment")
        constraints = [
            models.UniqueConstraint(fields=["organization", "number"], name="equipment_number"),
            models.CheckConstraint(
                condition=Q(installed_on__isnull=True)
                | Q(expires_on__isnull=True)
                | Q(expires_on__gt=models.F("installed_on")),
                name="equipment_expires_after_install",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("equipment:detail", kwargs={"uuid": self.uuid})

    @property
    def kind_data(self):
        return KINDS[self.kind]

    @property
    def place(self) -> str:
        parts = [str(self.risk_point) if self.risk_point_id else "", self.location]
        return " · ".join(p for p in parts if p)

    def past_life(self, today: dt.date | None = None) -> bool:
        return bool(self.expires_on and self.expires_on <= (today or timezone.localdate()))

    def inspection_overdue(self, today: dt.date | None = None) -> bool:
        return bool(self.next_inspection_on and self.next_inspection_on < (today or timezone.localdate()))


class Document(models.Model):
    uuid = models.UUIDField(default=uuid_lib.uuid4, unique=True, editable=False)
    equipment = models.ForeignKey(Equipment, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("title"), max_length=120)
    stored_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=80)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return self.title


class Visit(TenantModel):
    """An external maintenance visit or statutory inspection, with the contractor's report."""

    equipment = models.ForeignKey(Equipment, on_delete=models.CASCADE, related_name="visits")
    kind = models.CharField(_("kind"), max_length=20, choices=VisitKind.choices)
    visited_on = models.DateField(_("date"))
    contractor = models.CharField(_("contractor"), max_length=120)
    note = models.TextField(_("note"), blank=True)
    report = models.ForeignKey(Document, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    next_inspection_on = models.DateField(_("next statutory inspection"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-visited_on", "-id"]
        verbose_name = _("maintenance visit")
        verbose_name_plural = _("maintenance visits")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.visited_on}"


class Recorder(TenantModel):
    """A network video recorder (NVR). Its password is never stored: ``secret_env`` names the
    environment variable that holds it."""

    name = models.CharField(_("name"), max_length=80)
    adapter = models.CharField(_("how its retention is checked"), max_length=20, choices=Adapter.choices)
    base_url = models.URLField(_("address"), blank=True)
    username = models.CharField(_("user name"), max_length=60, blank=True)
    secret_env = models.CharField(_("password environment variable"), max_length=60, blank=True)
    live_url = models.URLField(_("live view link"), blank=True)
    retention_months = models.PositiveSmallIntegerField(_("months to keep"), default=3)
    checkpoint = models.OneToOneField(
        "inspections.Checkpoint", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["organization", "name"]
        verbose_name = _("video recorder")
        verbose_name_plural = _("video recorders")

    def __str__(self) -> str:
        return self.name


class CameraQuerySet(TenantQuerySet["Camera"]):
    def with_latest(self):
        """Each camera's latest retention check (result, day), in the same query."""
        latest = RetentionCheck.objects.filter(camera=models.OuterRef("pk")).order_by("-day")
        return self.annotate(
            latest_result=models.Subquery(latest.values("result")[:1]),
            latest_day=models.Subquery(latest.values("day")[:1]),
        )


class Camera(TenantModel):
    recorder = models.ForeignKey(Recorder, on_delete=models.PROTECT, related_name="cameras")
    channel = models.PositiveSmallIntegerField(_("channel"))
    name = models.CharField(_("name"), max_length=80)
    risk_point = models.ForeignKey(
        "risks.RiskPoint",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("place (risk point)"),
    )
    live_url = models.URLField(_("live view link"), blank=True)
    is_active = models.BooleanField(_("in use"), default=True)

    objects = CameraQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        ordering = ["organization", "recorder", "channel"]
        verbose_name = _("camera")
        verbose_name_plural = _("cameras")
        constraints = [models.UniqueConstraint(fields=["recorder", "channel"], name="camera_channel")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("equipment:camera", kwargs={"uuid": self.uuid})

    @property
    def latest_text(self) -> str:
        result = getattr(self, "latest_result", None)
        if not result and self.recorder.adapter == Adapter.MANUAL:
            return str(_("Checked by a person every month"))
        if not result:
            return str(_("Not checked yet"))
        return f"{getattr(self, 'latest_day', '')} {RetentionResult(result).label}"


class RetentionCheck(models.Model):
    """One camera's daily retention check: what the recorder said, and the verdict."""

    camera = models.ForeignKey(Camera, on_delete=models.CASCADE, related_name="checks")
    day = models.DateField()
    result = models.CharField(max_length=12, choices=RetentionResult.choices)
    oldest = models.DateTimeField(null=True, blank=True)
    gaps = models.PositiveIntegerField(default=0)
    detail = models.CharField(max_length=300, blank=True)
    checked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-day", "camera"]
        constraints = [models.UniqueConstraint(fields=["camera", "day"], name="retention_once_a_day")]

    def __str__(self) -> str:
        return f"{self.camera} {self.day} {self.result}"


class MaintenancePlan(TenantModel):
    """The inspection plan that generates one kind's check (e.g. extinguishers' monthly check) at an
    institution; every item of the kind is one of its checkpoints."""

    kind = models.CharField(max_length=30, choices=KIND_CHOICES)
    check_code = models.CharField(max_length=30)
    plan = models.OneToOneField("inspections.Plan", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "kind", "check_code"], name="maintenance_plan_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind}/{self.check_code}"
