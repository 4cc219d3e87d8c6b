import re
import uuid

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .tenancy import TenantQuerySet


class AuditQuerySet(TenantQuerySet["AuditEntry"]):
    def for_object(self, obj: models.Model) -> "AuditQuerySet":
        return self.filter(content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk))


class AuditEntry(models.Model):
    """Who changed what, when, with the values before and after. Written by services only."""

    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("by")
    )
    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("organisation"),
    )
    action = models.CharField(_("action"), max_length=60)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(_("object"), max_length=200)
    changes = models.JSONField(_("changes"), default=dict)
    note = models.TextField(_("note"), blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")
        indexes = [
            models.Index(fields=["content_type", "object_id"], name="audit_object"),
            models.Index(fields=["organization", "-created_at"], name="audit_org_time"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"

    def change_rows(self) -> list[tuple[str, str, str]]:
        """(field label, before, after) in words, with the model's verbose field names."""
        from .audit import change_rows

        return change_rows(self.content_type.model_class(), self.changes)

    @property
    def shown_object(self) -> str:
        """What was changed; rows written before the model had a name read "Override object (1)":
        those show the kind of object instead."""
        if re.search(r" object \(\d+\)$", self.object_repr):
            model = self.content_type.model_class()
            return str(model._meta.verbose_name) if model is not None else ""
        return self.object_repr

    @property
    def changes_text(self) -> str:
        return "; ".join(f"{k}: {b} → {a}" for k, b, a in self.change_rows())

    @property
    def action_label(self) -> str:
        from .audit import action_label

        return action_label(self.action)


class OutboxQuerySet(models.QuerySet["OutboxEvent"]):
    def pending(self) -> "OutboxQuerySet":
        return self.filter(processed_at__isnull=True, failed_at__isnull=True)

    def failed(self) -> "OutboxQuerySet":
        return self.filter(processed_at__isnull=True, failed_at__isnull=False)


class OutboxEvent(models.Model):
    """One event for one consumer (``shuangfang/events.py``), written in the transaction of the
    change that caused it and done by the worker (``core.outbox``). Kept after it is done, for the
    operations page, until ``outbox_prune`` removes old done rows."""

    kind = models.CharField(_("event"), max_length=60)
    consumer = models.CharField(_("consumer"), max_length=120)
    payload = models.JSONField(_("payload"))
    origin_key = models.CharField(_("origin"), max_length=160)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    last_error = models.TextField(_("last error"), blank=True)
    processed_at = models.DateTimeField(_("done"), null=True, blank=True)
    failed_at = models.DateTimeField(_("given up"), null=True, blank=True)

    objects = OutboxQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = _("outbox event")
        verbose_name_plural = _("outbox events")
        constraints = [
            models.UniqueConstraint(fields=["kind", "consumer", "origin_key"], name="outbox_once"),
        ]
        indexes = [
            # The worker's only query: what is due, oldest first. Done and given-up rows are not in it.
            models.Index(
                fields=["next_attempt_at", "id"],
                name="outbox_due",
                condition=models.Q(processed_at__isnull=True, failed_at__isnull=True),
            ),
            models.Index(
                fields=["failed_at"],
                name="outbox_failed",
                condition=models.Q(processed_at__isnull=True, failed_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.consumer} ({self.origin_key})"

    @property
    def state(self) -> str:
        if self.processed_at:
            return "done"
        return "failed" if self.failed_at else "pending"


class ScheduledRun(models.Model):
    """A periodic job's run for one schedule slot (``core.schedule``): the unique pair is the claim
    that makes two schedulers run it once."""

    name = models.CharField(max_length=120)
    slot = models.DateTimeField()
    started_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["name", "slot"], name="scheduled_run_once")]

    def __str__(self) -> str:
        return f"{self.name} @ {self.slot:%Y-%m-%d %H:%M}"


class Job(models.Model):
    """Long work a person asked for (a big export, a report), done by a worker while the page shows
    its progress (``core.jobs``). The file it makes is kept ``JOB_KEEP_DAYS`` days."""

    QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
    STATES = [
        (QUEUED, pgettext_lazy("job", "Waiting")),
        (RUNNING, pgettext_lazy("job", "Running")),
        (DONE, pgettext_lazy("job", "Done")),
        (FAILED, pgettext_lazy("job", "Failed")),
    ]

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("requested by")
    )
    organization = models.ForeignKey(
        settings.ORGANIZATION_MODEL, on_delete=models.CASCADE, related_name="+", null=True
    )
    title = models.CharField(_("title"), max_length=200)
    path = models.CharField(max_length=2000)  # the page's URL with its filters, replayed by the worker
    # A registered task (``core.jobs.TASKS``) instead of a replayed page: its name, its arguments,
    # the file it reads (an import's workbook), the page it leads to and what it reports (row errors).
    task = models.CharField(max_length=100, blank=True)
    params = models.JSONField(default=dict, blank=True)
    input = models.FileField(upload_to="jobs/in/%Y/%m/", blank=True)
    result_url = models.CharField(max_length=2000, blank=True)
    result = models.JSONField(default=dict, blank=True)
    language = models.CharField(max_length=10, default="zh-hans")
    status = models.CharField(_("status"), max_length=10, choices=STATES, default=QUEUED)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to="jobs/%Y/%m/", blank=True)
    filename = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")

    def __str__(self) -> str:
        return self.title

    @property
    def percent(self) -> int:
        if self.status == self.DONE:
            return 100
        return min(99, int(100 * self.done / self.total)) if self.total else 0

    @property
    def finished(self) -> bool:
        return self.status in (self.DONE, self.FAILED)


class Submission(models.Model):
    """A form sent with an idempotency key (the phone's outbox, docs/field-app.md): the first
    answer is kept, a replay of the same key by the same person with the same payload gets it back,
    anything else under that key is refused. Written only by ``core.submissions``."""

    key = models.UUIDField(unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=40)
    digest = models.CharField(max_length=64)  # sha256 of the fields and the files' bytes
    result_url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("submission")

    def __str__(self) -> str:
        return f"{self.kind} {self.key}"
