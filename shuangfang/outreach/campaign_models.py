"""Seasonal campaigns (专项行动, domain-reference §5.7) set by a bureau for the stations under it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shuangfang.core.tenancy import TenantModel, TenantQuerySet

from .choices import CampaignKind


class Campaign(TenantModel):
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=10, choices=CampaignKind.choices)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    key_areas = models.TextField(_("key areas (one a line)"), blank=True)
    patrols_per_week = models.PositiveSmallIntegerField(_("patrols per week (target)"), default=0)
    # Each station's extreme-weather night-patrol plan gives the nights (one task a night); 0 = no target.
    night_patrols_per_weather_night = models.PositiveSmallIntegerField(
        _("night patrols per extreme-weather night (target)"), default=1
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = TenantQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        ordering = ["-starts_on"]
        verbose_name = _("campaign")

    def __str__(self) -> str:
        return self.name

    def areas(self) -> list[str]:
        return [a.strip() for a in self.key_areas.splitlines() if a.strip()]
