from django.db import models
from django.utils.translation import gettext_lazy as _


class StandardKind(models.TextChoices):
    """Who issued a list of criteria: the ministry (a 判定标准 for one institution type), a national
    standard (GB 35181 for fire), or a bureau refining a ministry list (Art. 2 allows provinces to)."""

    MINISTRY = "ministry", _("Ministry standard")
    NATIONAL = "national", _("National standard (GB)")
    REFINEMENT = "refinement", _("Provincial refinement")


class Answer(models.TextChoices):
    """A self-check answer per situation (domain-reference §4.2: 是/否/不涉及)."""

    YES = "yes", _("Yes, this situation exists")
    NO = "no", _("No")
    NOT_APPLICABLE = "na", _("Not applicable")


# The institution types a list of criteria applies to: those of the organisation tree plus the
# mental-health welfare homes the ministry also issued a standard for (not an organisation type yet).
MENTAL_HEALTH_WELFARE = "mental_health_welfare"
INSTITUTION_TYPE_LABELS = {
    "relief_station": _("Relief station"),
    "elderly_care": _("Elderly-care home"),
    "child_welfare": _("Child-welfare home"),
    MENTAL_HEALTH_WELFARE: _("Mental-health welfare home"),
}
