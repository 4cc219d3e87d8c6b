"""Webhook subscriptions (an institution's or a bureau's URL for chosen event kinds) and the log of
every delivery: attempts, answers, when it was delivered or given up."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shuangfang.core.tenancy import TenantModel


class Subscription(TenantModel):
    url = models.URLField(_("URL"), max_length=500)
    kinds = models.JSONField(_("event kinds"), default=list)
    secret = models.TextField(editable=False)  # sealed (notifications.sealing)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    last_success_at = models.DateTimeField(_("last delivered"), null=True, blank=True)
    failing_since = models.DateTimeField(_("failing since"), null=True, blank=True)
    disabled_at = models.DateTimeField(_("switched off at"), null=True, blank=True)
    disabled_reason = models.TextField(_("why it was switched off"), blank=True)

    class Meta:
        ordering = ["organization", "url"]
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")

    def __str__(self) -> str:
        return self.url

    def get_absolute_url(self) -> str:
        return reverse("webhooks:detail", args=[self.uuid])


class Delivery(models.Model):
    """One event for one subscription. Never deleted when it fails: retried with backoff until
    delivered, or until the address is refused (SSRF guard); a switched-off subscription keeps its
    pending deliveries for when it is switched on again."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="deliveries")
    kind = models.CharField(_("event"), max_length=60)
    origin = models.CharField(max_length=200)
    body = models.JSONField()
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    last_code = models.PositiveSmallIntegerField(_("last answer"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    gave_up_at = models.DateTimeField(_("given up at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["subscription", "origin"], name="webhook_delivery_once"),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(delivered_at__isnull=True, gave_up_at__isnull=True),
                name="webhook_delivery_due",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.subscription_id}"


class MemRecord(models.Model):
    """The regulator upload's view of one record (an institution, risk point, hazard factor,
    control measure or hazard): the digest of its last queued body, and when the receiver last
    accepted it. A record is queued again only when its body changed (idempotent resend), and a
    child is sent only once every parent it names was accepted (the order of dependencies)."""

    entity = models.CharField(_("entity"), max_length=10)
    key = models.CharField(max_length=64)
    digest = models.CharField(max_length=64)
    deleted = models.BooleanField(default=False)
    queued_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    last_body = models.JSONField(default=dict)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["entity", "key"], name="mem_record_once")]

    def __str__(self) -> str:
        return f"{self.entity}:{self.key}"


class MemUpload(models.Model):
    """One change of one record to upload (the outbox of changes): its body, the parents it needs
    at the receiver first, attempts and answers. Kept as the log of what was sent and answered; a
    change not yet sent when a newer one of the same record is queued is marked superseded."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    entity = models.CharField(_("entity"), max_length=10)
    rank = models.PositiveSmallIntegerField()  # the order of dependencies: parents first
    key = models.CharField(_("record"), max_length=64)
    body = models.JSONField()
    digest = models.CharField(max_length=64)
    depends = models.JSONField(default=list)  # ["unit:<uuid>", …]
    created_at = models.DateTimeField(_("queued at"), default=timezone.now)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    last_code = models.PositiveSmallIntegerField(_("last answer"), null=True, blank=True)
    last_answer = models.TextField(_("answer or error"), blank=True)
    sent_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    superseded_at = models.DateTimeField(_("superseded at"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(
                fields=["rank", "next_attempt_at"],
                condition=models.Q(sent_at__isnull=True, superseded_at__isnull=True),
                name="mem_upload_due",
            )
        ]

    def __str__(self) -> str:
        return f"{self.entity}:{self.key}"
