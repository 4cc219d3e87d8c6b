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
