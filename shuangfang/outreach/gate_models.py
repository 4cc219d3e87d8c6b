"""The gate and visitor log (门卫登记) of a relief station."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shuangfang.core.tenancy import TenantModel, TenantQuerySet


class Visit(TenantModel):
    visitor = models.CharField(_("visitor"), max_length=60)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    purpose = models.CharField(_("purpose"), max_length=120)
    visiting = models.CharField(_("whom they visit"), max_length=60, blank=True)
    health_check = models.CharField(_("health check at the gate"), max_length=120, blank=True)
    closed_period = models.ForeignKey(
        "outreach.ClosedPeriod", on_delete=models.PROTECT, null=True, blank=True, related_name="visits"
    )
    arrived_at = models.DateTimeField(_("in"))
    left_at = models.DateTimeField(_("out"), null=True, blank=True)
    anonymised_at = models.DateTimeField(null=True, blank=True, editable=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = TenantQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        ordering = ["-arrived_at"]
        verbose_name = _("visit")

    def __str__(self) -> str:
        return self.visitor


class ClosedPeriod(TenantModel):
    """A closed-management period (封闭式管理) of a station with its rules, from its start until
    it is ended. At most one is running at a time (``ended_at`` empty)."""

    reason = models.CharField(_("reason"), max_length=200)
    started_at = models.DateTimeField(_("from"))
    ended_at = models.DateTimeField(_("until"), null=True, blank=True)
    stop_visitors = models.BooleanField(_("visitors stopped"), default=True)
    staff_health_check = models.BooleanField(_("staff health check at the gate each day"), default=True)
    medical_first = models.BooleanField(_("new entrants: medical check first"), default=True)
    duty_24h = models.BooleanField(_("24-hour duty"), default=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = TenantQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("closed-management period")

    def __str__(self) -> str:
        return self.reason


class StaffCheck(TenantModel):
    """A staff member's health check at the gate on a day of a closed-management period."""

    period = models.ForeignKey(ClosedPeriod, on_delete=models.PROTECT, related_name="checks")
    person = models.CharField(_("staff member"), max_length=60)
    day = models.DateField(_("day"))
    result = models.CharField(_("result"), max_length=120)
    fit = models.BooleanField(_("fit to work"), default=True)
    at = models.DateTimeField(_("time"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = TenantQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        ordering = ["-at"]
        verbose_name = _("staff health check")
        constraints = [
            models.UniqueConstraint(fields=["period", "person", "day"], name="outreach_staff_check_once")
        ]
