"""The words several apps share, each defined once: how urgent something is (:class:`Severity`), the
grade of a hazard (:class:`HazardGrade`) and the six checks (:class:`CheckCategory`, 六查六防).

Apps import these names from here (core imports no domain app, so any app may); none keeps a copy
of its own (``core/tests/test_vocabulary.py`` fails on one). The stored values are the database's:
never change one. The Chinese labels are in core's catalogue (core is first in ``INSTALLED_APPS``,
so its translation is the one every page shows).
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class Severity(models.TextChoices):
    """How urgent an alarm, an alarm rule or a notice is (monitoring, notifications, the events
    between apps)."""

    INFO = "info", _("Information")
    WARNING = "warning", _("Warning")
    CRITICAL = "critical", _("Critical")


SEVERITY_RANK: dict[str, int] = {Severity.INFO: 0, Severity.WARNING: 1, Severity.CRITICAL: 2}


class HazardGrade(models.TextChoices):
    """一般隐患 / 重大隐患: the grade of a hazard, and of the hazard a failed check item becomes."""

    GENERAL = "general", _("General hazard")
    MAJOR = "major", _("Major hazard")


class CheckCategory(models.TextChoices):
    """What a check item or a hazard is about: the six checks (六查六防, domain-reference §4.7) and,
    for hazards only, service safety and special equipment (§2.11). A check item takes one of
    :data:`SIX_CHECKS`; a hazard any of the eight."""

    FIRE = "fire", _("Fire safety")
    UTILITIES = "utilities", _("Water, electricity and gas")
    FOOD = "food", _("Food hygiene")
    FACILITIES = "facilities", _("Facilities")
    SECURITY = "security", _("Security")
    RULES = "rules", _("Rules in practice")
    SERVICE = "service", _("Service safety")
    SPECIAL_EQUIPMENT = "special_equipment", _("Special equipment")


SIX_CHECKS: tuple[CheckCategory, ...] = (
    CheckCategory.FIRE,
    CheckCategory.UTILITIES,
    CheckCategory.FOOD,
    CheckCategory.FACILITIES,
    CheckCategory.SECURITY,
    CheckCategory.RULES,
)
# The choices of a check item's category (inspections): the six checks, in this order.
SIX_CHECK_CHOICES: list[tuple[str, Any]] = [(c.value, c.label) for c in SIX_CHECKS]  # lazy labels
