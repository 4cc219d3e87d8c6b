"""Checklists, the item library, checkpoints, plans (recurrence rule as data), tasks and records."""

from __future__ import annotations

import uuid as uuid_lib

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shuangfang.core import origins, seedtext
from shuangfang.core.tenancy import TenantModel, TenantQuerySet
from shuangfang.core.vocabulary import SIX_CHECK_CHOICES, HazardGrade

from .choices import (
    ITEM_ORIGIN,
    AssigneeKind,
    CalendarKind,
    ChecklistKind,
    Frequency,
    Result,
    TaskStatus,
)


class LibraryItem(models.Model):
    """A seeded check item (domain-reference §4.7) with its basis; tenants copy it into checklists."""

    code = models.CharField(_("code"), max_length=12, unique=True)
    category = models.CharField(_("category"), max_length=20, choices=SIX_CHECK_CHOICES)
    text = models.CharField(_("what to check"), max_length=300)
    text_en = models.CharField(_("what to check (English)"), max_length=300, blank=True)
    basis = models.CharField(_("basis"), max_length=200, blank=True)
    check_method = models.CharField(_("how to check"), max_length=200, blank=True)
    default_grade = models.CharField(
        _("grade if failed"), max_length=10, choices=HazardGrade.choices, blank=True
    )
    requires_photo = models.BooleanField(_("photo required"), default=False)
    criterion_code = models.CharField(_("major-hazard criterion code"), max_length=60, blank=True)
    source = models.CharField(_("source"), max_length=120, blank=True)
    confidence = models.CharField(_("confidence"), max_length=20, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("library item")
        verbose_name_plural = _("item library")

    def __str__(self) -> str:
        return f"{self.code} {seedtext.pick(self, 'text')}"


class CalendarDay(models.Model):
    """Holidays and make-up working days as data (国务院办公厅 schedule, entered per year)."""

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=CalendarKind.choices)
    name = models.CharField(_("holiday"), max_length=20, blank=True)
    source = models.CharField(_("source"), max_length=120, blank=True)
    confidence = models.CharField(_("confidence"), max_length=20, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")

    def __str__(self) -> str:
        return f"{self.date} {self.name or self.get_kind_display()}"


class PlanTemplate(models.Model):
    """Built-in plan templates (night fire patrol every 2 h, monthly fire inspection…), as data."""

    code = models.CharField(max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=80)
    name_en = models.CharField(_("name (English)"), max_length=80, blank=True)
    category = models.CharField(_("category"), max_length=20, choices=SIX_CHECK_CHOICES)
    checklist_kind = models.CharField(_("kind"), max_length=20, choices=ChecklistKind.choices)
    rule = models.JSONField(_("recurrence rule"), default=dict)
    institution_types = models.JSONField(default=list, blank=True)
    basis = models.CharField(_("basis"), max_length=200, blank=True)
    source = models.CharField(_("source"), max_length=120, blank=True)
    confidence = models.CharField(_("confidence"), max_length=20, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("plan template")
        verbose_name_plural = _("plan templates")

    def __str__(self) -> str:
        return seedtext.pick(self, "name")


class Checklist(TenantModel):
    name = models.CharField(_("name"), max_length=80)
    kind = models.CharField(_("kind"), max_length=20, choices=ChecklistKind.choices)
    category = models.CharField(_("category"), max_length=20, choices=SIX_CHECK_CHOICES)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organization", "name"]
        verbose_name = _("checklist")
        verbose_name_plural = _("checklists")

    def __str__(self) -> str:
        return self.name


class ChecklistItem(models.Model):
    uuid = models.UUIDField(default=uuid_lib.uuid4, unique=True, editable=False)
    checklist = models.ForeignKey(Checklist, on_delete=models.CASCADE, related_name="items")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    category = models.CharField(_("category"), max_length=20, choices=SIX_CHECK_CHOICES)
    text = models.CharField(_("what to check"), max_length=300)
    basis = models.CharField(_("basis"), max_length=200, blank=True)
    requires_photo = models.BooleanField(_("photo required"), default=False)
    default_grade = models.CharField(
        _("grade if failed"),
        max_length=10,
        choices=HazardGrade.choices,
        blank=True,
        default=HazardGrade.GENERAL,
    )
    # Free text of old (kept as entered); the criterion is named by ``criterion_code`` (a code of
    # the criteria library): a problem on such an item is a major hazard citing it.
    major_criterion = models.CharField(_("major-hazard criterion"), max_length=200, blank=True)
    criterion_code = models.CharField(_("major-hazard criterion code"), max_length=60, blank=True)
    # Where the item came from: "library" + code now; "control_measure" + uuid once risks is merged.
    source_kind = models.CharField(max_length=30, blank=True)
    source_ref = models.CharField(max_length=64, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["checklist", "order", "id"]
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")

    def __str__(self) -> str:
        return self.text

    @property
    def shown_source(self):
        """Where the item came from, in words with a link (``core.origins``); None when typed."""
        return origins.resolve(f"{self.source_kind}:{self.source_ref}") if self.source_kind else None


class Checkpoint(TenantModel):
    """A scannable point (patrol checkpoint): its QR code opens /inspections/checkpoints/<uuid>/."""

    name = models.CharField(_("name"), max_length=80)
    building = models.CharField(_("building"), max_length=60, blank=True)
    floor = models.CharField(_("floor"), max_length=20, blank=True)
    place_code = models.CharField(_("place code"), max_length=20, blank=True)
    risk_point = models.ForeignKey(
        "risks.RiskPoint",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="checkpoints",
        verbose_name=_("risk point"),
        help_text=_("Scanning the risk point's QR code then shows the tasks due here."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["organization", "building", "floor", "name"]
        verbose_name = _("checkpoint")
        verbose_name_plural = _("checkpoints")

    def __str__(self) -> str:
        return " ".join(p for p in (self.building, self.floor, self.name) if p)


class Plan(TenantModel):
    name = models.CharField(_("name"), max_length=80)
    checklist = models.ForeignKey(
        Checklist, on_delete=models.PROTECT, related_name="plans", verbose_name=_("checklist")
    )
    checkpoints = models.ManyToManyField(
        Checkpoint, blank=True, related_name="plans", verbose_name=_("checkpoints")
    )
    location = models.CharField(_("location"), max_length=120, blank=True)
    place_code = models.CharField(_("place code"), max_length=20, blank=True)
    assignee_kind = models.CharField(_("done by"), max_length=10, choices=AssigneeKind.choices)
    assignee_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("person"),
    )
    assignee_post = models.ForeignKey(
        "orgs.Post", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("post")
    )
    assignee_role = models.CharField(_("role"), max_length=30, blank=True)
    frequency = models.CharField(_("frequency"), max_length=12, choices=Frequency.choices)
    rule = models.JSONField(_("recurrence rule"), default=dict)
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    template = models.ForeignKey(
        PlanTemplate, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    is_active = models.BooleanField(_("active"), default=True)
    generated_until = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organization", "name"]
        verbose_name = _("inspection plan")
        verbose_name_plural = _("inspection plans")

    def __str__(self) -> str:
        return self.name


class TaskQuerySet(TenantQuerySet["Task"]):
    def due_at(self, at):
        return self.filter(status=TaskStatus.OPEN, window_start__lte=at, window_end__gt=at)


class Task(TenantModel):
    # No plan: a one-off inspection (the bureau's), recorded as a task done on the spot.
    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, null=True, blank=True, related_name="tasks", verbose_name=_("plan")
    )
    checkpoint = models.ForeignKey(
        Checkpoint, on_delete=models.PROTECT, null=True, blank=True, related_name="tasks"
    )
    # checkpoint uuid or "" (a plan without checkpoints): part of the uniqueness key (NULL-safe).
    place_key = models.CharField(max_length=36, blank=True, default="")
    location = models.CharField(_("location"), max_length=160, blank=True)
    window_start = models.DateTimeField(_("from"))
    window_end = models.DateTimeField(_("until"))
    status = models.CharField(_("status"), max_length=10, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    assignee_kind = models.CharField(_("done by"), max_length=10, choices=AssigneeKind.choices)
    assignee_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    assignee_post = models.ForeignKey(
        "orgs.Post", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    assignee_role = models.CharField(max_length=30, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = TaskQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        ordering = ["window_start", "id"]
        verbose_name = _("inspection task")
        verbose_name_plural = _("inspection tasks")
        constraints = [
            models.UniqueConstraint(fields=["plan", "place_key", "window_start"], name="task_unique_window"),
            models.CheckConstraint(condition=Q(window_end__gt=models.F("window_start")), name="task_window"),
        ]
        indexes = [
            models.Index(fields=["organization", "status", "window_start"], name="task_org_status"),
            models.Index(fields=["status", "window_end"], name="task_status_end"),
            # Today's tasks of every institution (dashboards): one range of this index.
            models.Index(fields=["window_start", "organization", "status"], name="task_window_start"),
        ]

    def __str__(self) -> str:
        return f"{self.plan} · {self.location}"


class TaskDay(models.Model):
    """Done and missed tasks per institution, day (of the window's start, Asia/Shanghai) and post,
    kept by :mod:`shuangfang.inspections.counts` in the transaction that closes each task, so the
    dashboards' completion figures do not count a year of tasks. ``post_key``: the assigned post's
    id, 0 for a task assigned to a person or a role (a key column, so not nullable)."""

    organization = models.ForeignKey("orgs.Organization", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    post_key = models.IntegerField(default=0)
    done = models.IntegerField(default=0)
    missed = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "day", "post_key"], name="task_day_unique")
        ]

    def __str__(self) -> str:
        return f"{self.organization_id}/{self.day}/{self.post_key}"


class Record(TenantModel):
    """What was found: one per task (or a bureau inspection without a task)."""

    task = models.OneToOneField(Task, on_delete=models.PROTECT, null=True, blank=True, related_name="record")
    checklist = models.ForeignKey(Checklist, on_delete=models.PROTECT, related_name="records")
    checkpoint = models.ForeignKey(
        Checkpoint, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    location = models.CharField(_("location"), max_length=160, blank=True)
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("inspector")
    )
    by_bureau = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted at"))
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    accuracy_m = models.PositiveIntegerField(null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    problem_count = models.PositiveSmallIntegerField(_("problems"), default=0)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("inspection record")
        verbose_name_plural = _("inspection records")

    def __str__(self) -> str:
        return f"{self.checklist} · {self.location}"


class RecordItem(models.Model):
    uuid = models.UUIDField(default=uuid_lib.uuid4, unique=True, editable=False)
    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="items")
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="+")
    text = models.CharField(max_length=300)
    category = models.CharField(max_length=20, choices=SIX_CHECK_CHOICES)
    result = models.CharField(_("result"), max_length=10, choices=Result.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    grade = models.CharField(max_length=10, choices=HazardGrade.choices, blank=True)

    class Meta:
        ordering = ["record", "id"]
        constraints = [models.UniqueConstraint(fields=["record", "item"], name="record_item_once")]

    def __str__(self) -> str:
        return f"{self.get_result_display()} {self.text}"

    @property
    def origin(self) -> str:
        return f"{ITEM_ORIGIN}:{self.uuid}"


class RecordPhoto(models.Model):
    uuid = models.UUIDField(default=uuid_lib.uuid4, unique=True, editable=False)
    record_item = models.ForeignKey(RecordItem, on_delete=models.CASCADE, related_name="photos")
    original = models.CharField(max_length=200)
    display = models.CharField(max_length=200)
    thumb = models.CharField(max_length=200)
    # Evidence (core.photos): when the photo was taken; where only if the person allowed it.
    taken_at = models.DateTimeField(_("taken at"), null=True, blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.display


class RouteStop(models.Model):
    """A patrol route (巡更路线): a plan whose checkpoints are walked in this order, each round (the
    plan's tasks of one window). ``inspections.patrol`` flags the points skipped or walked out of
    order, and the shift handover carries them."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="stops")
    checkpoint = models.ForeignKey(Checkpoint, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField(_("order"))

    class Meta:
        ordering = ["plan", "position"]
        verbose_name = _("patrol route stop")
        verbose_name_plural = _("patrol route stops")
        constraints = [
            models.UniqueConstraint(fields=["plan", "position"], name="route_stop_position"),
            models.UniqueConstraint(fields=["plan", "checkpoint"], name="route_stop_once"),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id}#{self.position}"
