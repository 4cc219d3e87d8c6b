"""Notifications: contacts, providers, escalation policies, incidents, messages and deliveries.

Due work lives in columns: ``Incident.next_escalation_at`` and ``Delivery.next_attempt_at``. Sweeps
claim due rows with ``SELECT … FOR UPDATE SKIP LOCKED`` (PostgreSQL) inside a transaction that also
writes the step's results, so a worker dying mid-step loses nothing and two workers never run the
same step.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shuangfang.core import messages
from shuangfang.core.tenancy import TenantModel
from shuangfang.core.vocabulary import Severity
from shuangfang.orgs.roles import Role

from .choices import Channel, ContactKind, DeliveryStatus, IncidentStatus, ProviderKind, StepTarget


class Contact(models.Model):
    """A person's phone or email address, usable once verified with a code sent to it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="contacts")
    kind = models.CharField(_("kind"), max_length=10, choices=ContactKind.choices)
    address = models.CharField(_("address"), max_length=120)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    code_hash = models.CharField(max_length=64, blank=True)
    code_sent_at = models.DateTimeField(null=True, blank=True)
    code_attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["user", "kind"]
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="notif_contact_one_per_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.address}"


class Preference(models.Model):
    """Quiet hours (local time) for low-severity messages; alarms ignore them."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    quiet_start = models.TimeField(_("quiet from"), null=True, blank=True)
    quiet_end = models.TimeField(_("quiet until"), null=True, blank=True)
    channels = models.JSONField(_("channels for ordinary messages"), default=list, blank=True)

    def __str__(self) -> str:
        return f"{self.user_id}: {self.quiet_start}–{self.quiet_end}"


class Provider(TenantModel):
    """An institution's account with an SMS/voice provider, a group robot or a webhook. The secret
    comes from an environment variable (``secret_env``) or is stored sealed; it is never shown back."""

    kind = models.CharField(_("kind"), max_length=20, choices=ProviderKind.choices)
    name = models.CharField(_("name"), max_length=60)
    endpoint = models.URLField(
        _("endpoint"), max_length=300, blank=True, help_text=_("Empty: the provider's public API.")
    )
    access_key = models.CharField(_("access key ID / robot key"), max_length=200, blank=True)
    secret_sealed = models.TextField(blank=True, editable=False)
    secret_env = models.CharField(_("secret from environment variable"), max_length=80, blank=True)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    min_severity = models.CharField(
        _("lowest severity sent"), max_length=10, choices=Severity.choices, default=Severity.INFO
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organization", "kind", "name"]
        verbose_name = _("message provider")
        verbose_name_plural = _("message providers")

    def __str__(self) -> str:
        return self.name


class EscalationPolicy(TenantModel):
    name = models.CharField(_("name"), max_length=80)
    event_kind = models.CharField(
        _("event kinds"), max_length=60, default="*", help_text=_("A pattern such as alarm.* or *.")
    )
    min_severity = models.CharField(
        _("lowest severity"), max_length=10, choices=Severity.choices, default=Severity.INFO
    )
    repeat = models.PositiveSmallIntegerField(_("repeat the chain (times)"), default=2)
    priority = models.PositiveSmallIntegerField(
        _("priority"), default=100, help_text=_("Lower is tried first.")
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["organization", "priority", "name"]
        verbose_name = _("escalation policy")
        verbose_name_plural = _("escalation policies")

    def __str__(self) -> str:
        return self.name


class EscalationStep(models.Model):
    policy = models.ForeignKey(EscalationPolicy, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField()
    target = models.CharField(_("notify"), max_length=10, choices=StepTarget.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices, blank=True)
    post = models.ForeignKey("orgs.Post", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    channels = models.JSONField(_("channels"), default=list)
    wait_minutes = models.PositiveIntegerField(_("then wait (minutes)"), default=5)

    class Meta:
        ordering = ["policy", "position"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "position"], name="notif_step_unique_position")
        ]

    def __str__(self) -> str:
        return f"{self.policy_id}#{self.position} {self.target}"


class Incident(TenantModel):
    kind = models.CharField(_("kind"), max_length=60)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    title = models.CharField(_("title"), max_length=200)
    # A system-made title as a message key and parameters (``core.messages``): shown in the reader's
    # language; ``title`` keeps the Chinese rendering (the fallback, and what people typed).
    title_msg = models.JSONField(default=dict, blank=True, editable=False)
    url = models.CharField(_("link"), max_length=300, blank=True)
    source_kind = models.CharField(max_length=30)
    source_uuid = models.CharField(max_length=64)
    status = models.CharField(
        _("status"), max_length=15, choices=IncidentStatus.choices, default=IncidentStatus.OPEN
    )
    policy_name = models.CharField(_("escalation policy"), max_length=80, blank=True)
    policy_snapshot = models.JSONField(default=dict)
    step_index = models.PositiveSmallIntegerField(default=0)
    round = models.PositiveSmallIntegerField(default=0)
    next_escalation_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("acknowledged by"),
    )
    acknowledged_via = models.CharField(_("acknowledged via"), max_length=20, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        ordering = ["-opened_at"]
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        indexes = [
            models.Index(
                fields=["next_escalation_at"],
                name="notif_incident_due",
                condition=Q(next_escalation_at__isnull=False),
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["source_kind", "source_uuid"],
                condition=~Q(status="resolved"),
                name="notif_incident_one_open_per_source",
            )
        ]

    def __str__(self) -> str:
        return self.shown_title

    @property
    def shown_title(self) -> str:
        """The title in the reader's language (system-made titles), else as stored."""
        return messages.render(self.title_msg, self.title)


class Notification(TenantModel):
    """One message to one person (or, with no recipient, to a group channel)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("to"),
    )
    kind = models.CharField(_("kind"), max_length=60)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, default=Severity.INFO)
    title = models.CharField(_("title"), max_length=200)
    # A system-made title as a message key and parameters (``core.messages``): shown in the reader's
    # language; ``title`` keeps the Chinese rendering (the fallback, and what people typed).
    title_msg = models.JSONField(default=dict, blank=True, editable=False)
    url = models.CharField(_("link"), max_length=300, blank=True)
    incident = models.ForeignKey(
        Incident, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    step = models.SmallIntegerField(null=True, blank=True)
    # The outbox event this message came from (``shuangfang/events.py``): telling people about
    # one event twice is refused (see ``services.notify``).
    origin = models.CharField(max_length=160, blank=True, default="")
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notif_inbox"),
            models.Index(fields=["origin"], name="notif_origin", condition=~models.Q(origin="")),
        ]

    def __str__(self) -> str:
        return self.shown_title

    @property
    def shown_title(self) -> str:
        """The title in the reader's language (system-made titles), else as stored."""
        return messages.render(self.title_msg, self.title)


class Delivery(TenantModel):
    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(
        pgettext_lazy("notification", "channel"), max_length=10, choices=Channel.choices
    )
    provider = models.ForeignKey(
        Provider,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("provider"),
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    first_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(_("error"), max_length=500, blank=True)
    provider_ref = models.CharField(max_length=100, blank=True)
    extra = models.JSONField(default=dict, blank=True)  # one-off template values (a verification code)
    fallback_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="notif_delivery_due",
                condition=Q(status__in=["queued", "sending"]),
            ),
            models.Index(fields=["organization", "-created_at"], name="notif_delivery_org"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.address}"


class MessageTemplate(models.Model):
    """Message text per event kind and channel (``string.Template`` with $title, $org, $link,
    $severity, $code). The most specific kind pattern wins; seeded rows carry their source and an
    English text (``subject_en``/``body_en``) for recipients who read English."""

    kind = models.CharField(_("event kinds"), max_length=60)
    channel = models.CharField(
        pgettext_lazy("notification", "channel"), max_length=10, choices=Channel.choices
    )
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    subject_en = models.CharField(_("subject (English)"), max_length=200, blank=True)
    body = models.TextField(_("text"))
    body_en = models.TextField(_("text (English)"), blank=True)
    source = models.CharField(_("source"), max_length=200, blank=True)

    class Meta:
        ordering = ["channel", "kind"]
        constraints = [models.UniqueConstraint(fields=["kind", "channel"], name="notif_template_unique")]

    def __str__(self) -> str:
        return f"{self.kind} / {self.channel}"
