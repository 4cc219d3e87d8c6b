"""QR posters (one per institution and per risk point) and the reports visitors send from them
without an account, with their photos (checked, EXIF removed)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shuangfang.core.tenancy import TenantModel

from .choices import RejectReason, Status


class Poster(TenantModel):
    """A QR poster of an institution (``risk_point`` empty) or of one of its risk points. Its
    ``code`` is what the QR code holds; switching it off makes the code answer with a clear page."""

    risk_point = models.ForeignKey(
        "risks.RiskPoint",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("risk point"),
    )
    code = models.CharField(_("poster code"), max_length=12, unique=True, editable=False)
    is_active = models.BooleanField(_("on"), default=True)
    switched_off_at = models.DateTimeField(_("switched off at"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["organization", "risk_point__code"]
        verbose_name = _("QR poster")
        verbose_name_plural = _("QR posters")
        constraints = [
            models.UniqueConstraint(fields=["organization", "risk_point"], name="poster_once_per_point"),
            models.UniqueConstraint(
                fields=["organization"],
                condition=models.Q(risk_point__isnull=True),
                name="poster_once_per_institution",
            ),
        ]

    def __str__(self) -> str:
        return self.place or self.organization.name

    @property
    def place(self) -> str:
        """The place the poster hangs at, as printed on it (empty: the institution as a whole)."""
        return self.risk_point.name if self.risk_point_id and self.risk_point else ""

    def get_public_url(self) -> str:
        return reverse("publicreports:report", args=[self.code])


class PublicReport(TenantModel):
    """What a visitor reported from a poster. ``follow_code`` is the visitor's only key to it."""

    poster = models.ForeignKey(
        Poster, on_delete=models.PROTECT, related_name="reports", verbose_name=_("QR poster")
    )
    follow_code = models.CharField(_("follow-up code"), max_length=12, unique=True, editable=False)
    text = models.TextField(_("what the visitor saw"), blank=True)
    phone = models.CharField(_("phone (optional)"), max_length=20, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.RECEIVED)
    reject_reason = models.CharField(_("reason"), max_length=20, choices=RejectReason.choices, blank=True)
    note = models.TextField(_("officer's note"), blank=True)
    hazard = models.ForeignKey(
        "hazards.Hazard",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("hazard"),
    )
    duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="duplicates",
        verbose_name=_("duplicate of"),
    )
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # A keyed hash of the sender's address (never the address itself): spotting a flood afterwards.
    sender = models.CharField(max_length=16, blank=True, editable=False)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("public report")
        verbose_name_plural = _("public reports")
        indexes = [
            # The triage queue: an institution's reports by status, newest first.
            models.Index(fields=["organization", "status", "-received_at"], name="publicreport_queue"),
        ]

    def __str__(self) -> str:
        return f"{self.poster} {timezone.localtime(self.received_at):%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("publicreports:detail", args=[self.uuid])

    @property
    def shown_follow_code(self) -> str:
        return f"{self.follow_code[:5]}-{self.follow_code[5:]}"


class PublicPhoto(models.Model):
    """A visitor's photo, re-encoded without its EXIF block (GPS, camera, any text hidden in it)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    report = models.ForeignKey(PublicReport, on_delete=models.CASCADE, related_name="photos")
    original = models.CharField(max_length=255)
    display = models.CharField(max_length=255)
    thumb = models.CharField(max_length=255)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.display
