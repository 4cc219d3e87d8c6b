"""Street outreach (街面巡查): patrols of a relief station and the people they meet.

Encounters hold sensitive personal data (a description, a photo taken only with consent): seen only
through relief-station memberships, like relief casework (docs/outreach.md)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shuangfang.core.tenancy import TenantModel, TenantQuerySet

from .choices import Action, Need

USER = settings.AUTH_USER_MODEL


class Patrol(TenantModel):
    """One patrol: started and ended on a phone. Open while ``ended_at`` is empty."""

    team = models.CharField(_("team"), max_length=120)
    vehicle = models.CharField(_("vehicle"), max_length=40, blank=True)
    started_at = models.DateTimeField(_("started at"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    started_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    note = models.CharField(_("note"), max_length=200, blank=True)
    # The patrol plan's task this patrol did (a patrol started in the task's window by its assignee).
    task = models.OneToOneField(
        "inspections.Task", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = TenantQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("patrol")

    def __str__(self) -> str:
        return f"{self.team} {self.started_at:%Y-%m-%d %H:%M}"


class Encounter(TenantModel):
    """A person met on a patrol. Place typed and/or the phone's position; both optional."""

    patrol = models.ForeignKey(Patrol, on_delete=models.PROTECT, related_name="encounters")
    at = models.DateTimeField(_("time"))
    place = models.CharField(_("place"), max_length=120, blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    description = models.CharField(_("description of the person"), max_length=200, blank=True)
    photo = models.CharField(max_length=200, blank=True, editable=False)
    photo_consent = models.BooleanField(_("the person agreed to a photo"), default=False)
    need = models.CharField(_("need"), max_length=20, choices=Need.choices, default=Need.NONE)
    action = models.CharField(pgettext_lazy("patrol", "action"), max_length=20, choices=Action.choices)
    supplies = models.CharField(_("supplies handed out"), max_length=200, blank=True)
    relief_case = models.UUIDField(null=True, blank=True, editable=False)
    anonymised_at = models.DateTimeField(null=True, blank=True, editable=False)
    logged_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    objects = TenantQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        ordering = ["at"]
        verbose_name = _("encounter")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.place}"


from .campaign_models import Campaign  # noqa: E402,F401
from .gate_models import ClosedPeriod, StaffCheck, Visit  # noqa: E402,F401
from .plan_models import PatrolPlan, RoutePoint  # noqa: E402,F401
from .register_models import AtRiskPerson, RegisterMatch, Revisit  # noqa: E402,F401
