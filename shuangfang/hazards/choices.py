"""Code lists of the hazard ledger, with the MEM interface codes (domain-reference §2.10–§2.12, §6.3)
kept beside each value so an export in the national shape is a lookup, not an ``if``."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from shuangfang.core.vocabulary import CheckCategory, HazardGrade


class Status(models.TextChoices):
    REPORTED = "reported", _("To confirm")
    PLANNING = "planning", _("Awaiting plan")
    RECTIFYING = "rectifying", _("In rectification")
    PENDING_ACCEPTANCE = "pending_acceptance", _("Awaiting acceptance")
    CLOSED = "closed", _("Closed")
    REJECTED = "rejected", _("Not a hazard")
    DUPLICATE = "duplicate", _("Duplicate")


OPEN_STATUSES = (Status.REPORTED, Status.PLANNING, Status.RECTIFYING, Status.PENDING_ACCEPTANCE)
FINAL_STATUSES = (Status.CLOSED, Status.REJECTED, Status.DUPLICATE)

# dangerState of the MEM interface: -1 before confirmation, 0 in rectification, 1 awaiting
# acceptance, 9 accepted. Rejected/duplicate reports never reach the national ledger.
MEM_STATE = {
    Status.REPORTED: -1,
    Status.PLANNING: 0,
    Status.RECTIFYING: 0,
    Status.PENDING_ACCEPTANCE: 1,
    Status.CLOSED: 9,
}


MEM_GRADE = {HazardGrade.GENERAL: 0, HazardGrade.MAJOR: 1}


class Source(models.TextChoices):
    """The ten MEM sources (§2.10, codes 1–10) plus the channels a civil-affairs hazard arrives by;
    each channel maps onto one MEM code in ``MEM_SOURCE``."""

    ROUTINE = "routine", _("Routine check")
    COMPREHENSIVE = "comprehensive", _("Comprehensive check")
    SPECIALIST = "specialist", _("Specialist check")
    SEASONAL = "seasonal", _("Seasonal check")
    HOLIDAY = "holiday", _("Pre-holiday check")
    ANALOGY = "analogy", _("Accident-analogy check")
    RESUMPTION = "resumption", _("Pre-resumption check")
    EXPERT = "expert", _("External expert diagnosis")
    CONTROL_FAILURE = "control_failure", _("Control measure failure")
    OTHER = "other", _("Other")
    SNAP = "snap", _("Snap report")
    SENSOR = "sensor", _("Sensor alarm")
    BUREAU = "bureau", _("Bureau inspection")
    EXTERNAL = "external", _("Outside body (fire brigade, market regulator)")


MEM_SOURCE = {
    Source.ROUTINE: 1,
    Source.COMPREHENSIVE: 2,
    Source.SPECIALIST: 3,
    Source.SEASONAL: 4,
    Source.HOLIDAY: 5,
    Source.ANALOGY: 6,
    Source.RESUMPTION: 7,
    Source.EXPERT: 8,
    Source.CONTROL_FAILURE: 9,
    Source.OTHER: 10,
    Source.SNAP: 1,
    Source.SENSOR: 9,
    Source.BUREAU: 10,
    Source.EXTERNAL: 10,
}


# hazardDangerType of the MEM interface (§2.11 mapping) of each category (the six checks, service
# safety, special equipment).
MEM_CATEGORY = {
    CheckCategory.FIRE: 5,
    CheckCategory.UTILITIES: 3,
    CheckCategory.FACILITIES: 7,
    CheckCategory.SPECIAL_EQUIPMENT: 7,
    CheckCategory.FOOD: 1,
    CheckCategory.SECURITY: 1,
    CheckCategory.SERVICE: 1,
    CheckCategory.RULES: 8,
}


class Treatment(models.TextChoices):
    ON_SPOT = "on_spot", _("Fixed on the spot")
    DEADLINE = "deadline", _("Rectification by deadline")


MEM_TREATMENT = {Treatment.ON_SPOT: 0, Treatment.DEADLINE: 1}


class PhotoKind(models.TextChoices):
    BEFORE = "before", _("Before")
    PROGRESS = "progress", _("Progress")
    AFTER = "after", _("After")
