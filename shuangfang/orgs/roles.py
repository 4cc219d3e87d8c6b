from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    BUREAU_SUPERVISOR = "bureau_supervisor", _("Bureau supervisor")
    INSTITUTION_HEAD = "institution_head", _("Institution head")
    SAFETY_OFFICER = "safety_officer", _("Safety officer")
    DEPARTMENT_HEAD = "department_head", _("Department head")
    STAFF = "staff", _("Staff")
    ASSESSOR = "assessor", _("Third-party assessor")


ALL_ROLES = [r.value for r in Role]
# Roles that run an institution's safety work day to day.
MANAGERS = [Role.ADMIN, Role.INSTITUTION_HEAD, Role.SAFETY_OFFICER]
