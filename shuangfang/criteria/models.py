"""The major-hazard criteria library (重大事故隐患判定标准) as data, with provenance.

A :class:`Standard` is one version of one list (the ministry's elderly-care standard of 2023, GB 35181,
a bureau's refinement); its :class:`Article` rows are the categories (第四条 …) and its
:class:`Criterion` rows the situations (（一）…), each with the text exactly as imported and where it
was read. Nothing here is typed by hand: every row comes from an imported file
(:mod:`shuangfang.criteria.importing`), and a standard whose text could not be obtained in full says
so (``complete`` false, the article's ``missing`` note). Hazards cite a :class:`Criterion` row, so a
hazard keeps the version it cited when a newer standard supersedes it.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shuangfang.core.tenancy import TenantModel

from .choices import Answer, StandardKind

# Versions the import gives a standard whose date is not known (``importing._related``, and the
# unverified national standard of 2026), shown in the reader's language.
VERSION_WORDS = {
    "undated": pgettext_lazy("criteria version", "undated"),
    "unverified": pgettext_lazy("criteria version", "unverified"),
}


class Standard(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    code = models.SlugField(_("code"), max_length=60)
    version = models.CharField(_("version"), max_length=30)
    title = models.CharField(_("title"), max_length=200)
    issuer = models.CharField(_("issuer"), max_length=200, blank=True)
    doc_number = models.CharField(pgettext_lazy("regulation", "document number"), max_length=60, blank=True)
    kind = models.CharField(_("kind"), max_length=12, choices=StandardKind.choices)
    # Empty for a ministry or national standard; the bureau for its own refinement.
    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("bureau"),
    )
    institution_types = models.JSONField(_("institution types"), default=list, blank=True)
    issued_on = models.DateField(pgettext_lazy("regulation", "issued on"), null=True, blank=True)
    effective_from = models.DateField(_("in force from"), null=True, blank=True)
    supersedes = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
        verbose_name=_("supersedes"),
    )
    refines = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="refinements",
        verbose_name=_("refines"),
    )
    complete = models.BooleanField(_("text complete"), default=False)
    official_categories = models.PositiveSmallIntegerField(
        _("categories (official count)"), null=True, blank=True
    )
    official_situations = models.PositiveSmallIntegerField(
        _("situations (official count)"), null=True, blank=True
    )
    sources = models.JSONField(_("sources"), default=list, blank=True)
    # What the import file says about gaps, verification and supersession, as read.
    notes = models.JSONField(_("notes"), default=dict, blank=True)
    imported_at = models.DateTimeField(_("imported at"), default=timezone.now)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["kind", "code", "-effective_from", "-version"]
        verbose_name = _("criteria standard")
        verbose_name_plural = _("criteria standards")
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="criteria_standard_version"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.version})"

    def get_absolute_url(self) -> str:
        return reverse("criteria:standard", args=[self.uuid])

    @property
    def shown_version(self) -> str:
        """The version as shown: a placeholder given to a standard of unknown date, in words."""
        return str(VERSION_WORDS.get(self.version, self.version))

    @property
    def situation_count(self) -> int:
        return self.criteria.count()


class Article(models.Model):
    """A category of a standard (第四条 重要设施设备存在严重缺陷), with what is missing of it."""

    standard = models.ForeignKey(Standard, on_delete=models.CASCADE, related_name="articles")
    order = models.PositiveSmallIntegerField(default=0)
    number = models.CharField(_("article"), max_length=30, blank=True)
    title = models.CharField(_("category"), max_length=200)
    lead_in = models.TextField(_("lead-in"), blank=True)
    complete = models.BooleanField(_("text complete"), default=False)
    missing = models.TextField(_("what is missing"), blank=True)

    class Meta:
        ordering = ["standard", "order", "id"]

    def __str__(self) -> str:
        return f"{self.number} {self.title}".strip()


class CriterionQuerySet(models.QuerySet["Criterion"]):
    def citable(self) -> CriterionQuerySet:
        return self.filter(truncated=False).exclude(text="")


class Criterion(models.Model):
    """One situation (（一）建筑设施经鉴定属于C级、D级危房…) that makes a hazard major."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    standard = models.ForeignKey(Standard, on_delete=models.CASCADE, related_name="criteria")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="criteria")
    order = models.PositiveSmallIntegerField(default=0)
    code = models.CharField(_("code"), max_length=60, db_index=True)
    number = models.CharField(pgettext_lazy("clause", "item"), max_length=20, blank=True)
    text = models.TextField(pgettext_lazy("regulation", "text"))
    truncated = models.BooleanField(_("text cut off"), default=False)
    verified_by = models.PositiveSmallIntegerField(_("sources that agree"), null=True, blank=True)
    sources = models.JSONField(_("sources"), default=list, blank=True)
    note = models.TextField(_("note"), blank=True)

    objects = CriterionQuerySet.as_manager()

    class Meta:
        ordering = ["standard", "article__order", "order", "id"]
        verbose_name = _("major-hazard criterion")
        verbose_name_plural = _("major-hazard criteria")
        constraints = [
            models.UniqueConstraint(fields=["standard", "code"], name="criterion_code_per_standard")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.text[:40]}"

    @property
    def citable(self) -> bool:
        return not self.truncated and bool(self.text)

    @property
    def reference(self) -> str:
        """《养老机构重大事故隐患判定标准》(2023-11-27) 第四条（一）"""
        s = self.standard
        return f"《{s.title}》({s.version}) {self.article.number}{self.number}"


class SelfAssessment(TenantModel):
    """An institution's dated self-check against the criteria in force for it (每种情形：是/否/不涉及,
    with evidence). Each 是 becomes one major hazard citing the criterion (through the outbox)."""

    done_on = models.DateField(_("date of the self-check"))
    performed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("done by")
    )
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    note = models.TextField(_("note"), blank=True)
    # The versions checked against ("elderly-2023@2023-11-27"), and whether each was complete then.
    standards = models.JSONField(_("standards checked"), default=list)
    found = models.PositiveSmallIntegerField(_("situations found"), default=0)

    class Meta:
        ordering = ["-done_on", "-submitted_at"]
        verbose_name = _("criteria self-check")
        verbose_name_plural = _("criteria self-checks")
        indexes = [models.Index(fields=["organization", "done_on"], name="selfcheck_org_day")]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.done_on}"

    def get_absolute_url(self) -> str:
        return reverse("criteria:selfcheck", args=[self.uuid])


class SelfAssessmentAnswer(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    assessment = models.ForeignKey(SelfAssessment, on_delete=models.CASCADE, related_name="answers")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    answer = models.CharField(pgettext_lazy("self-check", "answer"), max_length=4, choices=Answer.choices)
    evidence = models.TextField(_("evidence"), blank=True)

    class Meta:
        ordering = ["assessment", "id"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "criterion"], name="selfcheck_one_answer"),
        ]

    def __str__(self) -> str:
        return f"{self.criterion_id}: {self.answer}"
