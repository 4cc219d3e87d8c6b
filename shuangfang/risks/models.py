"""Risk graded control: assessment methods (data), risk points, hazard factors, assessments,
control measures, floors of the four-colour map, palettes and the starter library."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shuangfang.core.tenancy import TenantModel

from .choices import (
    AssessmentKind,
    ControlTier,
    FactorClass,
    MeasureCategory,
    PointKind,
    RiskLevel,
)


class Confidence(models.TextChoices):
    VERIFIED = "verified", _("Verified")
    COMMON = "common", _("Commonly cited")
    UNVERIFIED = "unverified", _("Unverified")


class AssessmentMethod(models.Model):
    """One version of an assessment method, as data. A version is never edited once used: a change
    is a new version, and every assessment keeps the version it used.

    ``scales``: ``[{"code": "L", "name": "…", "name_en": "…", "options": [{"value": 10, "label": "…",
    "label_en": "…"}]}]``; ``formula``: an arithmetic expression over the scale codes (``L*E*C``);
    ``bands``: ``[{"level": 1, "band": "A", "min": 320, "min_inclusive": false, "max": null,
    "max_inclusive": false, "label": "…", "label_en": "…"}]`` - the first band that holds the score
    wins; ``null`` bounds are open.
    """

    uuid = models.UUIDField(unique=True, editable=False, default=uuid.uuid4)
    code = models.CharField(_("code"), max_length=20)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    name = models.CharField(_("name"), max_length=80)
    name_en = models.CharField(max_length=80, blank=True)
    formula = models.CharField(_("formula"), max_length=120)
    scales = models.JSONField(_("scales"))
    bands = models.JSONField(_("bands"))
    boundary_rule = models.TextField(_("boundary rule"), blank=True)
    requires_basis = models.BooleanField(_("requires a basis"), default=False)
    is_default = models.BooleanField(_("default method"), default=False)
    is_current = models.BooleanField(_("current version"), default=True)
    source = models.TextField(_("source"))
    confidence = models.CharField(_("confidence"), max_length=12, choices=Confidence.choices)
    order = models.PositiveSmallIntegerField(default=100)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["order", "code", "-version"]
        verbose_name = _("assessment method")
        verbose_name_plural = _("assessment methods")
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="method_code_version"),
            models.UniqueConstraint(
                fields=["code"], condition=Q(is_current=True), name="method_one_current_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    def display_name(self) -> str:
        from django.utils.translation import get_language

        lang = get_language() or ""
        return self.name_en if lang.startswith("en") and self.name_en else self.name


class RiskPoint(TenantModel):
    """A risk point (风险点): place, facility, work activity or service activity of an institution
    (``organization``), optionally of a department. Its level is the highest of its factors."""

    number = models.PositiveIntegerField(_("number"), editable=False)
    code = models.CharField(_("code"), max_length=20, editable=False)
    name = models.CharField(_("risk point"), max_length=100)
    kind = models.CharField(_("type"), max_length=12, choices=PointKind.choices, default=PointKind.PLACE)
    department = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("department"),
    )
    post = models.ForeignKey(
        "orgs.Post",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("post"),
    )
    building = models.CharField(_("building"), max_length=60, blank=True)
    floor = models.ForeignKey(
        "Floor",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="points",
        verbose_name=_("floor"),
    )
    area = models.CharField(_("area / zone"), max_length=60, blank=True)
    location = models.CharField(_("location"), max_length=120, blank=True)
    map_x = models.FloatField(null=True, blank=True)
    map_y = models.FloatField(null=True, blank=True)
    inherent_level = models.PositiveSmallIntegerField(
        _("inherent level"), choices=RiskLevel.choices, null=True, blank=True, db_index=True
    )
    residual_level = models.PositiveSmallIntegerField(
        _("residual level"), choices=RiskLevel.choices, null=True, blank=True, db_index=True
    )
    next_review_on = models.DateField(_("next review"), null=True, blank=True, db_index=True)
    reviewed_on = models.DateField(_("last review"), null=True, blank=True)
    basis = models.CharField(_("basis"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["organization", "number"]
        verbose_name = _("risk point")
        verbose_name_plural = _("risk points")
        constraints = [
            models.UniqueConstraint(fields=["organization", "number"], name="riskpoint_number"),
            models.UniqueConstraint(fields=["organization", "name"], name="riskpoint_name"),
        ]
        indexes = [models.Index(fields=["organization", "inherent_level"])]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("risks:point", kwargs={"uuid": self.uuid})

    @property
    def level(self) -> int | None:
        return self.residual_level or self.inherent_level


class HazardFactor(TenantModel):
    """A hazard factor (危险有害因素) of a risk point; ``organization`` is the point's institution."""

    risk_point = models.ForeignKey(
        RiskPoint, on_delete=models.CASCADE, related_name="factors", verbose_name=_("risk point")
    )
    description = models.CharField(_("hazard factor"), max_length=200)
    factor_class = models.CharField(_("GB/T 13861 class"), max_length=12, choices=FactorClass.choices)
    accident_types = models.JSONField(_("possible accidents"), default=list, blank=True)
    consequence = models.CharField(_("consequence"), max_length=200, blank=True)
    inherent_level = models.PositiveSmallIntegerField(
        _("inherent level"), choices=RiskLevel.choices, null=True, blank=True
    )
    residual_level = models.PositiveSmallIntegerField(
        _("residual level"), choices=RiskLevel.choices, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["risk_point", "id"]
        verbose_name = _("hazard factor")
        verbose_name_plural = _("hazard factors")
        constraints = [
            models.UniqueConstraint(fields=["risk_point", "description"], name="factor_unique_description")
        ]

    def __str__(self) -> str:
        return self.description

    @property
    def level(self) -> int | None:
        return self.residual_level or self.inherent_level


class Assessment(TenantModel):
    """One assessment of a factor with one method version: inputs, score, level, who and when."""

    factor = models.ForeignKey(
        HazardFactor, on_delete=models.CASCADE, related_name="assessments", verbose_name=_("hazard factor")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=AssessmentKind.choices)
    method = models.ForeignKey(
        AssessmentMethod, on_delete=models.PROTECT, related_name="+", verbose_name=_("method")
    )
    inputs = models.JSONField(_("inputs"))
    score = models.DecimalField(pgettext_lazy("risk", "score"), max_digits=12, decimal_places=3)
    level = models.PositiveSmallIntegerField(_("level"), choices=RiskLevel.choices)
    band = models.CharField(_("band"), max_length=10, blank=True)
    basis = models.CharField(_("basis"), max_length=300, blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("assessed by")
    )
    assessed_at = models.DateTimeField(_("assessed at"), auto_now_add=True)

    class Meta:
        ordering = ["factor", "-assessed_at", "-id"]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")

    def __str__(self) -> str:
        return f"{self.factor} {self.method} {self.score}"

    def inputs_text(self) -> str:
        """'L=3 E=6 C=15' in the method's scale order (jsonb does not keep key order)."""
        order = [s["code"] for s in self.method.scales]
        keys = sorted(self.inputs, key=lambda k: order.index(k) if k in order else len(order))
        return " ".join(f"{k}={_num(self.inputs[k])}" for k in keys)


def _num(v) -> str:
    f = float(v)
    return str(int(f)) if f.is_integer() else str(f)


class ControlMeasure(TenantModel):
    """A control measure of a factor. ``what_to_check`` feeds the inspections app's checklists."""

    factor = models.ForeignKey(
        HazardFactor, on_delete=models.CASCADE, related_name="measures", verbose_name=_("hazard factor")
    )
    category = models.CharField(_("category"), max_length=12, choices=MeasureCategory.choices)
    description = models.TextField(_("measure"))
    tier = models.CharField(_("control tier"), max_length=12, choices=ControlTier.choices)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("responsible person"),
    )
    responsible_name = models.CharField(_("responsible person (name)"), max_length=60, blank=True)
    what_to_check = models.TextField(_("what to check"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["factor", "category", "id"]
        verbose_name = _("control measure")
        verbose_name_plural = _("control measures")

    def __str__(self) -> str:
        return self.description[:60]

    @property
    def responsible_display(self) -> str:
        return str(self.responsible) if self.responsible_id else self.responsible_name


class Floor(TenantModel):
    """A floor (or site plan) of a building with its plan image, for the four-colour map."""

    building = models.CharField(_("building"), max_length=60)
    name = models.CharField(_("floor"), max_length=40)
    plan = models.CharField(max_length=255, blank=True, editable=False)
    plan_width = models.PositiveIntegerField(default=0, editable=False)
    plan_height = models.PositiveIntegerField(default=0, editable=False)
    order = models.IntegerField(_("order"), default=0)

    class Meta:
        ordering = ["organization", "building", "order", "name"]
        verbose_name = _("floor")
        verbose_name_plural = _("floors")
        constraints = [
            models.UniqueConstraint(fields=["organization", "building", "name"], name="floor_unique_name")
        ]

    def __str__(self) -> str:
        return f"{self.building} {self.name}"


class LevelPalette(models.Model):
    """A bureau's own colours for the four levels (e.g. the seed's red/blue/yellow/green)."""

    organization = models.OneToOneField(
        "orgs.Organization", on_delete=models.CASCADE, related_name="+", verbose_name=_("bureau")
    )
    colours = models.JSONField(_("colours"))
    names = models.JSONField(_("colour names"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("level palette")
        verbose_name_plural = _("level palettes")

    def __str__(self) -> str:
        return f"{self.organization}"


class LibraryEntry(models.Model):
    """A starter-library risk point for one institution type, with its usual factors and measures.
    ``organization`` empty = the national starter library; a bureau's own entries (its edits) have
    the bureau and ``replaces`` the national row they override.

    ``factors``: ``[{"description", "factor_class", "accident_types": [...], "consequence",
    "method": "lec", "inputs": {"L": 3, …}, "measures": [{"category", "description",
    "what_to_check"}]}]``; seeded rows also carry ``description_en``, ``consequence_en`` and the
    measures' ``description_en`` / ``what_to_check_en`` (shown through ``seedtext.pick``)."""

    uuid = models.UUIDField(unique=True, editable=False, default=uuid.uuid4)
    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("bureau"),
    )
    replaces = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    institution_type = models.CharField(_("institution type"), max_length=20)
    name = models.CharField(_("risk point"), max_length=100)
    name_en = models.CharField(_("risk point (English)"), max_length=100, blank=True)
    kind = models.CharField(_("type"), max_length=12, choices=PointKind.choices)
    area = models.CharField(_("area / zone"), max_length=60, blank=True)
    area_en = models.CharField(_("area / zone (English)"), max_length=60, blank=True)
    factors = models.JSONField(_("factors and measures"))
    source = models.TextField(_("source"))
    source_en = models.TextField(_("source (English)"), blank=True)
    confidence = models.CharField(_("confidence"), max_length=12, choices=Confidence.choices)
    order = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["institution_type", "order", "name"]
        verbose_name = _("library entry")
        verbose_name_plural = _("library entries")

    def __str__(self) -> str:
        return self.name
