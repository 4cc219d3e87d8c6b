from django.db import models
from django.utils.translation import gettext_lazy as _


class VisitKind(models.TextChoices):
    MAINTENANCE = "maintenance", _("Maintenance visit")
    STATUTORY = "statutory", _("Statutory inspection")
    REPAIR = "repair", _("Repair")


class Adapter(models.TextChoices):
    ISAPI = "isapi", _("Recorder answers over HTTP (ISAPI content search)")
    MANUAL = "manual", _("Reported by a person (monthly check task)")


class RetentionResult(models.TextChoices):
    OK = "ok", _("Kept long enough")
    SHORT = "short", _("Kept too short")
    GAP = "gap", _("Gap in the recordings")
    OFFLINE = "offline", _("Recorder did not answer")
    ERROR = "error", _("Recorder answered nonsense")
