"""Duty roster (值班表): shifts with a rotation of people, one-day overrides (swaps), and the
handover log (交接班) signed by the person handing over and the person taking over.

Who is on duty is computed, not stored: shift ``S`` starting on local date ``D`` is held by
``members[((D - rotation_start).days // days_per_turn) % len(members)]`` unless an override names
someone else for ``(S, D)``.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shuangfang.core.tenancy import TenantModel


class Shift(TenantModel):
    name = models.CharField(_("shift"), max_length=40)
    post = models.ForeignKey(
        "orgs.Post",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("post"),
        help_text=_("Escalation steps 'whoever is on duty for a post' use this."),
    )
    start_time = models.TimeField(_("starts at"))
    duration_minutes = models.PositiveIntegerField(_("length (minutes)"), default=12 * 60)
    rotation_start = models.DateField(_("rotation starts on"))
    days_per_turn = models.PositiveSmallIntegerField(_("days per turn"), default=1)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["organization", "start_time", "name"]
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="duty_shift_unique_name"),
            models.CheckConstraint(
                condition=models.Q(duration_minutes__gt=0, duration_minutes__lte=48 * 60),
                name="duty_shift_duration_range",
            ),
            models.CheckConstraint(condition=models.Q(days_per_turn__gt=0), name="duty_shift_turn_positive"),
        ]

    def __str__(self) -> str:
        return self.name

    def window(self, day: dt.date, tz) -> tuple[dt.datetime, dt.datetime]:
        start = dt.datetime.combine(day, self.start_time, tzinfo=tz)
        return start, start + dt.timedelta(minutes=self.duration_minutes)


class ShiftMember(models.Model):
    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["shift", "position"]
        constraints = [
            models.UniqueConstraint(fields=["shift", "position"], name="duty_member_unique_position"),
        ]

    def __str__(self) -> str:
        return f"{self.shift_id}#{self.position}"


class Override(TenantModel):
    """One occurrence of a shift held by someone else (a swap or a stand-in)."""

    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="overrides")
    day = models.DateField(_("date"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("on duty")
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-day"]
        verbose_name = _("override")
        verbose_name_plural = _("overrides")
        constraints = [models.UniqueConstraint(fields=["shift", "day"], name="duty_override_one_per_day")]

    def __str__(self) -> str:
        return f"{self.shift} {self.day:%Y-%m-%d}"


class HandoverStatus(models.TextChoices):
    DRAFT = "draft", _("Written, waiting for the next shift")
    SIGNED = "signed", _("Signed by both")


class Handover(TenantModel):
    """What passes from one shift to the next. The outgoing person writes and signs it; the
    incoming person signs to take over. Signed entries cannot be changed."""

    shift = models.ForeignKey(
        Shift, on_delete=models.PROTECT, related_name="handovers", verbose_name=_("shift ending")
    )
    day = models.DateField(_("date"))
    from_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("handed over by")
    )
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("taken over by")
    )
    open_alarms = models.TextField(_("open alarms"), blank=True)
    open_hazards = models.TextField(_("open hazards"), blank=True)
    missed_patrol = models.TextField(_("missed patrol points"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=HandoverStatus.choices, default=HandoverStatus.DRAFT
    )
    from_signed_at = models.DateTimeField(_("signed (outgoing)"))
    to_signed_at = models.DateTimeField(_("signed (incoming)"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-from_signed_at"]
        verbose_name = _("handover")
        verbose_name_plural = _("handovers")

    def __str__(self) -> str:
        return f"{self.shift} {self.day:%Y-%m-%d}"
