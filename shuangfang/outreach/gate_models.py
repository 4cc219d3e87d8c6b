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
    arrived_at = models.DateTimeField(_("in"))
    left_at = models.DateTimeField(_("out"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = TenantQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        ordering = ["-arrived_at"]
        verbose_name = _("visit")

    def __str__(self) -> str:
        return self.visitor
