"""People and readiness: training requirements, sessions and certificates; drills; responsibility
letters. Requirements, courses and settings are data with their source (docs/readiness.md)."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shuangfang.core.tenancy import TenantModel

from .choices import (
    AccountabilityKind,
    AppliesTo,
    Confidence,
    CourseTopic,
    Delivery,
    DrillKind,
    DrillStatus,
    LetterLevel,
    LetterStatus,
    PlanKind,
    SignInMethod,
    StepKind,
    SupplyKind,
)


def _sign_in_key() -> str:
    return secrets.token_urlsafe(9)


class Sourced(models.Model):
    """A value a standard or a practice gives: where it comes from and how sure it is."""

    source = models.CharField(_("source"), max_length=200, blank=True)
    confidence = models.CharField(
        _("confidence"), max_length=10, choices=Confidence.choices, default=Confidence.PRODUCT
    )

    class Meta:
        abstract = True


class Course(TenantModel, Sourced):
    """A course people must take, owned by a bureau (its institutions use it) or an institution.
    ``valid_months`` 0: once is enough (induction); 12: yearly."""

    name = models.CharField(_("course"), max_length=80)
    topic = models.CharField(_("topic"), max_length=20, choices=CourseTopic.choices)
    valid_months = models.PositiveSmallIntegerField(_("valid for (months, 0 = once)"), default=12)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["organization", "name"]
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        constraints = [models.UniqueConstraint(fields=["organization", "name"], name="readiness_course_name")]

    def __str__(self) -> str:
        return self.name


class Requirement(TenantModel, Sourced):
    """Who must take a course: everyone, a post, a role, the posts at risk points of a level or
    more severe (1 = major), or new staff. Applies in ``organization``'s subtree."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="requirements")
    applies_to = models.CharField(_("applies to"), max_length=12, choices=AppliesTo.choices)
    post = models.ForeignKey(
        "orgs.Post", on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("post")
    )
    role = models.CharField(_("role"), max_length=30, blank=True)
    risk_level = models.PositiveSmallIntegerField(_("risk level or more severe"), null=True, blank=True)
    due_within_days = models.PositiveSmallIntegerField(_("first due within (days of joining)"), default=30)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["organization", "course"]
        verbose_name = _("training requirement")
        verbose_name_plural = _("training requirements")
        constraints = [
            models.CheckConstraint(
                condition=~Q(applies_to="post") | Q(post__isnull=False), name="readiness_req_post"
            ),
            models.CheckConstraint(
                condition=~Q(applies_to="risk_level") | Q(risk_level__gte=1, risk_level__lte=4),
                name="readiness_req_level",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.course} · {self.get_applies_to_display()}"


class Session(TenantModel):
    """One training session at an institution. Attendance by QR (``sign_in_key`` is in the code's
    URL) or marked by the trainer; once ``closed_at`` is set, nothing is signed or answered."""

    course = models.ForeignKey(
        Course, on_delete=models.PROTECT, related_name="sessions", verbose_name=_("course")
    )
    title = models.CharField(_("title"), max_length=120)
    delivery = models.CharField(
        _("how it is given"), max_length=10, choices=Delivery.choices, default=Delivery.INTERNAL
    )
    trainer = models.CharField(_("trainer"), max_length=80, blank=True)
    place = models.CharField(_("place"), max_length=80, blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    materials = models.TextField(_("materials (one link or title a line)"), blank=True)
    pass_mark = models.PositiveSmallIntegerField(_("quiz pass mark (%)"), null=True, blank=True)
    sign_in_key = models.CharField(max_length=20, default=_sign_in_key, editable=False)
    closed_at = models.DateTimeField(_("sign-in closed at"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="readiness_session_times"
            )
        ]

    def __str__(self) -> str:
        return self.title


class Question(models.Model):
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="questions")
    text = models.CharField(_("question"), max_length=200)
    options = models.JSONField(_("options"), default=list)
    answer = models.PositiveSmallIntegerField(_("right option (from 1)"))

    class Meta:
        ordering = ["session", "id"]

    def __str__(self) -> str:
        return self.text


class Attendance(TenantModel):
    """One person at one session (signing twice is once). ``score``: the quiz, percent."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendances")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    method = models.CharField(_("how"), max_length=10, choices=SignInMethod.choices)
    signed_at = models.DateTimeField(_("signed in at"))
    score = models.PositiveSmallIntegerField(_("quiz score"), null=True, blank=True)
    passed = models.BooleanField(_("passed"), null=True)

    class Meta:
        ordering = ["session", "signed_at"]
        constraints = [
            models.UniqueConstraint(fields=["session", "person"], name="readiness_attend_once"),
        ]

    def __str__(self) -> str:
        return f"{self.session_id} · {self.person_id}"


class Certificate(TenantModel):
    """An external certificate (消防设施操作员, 特种作业) of a person, with its expiry."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("certificate"), max_length=80)
    number = models.CharField(pgettext_lazy("certificate", "number"), max_length=60, blank=True)
    issued_on = models.DateField(_("issued on"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    photo = models.BinaryField(_("photo"), null=True, blank=True)
    photo_type = models.CharField(max_length=10, blank=True)

    class Meta:
        ordering = ["expires_on"]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")

    def __str__(self) -> str:
        return self.name


class Setting(TenantModel, Sourced):
    """A number a rule gives (the fire drills a year), set at a bureau or an institution; the
    nearest one up the tree wins, else the default in ``readiness.defaults``."""

    key = models.CharField(_("setting"), max_length=40)
    value = models.PositiveIntegerField(_("value"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "key"], name="readiness_setting_key")]

    def __str__(self) -> str:
        return f"{self.key}={self.value}"


class Drill(TenantModel):
    """A drill (演练) of an institution: planned, executed (times, steps, participants), evaluated."""

    title = models.CharField(_("title"), max_length=120)
    kind = models.CharField(_("kind"), max_length=20, choices=DrillKind.choices, default=DrillKind.FIRE)
    building = models.CharField(_("building"), max_length=60, blank=True)
    planned_on = models.DateField(_("planned on"))
    scenario = models.TextField(_("scenario"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=DrillStatus.choices, default=DrillStatus.PLANNED
    )
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    evacuation_seconds = models.PositiveIntegerField(_("evacuation time (s)"), null=True, blank=True)
    participant_count = models.PositiveIntegerField(_("participants"), default=0)
    evaluation = models.TextField(_("evaluation"), blank=True)
    sign_in_key = models.CharField(max_length=20, default=_sign_in_key, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-planned_on"]
        verbose_name = _("drill")
        verbose_name_plural = _("drills")
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gt=models.F("started_at")),
                name="readiness_drill_times",
            )
        ]

    def __str__(self) -> str:
        return self.title


class DrillStep(models.Model):
    drill = models.ForeignKey(Drill, on_delete=models.CASCADE, related_name="steps")
    at = models.DateTimeField(_("time"))
    kind = models.CharField(_("step"), max_length=10, choices=StepKind.choices, default=StepKind.OTHER)
    note = models.CharField(_("what happened"), max_length=200, blank=True)

    class Meta:
        ordering = ["drill", "at", "id"]

    def __str__(self) -> str:
        return f"{self.at:%H:%M:%S} {self.kind}"


class DrillParticipant(models.Model):
    drill = models.ForeignKey(Drill, on_delete=models.CASCADE, related_name="participants")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["drill", "person"], name="readiness_drill_person")]

    def __str__(self) -> str:
        return f"{self.drill_id} · {self.person_id}"


class Improvement(TenantModel):
    """An improvement a drill's evaluation found: it becomes exactly one hazard (``hazard_uuid``)."""

    drill = models.ForeignKey(Drill, on_delete=models.CASCADE, related_name="improvements")
    description = models.CharField(_("improvement"), max_length=300)
    hazard_uuid = models.UUIDField(null=True, blank=True, editable=False)
    hazard_number = models.CharField(max_length=20, blank=True, editable=False)

    class Meta:
        ordering = ["drill", "id"]

    def __str__(self) -> str:
        return self.description


class LetterTemplate(TenantModel):
    """The text of a responsibility letter of one level, owned by a bureau or an institution."""

    level = models.CharField(pgettext_lazy("tier", "level"), max_length=20, choices=LetterLevel.choices)
    title = models.CharField(_("title"), max_length=120)
    principle = models.CharField(_("principle"), max_length=200, blank=True)
    duties = models.TextField(_("duties (one a line)"))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["organization", "level"]
        verbose_name = _("letter template")
        verbose_name_plural = _("letter templates")

    def __str__(self) -> str:
        return self.title


class Letter(TenantModel):
    """One year's responsibility letter between ``issuer`` (a party's name) and ``holder``.
    ``organization``: the holder's institution. The content is frozen in the row; its SHA-256
    (``content_hash``) is what a signature signs. Signing keeps the drawn signature (PNG), the
    signed PDF and the PDF's SHA-256; a change of content asks for a new signature."""

    template = models.ForeignKey(LetterTemplate, on_delete=models.PROTECT, related_name="letters")
    level = models.CharField(pgettext_lazy("tier", "level"), max_length=20, choices=LetterLevel.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=120)
    issuer = models.CharField(_("issued by"), max_length=120)
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("holder")
    )
    holder_party = models.CharField(_("holder's post"), max_length=120)
    principle = models.CharField(_("principle"), max_length=200, blank=True)
    duties = models.TextField(pgettext_lazy("letter", "duties"))
    risk_lines = models.JSONField(_("risk points and measures"), default=list)
    content_hash = models.CharField(max_length=64, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=LetterStatus.choices, default=LetterStatus.ISSUED
    )
    issued_at = models.DateTimeField(_("issued at"))
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signed_hash = models.CharField(max_length=64, blank=True, editable=False)
    signature_png = models.BinaryField(null=True, blank=True, editable=False)
    signed_pdf = models.BinaryField(null=True, blank=True, editable=False)
    pdf_sha256 = models.CharField(max_length=64, blank=True, editable=False)
    revoked_reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        ordering = ["-year", "level", "holder__name"]
        verbose_name = _("responsibility letter")
        verbose_name_plural = _("responsibility letters")
        constraints = [
            models.UniqueConstraint(
                fields=["template", "year", "holder"],
                condition=~Q(status="revoked"),
                name="readiness_letter_one_live",
            )
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.title} · {self.holder}"


class EmergencyPlan(TenantModel):
    """An emergency plan (应急预案) of an institution, versioned: a revision is a new row with the
    next ``version`` and the old one stops being current. ``phone_tree``: one line a role,
    "role | person | phone"."""

    kind = models.CharField(_("kind of plan"), max_length=16, choices=PlanKind.choices)
    topic = models.CharField(_("topic"), max_length=20, choices=DrillKind.choices, default=DrillKind.FIRE)
    title = models.CharField(_("title"), max_length=120)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    is_current = models.BooleanField(_("current version"), default=True)
    previous = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("owner")
    )
    content = models.TextField(_("content"))
    phone_tree = models.TextField(_("roles and phone tree"), blank=True)
    review_on = models.DateField(_("next review on"))
    risk_points = models.ManyToManyField(
        "risks.RiskPoint", blank=True, related_name="+", verbose_name=_("linked risk points")
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organization", "kind", "title", "-version"]
        verbose_name = _("emergency plan")
        verbose_name_plural = _("emergency plans")

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"


class Supply(TenantModel):
    """Emergency supplies of one kind at one place, with a minimum level and an expiry."""

    kind = models.CharField(_("kind"), max_length=20, choices=SupplyKind.choices)
    name = models.CharField(pgettext_lazy("supplies", "item"), max_length=80)
    place = models.CharField(_("place"), max_length=80)
    unit = models.CharField(_("unit"), max_length=10, default="件")
    quantity = models.PositiveIntegerField(_("in stock"), default=0)
    minimum = models.PositiveIntegerField(_("minimum level"), default=0)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)

    class Meta:
        ordering = ["organization", "kind", "name", "place"]
        verbose_name = _("emergency supply")
        verbose_name_plural = _("emergency supplies")
        constraints = [
            models.UniqueConstraint(fields=["organization", "name", "place"], name="readiness_supply_place"),
            models.CheckConstraint(condition=Q(quantity__gte=0), name="readiness_supply_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.name} @ {self.place}"


class SupplyMove(TenantModel):
    """One issue (negative ``change``) or restock (positive) of a supply, with the balance after."""

    supply = models.ForeignKey(Supply, on_delete=models.CASCADE, related_name="moves")
    change = models.IntegerField(_("change"))
    balance = models.PositiveIntegerField(_("balance"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("time"))

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.supply_id} {self.change:+d}"


class SpotCheckRule(TenantModel, Sourced):
    """A bureau's rule for its spot checks (定期抽查): every institution at least ``per_quarter``
    times a quarter, ``low_score_per_quarter`` when its assessment score is below ``low_score_below``;
    the quarter's spot-check tasks go to ``inspector`` (:func:`readiness.bureau.plan_spot_tasks`)."""

    per_quarter = models.PositiveSmallIntegerField(_("spot checks a quarter"), default=1)
    low_score_below = models.PositiveSmallIntegerField(_("low score below"), null=True, blank=True)
    low_score_per_quarter = models.PositiveSmallIntegerField(
        _("spot checks a quarter at a low score"), null=True, blank=True
    )
    # The bureau's inspector: the quarter's spot-check tasks are assigned to them (none: no tasks).
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("inspector"),
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization"], name="readiness_spotcheck_one")]

    def __str__(self) -> str:
        return f"{self.organization_id}: {self.per_quarter}/Q"


class Meeting(TenantModel):
    """An analysis-and-judgement meeting (分析研判) of a bureau or institution, with the period's
    figures frozen at the time, the decisions and follow-up tasks."""

    title = models.CharField(_("title"), max_length=120)
    held_on = models.DateField(_("held on"))
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period until"))
    attendees = models.CharField(_("attendees"), max_length=300, blank=True)
    figures = models.JSONField(_("figures of the period"), default=dict)
    decisions = models.TextField(_("decisions"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-held_on"]
        verbose_name = _("analysis meeting")
        verbose_name_plural = _("analysis meetings")

    def __str__(self) -> str:
        return self.title


class FollowUp(TenantModel):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="follow_ups")
    description = models.CharField(_("follow-up task"), max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("owner")
    )
    due_on = models.DateField(_("due on"))
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.description


class BureauNotice(TenantModel):
    """A responsibility notice (责任告知) a bureau sends to its institutions; each acknowledges it."""

    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(_("notice"))
    sent_at = models.DateTimeField(_("sent at"))
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = _("responsibility notice")
        verbose_name_plural = _("responsibility notices")

    def __str__(self) -> str:
        return self.title


class NoticeReceipt(TenantModel):
    """One institution's copy of a notice (``organization``: the institution)."""

    notice = models.ForeignKey(BureauNotice, on_delete=models.CASCADE, related_name="receipts")
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["notice", "organization"], name="readiness_receipt_once")
        ]

    def __str__(self) -> str:
        return f"{self.notice_id} → {self.organization_id}"


class Accountability(TenantModel):
    """A supervision-and-accountability record (督导问责) against an institution (``organization``)
    or one of its people, with the evidence linked (overdue hazards, missed tasks)."""

    kind = models.CharField(_("kind"), max_length=12, choices=AccountabilityKind.choices)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("person"),
    )
    by_bureau = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+")
    description = models.TextField(_("what and why"))
    evidence = models.JSONField(_("evidence"), default=list)
    # A reward adds, a penalty takes these points in the institution's assessment score of the
    # period, within the caps of the bureau's scheme; empty: the record does not touch the score.
    points = models.DecimalField(
        _("points in the assessment score"), max_digits=3, decimal_places=1, null=True, blank=True
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("recorded at"))

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("accountability record")
        verbose_name_plural = _("accountability records")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.organization_id}"


class Attachment(TenantModel):
    """A drill's photo or a session's material file (PDF or picture), checked on upload (real
    type by content, size), stored by name and served only through a scoped view."""

    drill = models.ForeignKey(
        Drill, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    title = models.CharField(_("title"), max_length=120, blank=True)
    stored_name = models.CharField(max_length=255)
    display = models.CharField(max_length=255, blank=True)  # photos: the resized copy
    thumb = models.CharField(max_length=255, blank=True)
    is_pdf = models.BooleanField(default=False)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        constraints = [
            models.CheckConstraint(
                condition=Q(drill__isnull=False, session__isnull=True)
                | Q(drill__isnull=True, session__isnull=False),
                name="readiness_attachment_one_owner",
            )
        ]

    def __str__(self) -> str:
        return self.title or self.stored_name
