from django.db import models
from django.utils.translation import gettext_lazy as _


class Need(models.TextChoices):
    FOOD = "food", _("Food or water")
    WARMTH = "warmth", _("Clothes or bedding")
    MEDICAL = "medical", _("Medical care")
    SHELTER = "shelter", _("A place to stay")
    GOING_HOME = "going_home", _("Help to go home")
    NONE = "none", _("None stated")


class Action(models.TextChoices):
    PERSUADED = "persuaded", _("Persuaded to come in")
    SUPPLIES = "supplies", _("Supplies given")
    HOSPITAL = "hospital", _("Taken to hospital")
    POLICE = "police", _("Police called")
    REFUSED = "refused", _("Refused help")


class RiskCategory(models.TextChoices):
    """易走失/易流浪人员信息库 categories (domain-reference §5.6, Chongqing 2021), respectful labels."""

    MENTAL_HEALTH = "mental_health", _("Living with a mental health condition")
    INTELLECTUAL = "intellectual", _("Living with an intellectual disability")
    PHYSICAL = "physical", _("Living with a physical disability")
    DEMENTIA = "dementia", _("Living with dementia (Alzheimer's)")
    CHILD = "child", _("Child in difficulty (poverty, disability, lack of care)")
    ELDERLY_ALONE = "elderly_alone", _("Older person living alone")
    REPEAT = "repeat", _("Has left home repeatedly")


class CampaignKind(models.TextChoices):
    WINTER = "winter", _("Winter warmth")
    SUMMER = "summer", _("Summer cool")
    OTHER = "other", _("Other campaign")


class PatrolPlanKind(models.TextChoices):
    DAILY = "daily", _("Daily street patrol")
    EXTREME_NIGHT = "extreme_night", _("Night patrol in extreme weather")


class Weather(models.TextChoices):
    """Extreme weather that calls for night patrols (domain-reference §5.7: cold waves in winter,
    heat waves in summer)."""

    COLD = "cold", _("Cold wave")
    HEAT = "heat", _("Heat wave")
    STORM = "storm", _("Storm or heavy snow")
