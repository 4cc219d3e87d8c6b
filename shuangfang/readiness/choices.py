"""The readiness app's own code lists (training, drills, responsibility letters)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Confidence(models.TextChoices):
    """How sure a default is (domain-reference's tags): [V] verified, [M] commonly cited, product choice."""

    VERIFIED = "verified", _("Verified in a source")
    COMMON = "common", _("Common practice, not verified")
    PRODUCT = "product", _("Product default, no standard")


class CourseTopic(models.TextChoices):
    FIRE = "fire", _("Fire safety")
    FOOD = "food", _("Food safety")
    GAS = "gas", _("Gas safety")
    EMERGENCY_CARD = "emergency_card", _("Emergency card of a risk point")
    INDUCTION = "induction", _("New staff induction")
    DUAL_PREVENTION = "dual_prevention", _("Dual prevention (risks and hazards)")
    OTHER = "other", _("Other")


class AppliesTo(models.TextChoices):
    EVERY_POST = "every_post", _("Everyone")
    POST = "post", _("Holders of a post")
    ROLE = "role", _("Holders of a role")
    RISK_LEVEL = "risk_level", _("Posts at risk points of a level")
    NEW_STAFF = "new_staff", _("New staff")


class Delivery(models.TextChoices):
    INTERNAL = "internal", _("Internal")
    EXPERT = "expert", _("External expert (fire brigade, third party)")
    ONLINE = "online", _("Online material")


class SignInMethod(models.TextChoices):
    QR = "qr", _("QR sign-in")
    TRAINER = "trainer", _("Marked by the trainer")


class TrainingState(models.TextChoices):
    DONE = "done", pgettext_lazy("training state", "Done")
    DUE = "due", pgettext_lazy("training state", "Due")
    OVERDUE = "overdue", pgettext_lazy("training state", "Overdue")


class DrillKind(models.TextChoices):
    FIRE = "fire", _("Fire and evacuation")
    FOOD_POISONING = "food_poisoning", _("Food poisoning")
    EPIDEMIC = "epidemic", _("Epidemic")
    MISSING_PERSON = "missing_person", _("Missing resident or person")
    EXTREME_WEATHER = "extreme_weather", _("Extreme weather")
    OTHER = "other", _("Other")


class DrillStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    EXECUTED = "executed", _("Executed, to be evaluated")
    EVALUATED = "evaluated", _("Evaluated")
    CANCELLED = "cancelled", _("Cancelled")


class StepKind(models.TextChoices):
    ALARM = "alarm", pgettext_lazy("drill", "Alarm raised")
    EVACUATED = "evacuated", _("Evacuation complete")
    OTHER = "other", _("Other step")


class LetterLevel(models.TextChoices):
    """Layer by layer (层层签订): who issues to whom."""

    INSTITUTION_HEAD = "institution_head", _("Bureau → institution head")
    DEPARTMENT_HEAD = "department_head", _("Institution head → department head")
    POST_HOLDER = "post_holder", _("Department head → post holder")


class LetterStatus(models.TextChoices):
    ISSUED = "issued", _("Waiting for signature")
    SIGNED = "signed", _("Signed")
    REVOKED = "revoked", _("Revoked")


class PlanKind(models.TextChoices):
    COMPREHENSIVE = "comprehensive", _("Comprehensive plan")
    SPECIAL = "special", _("Special plan")
    ONSITE = "onsite", _("On-site disposal plan")


class SupplyKind(models.TextChoices):
    PROTECTIVE = "protective", _("Protective supplies")
    MICRO_FIRE_STATION = "micro_fire_station", _("Micro fire station kit")
    ANTI_RIOT = "anti_riot", _("Anti-riot kit")
    FIRST_AID = "first_aid", _("First aid")
    OTHER = "other", _("Other supplies")


class AccountabilityKind(models.TextChoices):
    SUPERVISION = "supervision", _("Supervision visit")
    INTERVIEW = "interview", _("Admonishing talk (约谈)")
    CRITICISM = "criticism", _("Notice of criticism")
    PENALTY = "penalty", _("Penalty")
    REWARD = "reward", _("Reward")
