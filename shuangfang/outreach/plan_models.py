"""Patrol plans (the inspection plans' scheduling: a missed patrol is a missed task) and the route a
patrol's phone recorded while the patrol page was open."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shuangfang.core.tenancy import TenantModel, TenantQuerySet

from .choices import PatrolPlanKind, Weather


class PatrolPlan(TenantModel):
    """One inspection plan of a station that generates its patrol tasks: the daily patrol, or the
    night patrols of an extreme-weather period (the plan's dates are the period's)."""

    kind = models.CharField(_("kind"), max_length=20, choices=PatrolPlanKind.choices)
    weather = models.CharField(_("weather"), max_length=10, choices=Weather.choices, blank=True)
    plan = models.OneToOneField("inspections.Plan", on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("patrol plan")

    def __str__(self) -> str:
        return self.plan.name


class RoutePoint(models.Model):
    """Where the patrol was: the phone's position (sent while the page is open) or a typed place."""

    patrol = models.ForeignKey("outreach.Patrol", on_delete=models.CASCADE, related_name="route")
    at = models.DateTimeField(_("time"))
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    accuracy_m = models.PositiveIntegerField(null=True, blank=True)
    place = models.CharField(_("place"), max_length=120, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("route point")

    def __str__(self) -> str:
        return self.place or f"{self.latitude}, {self.longitude}"
