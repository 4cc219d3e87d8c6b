"""Assessment-score schemes (考核方案): the weights a bureau sets for each indicator.

Not to be confused with ``risks.Assessment`` (the assessment of a risk). A scheme is never edited
in place: saving makes a new version and the old one stays, so a score reported earlier can still
be explained with the weights it was computed with."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shuangfang.core.tenancy import TenantModel

from .choices import NoData, RuleSpec


class ScoringScheme(TenantModel):
    """One version of a bureau's scheme (``organization`` is the city or district bureau)."""

    version = models.PositiveSmallIntegerField(_("version"), default=1)
    is_current = models.BooleanField(_("in force"), default=True)
    note = models.CharField(_("reason for the change"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("saved at"), auto_now_add=True)
    # Rewards and penalties (奖惩) recorded against an institution in the period adjust its score by
    # at most these points each way; 0 leaves them out (the default and every scheme saved before).
    bonus_cap = models.DecimalField(_("most bonus points"), max_digits=4, decimal_places=1, default=0)
    penalty_cap = models.DecimalField(_("most penalty points"), max_digits=4, decimal_places=1, default=0)

    class Meta:
        ordering = ["organization", "-version"]
        verbose_name = _("scoring scheme")
        verbose_name_plural = _("scoring schemes")
        constraints = [
            models.UniqueConstraint(fields=["organization", "version"], name="scheme_org_version"),
            models.UniqueConstraint(
                fields=["organization"], condition=Q(is_current=True), name="scheme_one_current"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} v{self.version}"


class ScoringRule(models.Model):
    """The weight (points) of one indicator in a scheme, and the parameters of its rule."""

    scheme = models.ForeignKey(ScoringScheme, on_delete=models.CASCADE, related_name="rules")
    # A key of the indicator registry (``registry.INDICATORS``): other apps add indicators.
    indicator = models.CharField(_("indicator"), max_length=40)
    weight = models.PositiveSmallIntegerField(_("weight (points)"))
    per_item = models.DecimalField(_("points deducted per item"), max_digits=5, decimal_places=1, default=0)
    cap = models.DecimalField(
        _("most points deducted"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    no_data = models.CharField(
        _("when there is nothing to measure"), max_length=10, choices=NoData.choices, default=NoData.EXCLUDE
    )

    class Meta:
        ordering = ["scheme", "id"]
        verbose_name = _("scoring rule")
        verbose_name_plural = _("scoring rules")
        constraints = [
            models.UniqueConstraint(fields=["scheme", "indicator"], name="rule_one_per_indicator"),
        ]

    def __str__(self) -> str:
        return f"{self.label} {self.weight}"

    @property
    def label(self) -> str:
        from .registry import INDICATORS

        ind = INDICATORS.get(self.indicator)
        return str(ind.label) if ind is not None else self.indicator

    @property
    def kind(self) -> str:
        return self.spec().kind

    def spec(self) -> RuleSpec:
        return RuleSpec(
            indicator=self.indicator,
            weight=self.weight,
            per_item=self.per_item,
            cap=self.cap,
            no_data=self.no_data,
        )


class ScoreSnapshot(models.Model):
    """An institution's score for a period as the worker last computed it (``snapshots.py``).

    The bureau dashboard and the big screen read these instead of computing the scores of every
    institution per view; the assessment pages always compute live. ``computed_at`` says how fresh
    the row is: a row older than ``snapshots.MAX_AGE`` is not used."""

    organization = models.ForeignKey("orgs.Organization", on_delete=models.CASCADE, related_name="+")
    start = models.DateField(_("from"))
    end = models.DateField(_("until (exclusive)"))
    total = models.DecimalField(_("score"), max_digits=5, decimal_places=1, null=True, blank=True)
    base = models.DecimalField(
        _("score of the indicators"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    # The scheme the score used; None: the built-in default.
    scheme = models.ForeignKey(
        ScoringScheme, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("score snapshot")
        verbose_name_plural = _("score snapshots")
        constraints = [
            models.UniqueConstraint(fields=["organization", "start", "end"], name="score_snapshot_period"),
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.start}–{self.end}: {self.total}"
