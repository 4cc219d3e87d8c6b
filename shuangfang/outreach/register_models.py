"""The at-risk register (易走失/易流浪人员信息库, domain-reference §5.6) kept by a bureau or a district
bureau, and its half-yearly revisits. Sensitive personal data: masked and every view logged."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shuangfang.core.tenancy import TenantModel, TenantQuerySet

from .choices import RiskCategory

USER = settings.AUTH_USER_MODEL


class AtRiskPerson(TenantModel):
    name = models.CharField(pgettext_lazy("relief", "name"), max_length=60)
    category = models.CharField(_("category"), max_length=20, choices=RiskCategory.choices)
    id_number = models.CharField(_("document number"), max_length=30, blank=True)
    guardian = models.CharField(_("guardian"), max_length=60, blank=True)
    guardian_phone = models.CharField(_("guardian's phone"), max_length=30, blank=True)
    community = models.CharField(_("township and community"), max_length=120)
    features = models.CharField(_("distinguishing features"), max_length=200, blank=True)
    notes = models.TextField(_("risk notes"), blank=True)
    # A photo helps bring the person home; kept only when the person or the guardian agreed.
    photo = models.CharField(max_length=200, blank=True, editable=False)
    photo_thumb = models.CharField(max_length=200, blank=True, editable=False)
    photo_consent = models.BooleanField(_("the person or the guardian agreed to a photo"), default=False)
    assignee = models.ForeignKey(
        USER,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revisited by"),
    )
    added_at = models.DateTimeField(_("added at"))
    removed_at = models.DateTimeField(_("removed at"), null=True, blank=True)
    removed_reason = models.CharField(_("reason for removal"), max_length=200, blank=True)
    anonymised_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = TenantQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        ordering = ["community", "name"]
        verbose_name = _("person on the at-risk register")

    def __str__(self) -> str:
        return self.name


class Revisit(TenantModel):
    """One half-yearly visit (every January and July by default) of a person on the register."""

    person = models.ForeignKey(AtRiskPerson, on_delete=models.PROTECT, related_name="revisits")
    period = models.DateField(pgettext_lazy("revisit", "period"))  # the first day of the revisit month
    assignee = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    note = models.CharField(_("what the visit found"), max_length=300, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = TenantQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        ordering = ["-period"]
        verbose_name = _("revisit")
        constraints = [models.UniqueConstraint(fields=["person", "period"], name="outreach_revisit_once")]


class RegisterMatch(TenantModel):
    """A person on the register who turned up at a relief station: the station's case matched the
    register entry (same document number, or same name and category-independent township hint).
    ``organization`` is the station; the officer sees the flag on the case's patrol/admission."""

    person = models.ForeignKey(AtRiskPerson, on_delete=models.PROTECT, related_name="matches")
    case_uuid = models.UUIDField()
    case_number = models.CharField(max_length=30, blank=True)
    matched_on = models.CharField(max_length=20)  # "id_number" or "name"
    matched_at = models.DateTimeField()

    objects = TenantQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        ordering = ["-matched_at"]
        verbose_name = _("register match")
        constraints = [models.UniqueConstraint(fields=["person", "case_uuid"], name="outreach_match_once")]
