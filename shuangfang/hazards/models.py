from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shuangfang.core import messages, origins
from shuangfang.core.tenancy import TenantModel, TenantQuerySet
from shuangfang.core.vocabulary import CheckCategory, HazardGrade

from .choices import OPEN_STATUSES, PhotoKind, Source, Status, Treatment


class HazardQuerySet(TenantQuerySet["Hazard"]):
    def open(self) -> HazardQuerySet:
        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self, today=None) -> HazardQuerySet:
        today = today or timezone.localdate()
        return self.filter(status__in=OPEN_STATUSES, deadline__lt=today)

    def for_list(self) -> HazardQuerySet:
        return self.select_related("organization", "department", "responsible", "reporter")


class Hazard(TenantModel):
    """A hazard (隐患) of one institution, from report to close. ``status`` moves only through
    :func:`shuangfang.hazards.workflow.transition`."""

    number = models.CharField(pgettext_lazy("hazard", "number"), max_length=20, editable=False)
    title = models.CharField(pgettext_lazy("hazard", "title"), max_length=120)
    # A system-made title as a message key and parameters (``core.messages``): shown in the reader's
    # language; ``title`` keeps the Chinese rendering (the fallback, and what people typed).
    title_msg = models.JSONField(default=dict, blank=True, editable=False)
    description = models.TextField(pgettext_lazy("hazard", "description"))
    location = models.CharField(pgettext_lazy("hazard", "location"), max_length=120, blank=True)
    risk_point = models.ForeignKey(
        "risks.RiskPoint",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="hazards",
        verbose_name=_("risk point"),
    )
    department = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("department"),
    )
    source = models.CharField(
        pgettext_lazy("hazard", "source"), max_length=20, choices=Source.choices, default=Source.SNAP
    )
    origin = models.CharField(_("origin"), max_length=80, blank=True, db_index=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.REPORTED, db_index=True
    )
    grade = models.CharField(_("grade"), max_length=10, choices=HazardGrade.choices, blank=True)
    category = models.CharField(
        pgettext_lazy("hazard", "category"), max_length=20, choices=CheckCategory.choices, blank=True
    )
    cause = models.TextField(_("cause"), blank=True)
    # 四个不放过: what was done against the cause, so the same hazard does not come back (required
    # to accept a hazard that was not fixed on the spot).
    preventive_measures = models.TextField(_("measures against the cause"), blank=True)
    # The major-hazard criterion (判定标准 situation) the hazard meets: the grade is then major, and
    # only the bureau's approval (the downgrade_* fields) lets it be graded otherwise. The row is of
    # one version of one standard: the hazard keeps the version it cited.
    criterion = models.ForeignKey(
        "criteria.Criterion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="hazards",
        verbose_name=_("major-hazard criterion"),
    )
    downgrade_reason = models.TextField(_("reason to downgrade"), blank=True)
    downgrade_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    downgrade_requested_at = models.DateTimeField(null=True, blank=True)
    downgrade_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("downgrade approved by"),
    )
    downgrade_approved_at = models.DateTimeField(_("downgrade approved at"), null=True, blank=True)
    treatment = models.CharField(_("treatment"), max_length=10, choices=Treatment.choices, blank=True)

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reported by"),
    )
    reported_at = models.DateTimeField(_("reported at"), default=timezone.now)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed by"),
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)

    # Rectification, and for a major hazard the five assurances (五落实).
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=pgettext_lazy("hazard", "responsible person"),
    )
    measures = models.TextField(_("rectification measures"), blank=True)
    deadline = models.DateField(_("deadline"), null=True, blank=True, db_index=True)
    funds = models.DecimalField(_("funds (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True)
    contingency_plan = models.TextField(_("contingency plan"), blank=True)
    interim_measures = models.TextField(_("interim safety measures"), blank=True)
    reported_to_bureau_at = models.DateTimeField(_("reported to the bureau at"), null=True, blank=True)

    fixed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("fixed by"),
    )
    fixed_at = models.DateTimeField(_("fixed at"), null=True, blank=True)
    fix_note = models.TextField(_("what was done"), blank=True)

    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("accepted by"),
    )
    accepted_at = models.DateTimeField(pgettext_lazy("hazard", "accepted at"), null=True, blank=True)
    acceptance_comment = models.TextField(_("acceptance comment"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, db_index=True)
    closed_on_time = models.BooleanField(_("closed on time"), null=True, blank=True)

    duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="duplicates",
        verbose_name=_("duplicate of"),
    )
    reject_reason = models.TextField(_("reason"), blank=True)

    extension_until = models.DateField(_("extension requested until"), null=True, blank=True)
    extension_reason = models.TextField(_("extension reason"), blank=True)
    extension_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    supervised = models.BooleanField(_("under bureau supervision"), default=False)
    supervision_deadline = models.DateField(_("supervision deadline"), null=True, blank=True)
    supervision_note = models.TextField(_("supervision requirements"), blank=True)
    supervised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("supervised by"),
    )

    # Reminder bookkeeping: the sweep claims each reminder once (conditional update).
    reminded_due_at = models.DateTimeField(null=True, blank=True, editable=False)
    reminded_overdue_at = models.DateTimeField(null=True, blank=True, editable=False)
    reminded_supervision_at = models.DateTimeField(null=True, blank=True, editable=False)

    updated_at = models.DateTimeField(auto_now=True)

    objects = HazardQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        ordering = ["-reported_at", "-id"]
        verbose_name = _("hazard")
        verbose_name_plural = _("hazards")
        constraints = [
            models.UniqueConstraint(fields=["organization", "number"], name="hazard_unique_number"),
            models.CheckConstraint(
                condition=~Q(status="closed") | Q(accepted_by__isnull=False),
                name="hazard_closed_needs_acceptor",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "status", "-reported_at"], name="hazard_org_status"),
            models.Index(fields=["responsible", "status"], name="hazard_responsible_status"),
            # The open hazards are a few per cent of all: the dashboards' open, overdue, major and
            # supervised figures and the deadline lists read them through this partial index.
            models.Index(
                fields=["organization", "deadline", "grade", "supervised"],
                condition=Q(status__in=OPEN_STATUSES),
                name="hazard_open",
            ),
            # Open major hazards, soonest deadline first (the big screen, the bureau's lists): a few
            # hundred rows in a city.
            models.Index(
                fields=["deadline", "id"],
                condition=Q(status__in=OPEN_STATUSES, grade=HazardGrade.MAJOR),
                name="hazard_open_major",
            ),
            # Lists newest first (the city-wide list): walk this and stop at the page's end, instead
            # of sorting every hazard in scope.
            models.Index(fields=["-reported_at", "-id"], name="hazard_recent"),
            # Statistics (stats.py) count from these alone (index-only scans): hazards reported in a
            # period by grade, category, source, status, department; and those closed in a period.
            models.Index(
                fields=[
                    "organization",
                    "reported_at",
                    "status",
                    "grade",
                    "category",
                    "source",
                    "department",
                    "deadline",
                ],
                name="hazard_stats",
            ),
            models.Index(
                fields=["organization", "closed_at", "closed_on_time", "reported_at"],
                condition=Q(closed_at__isnull=False),
                name="hazard_closing",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.shown_title}"

    @property
    def shown_origin(self):
        """The record it came from in words, with a link (``core.origins``); None when unknown."""
        return origins.resolve(self.origin)

    @property
    def shown_title(self) -> str:
        """The title in the reader's language (system-made titles), else as stored."""
        return messages.render(self.title_msg, self.title)

    def get_absolute_url(self) -> str:
        return reverse("hazards:detail", args=[self.uuid])

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def effective_deadline(self):
        return self.deadline

    def is_overdue(self, today=None) -> bool:
        return self.overdue_on(self.status, self.deadline, today)

    @staticmethod
    def overdue_on(status: str, deadline: dt.date | None, today: dt.date | None = None) -> bool:
        """Whether a hazard in ``status`` with ``deadline`` is overdue (for rows read as values)."""
        if status not in OPEN_STATUSES or deadline is None:
            return False
        return deadline < (today or timezone.localdate())

    @property
    def criterion_binds(self) -> bool:
        """It cites a criterion and the bureau has not approved grading it otherwise."""
        return self.criterion_id is not None and self.downgrade_approved_at is None

    @property
    def downgrade_pending(self) -> bool:
        return self.downgrade_requested_at is not None and self.downgrade_approved_at is None

    @property
    def plan_missing(self) -> list[str]:
        """Which of the five assurances (五落实) are still missing."""
        from .workflow import PLAN_FIELDS

        return [f for f in PLAN_FIELDS if getattr(self, f) in (None, "")]


class HazardCounter(models.Model):
    """Last number used per institution and year; incremented under a row lock (race-safe)."""

    organization = models.ForeignKey("orgs.Organization", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "year"], name="hazard_counter_unique")]

    def __str__(self) -> str:
        return f"{self.organization_id}/{self.year}: {self.last}"


class HazardMonth(models.Model):
    """Hazard counts per institution and calendar month (Asia/Shanghai), kept by
    :mod:`shuangfang.hazards.counts` in the transaction of each report and move, so figures over all
    history (closed, closed on time, the monthly trend) do not count a million rows.

    ``reported``: reported that month and not rejected or a duplicate; ``still_open``: of those,
    still open; ``closed`` / ``closed_on_time``: closed that month (on time)."""

    organization = models.ForeignKey("orgs.Organization", on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    reported = models.IntegerField(default=0)
    still_open = models.IntegerField(default=0)
    closed = models.IntegerField(default=0)
    closed_on_time = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "month"], name="hazard_month_unique")]

    def __str__(self) -> str:
        return f"{self.organization_id}/{self.month:%Y-%m}"


class HazardPhoto(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    hazard = models.ForeignKey(Hazard, on_delete=models.CASCADE, related_name="photos")
    kind = models.CharField(_("kind"), max_length=10, choices=PhotoKind.choices)
    original = models.CharField(max_length=255)
    display = models.CharField(max_length=255)
    thumb = models.CharField(max_length=255)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # Evidence (core.photos): when the photo was taken; where only if the person allowed it.
    taken_at = models.DateTimeField(_("taken at"), null=True, blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.hazard_id} {self.kind}"


class HazardEvent(models.Model):
    """One row per move, comment or photo: the timeline, the audit evidence, and the outbox
    (``kind`` names the ``hazard.*`` event published, if any)."""

    hazard = models.ForeignKey(Hazard, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=30)
    from_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    published = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.hazard_id} {self.action}"

    @property
    def label(self) -> str:
        from .workflow import ACTION_LABELS

        return str(ACTION_LABELS.get(self.action, self.action))
