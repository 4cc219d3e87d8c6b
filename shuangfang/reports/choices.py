from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    MONTHLY = "monthly", _("Monthly report")
    QUARTERLY = "quarterly", _("Quarterly report")
