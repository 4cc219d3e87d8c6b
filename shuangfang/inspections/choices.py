from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ChecklistKind(models.TextChoices):
    POST = "post", _("Post inspection")
    SPECIALIST = "specialist", _("Specialist inspection")
    BUREAU = "bureau", _("Bureau inspection")


class Frequency(models.TextChoices):
    HOURS = "hours", _("Every N hours")
    SHIFT = "shift", _("Each shift")
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly on chosen days")
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    SEASONAL = "seasonal", _("Seasonal")
    HOLIDAYS = "holidays", _("Before listed holidays")


class DayRule(models.TextChoices):
    ALL = "all", _("Every day")
    WORKDAYS = "workdays", _("Working days only")
    RESTDAYS = "restdays", _("Rest days only")


class AssigneeKind(models.TextChoices):
    PERSON = "person", _("A person")
    POST = "post", _("A post")
    ROLE = "role", _("A role")
    ON_SHIFT = "on_shift", _("Whoever is on shift")


class TaskStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("inspection task", "Open")
    DONE = "done", _("Done")
    MISSED = "missed", _("Missed")


class Result(models.TextChoices):
    OK = "ok", _("OK")
    PROBLEM = "problem", _("Problem found")
    NA = "na", _("Not applicable")


class CalendarKind(models.TextChoices):
    HOLIDAY = "holiday", _("Public holiday")
    WORKDAY = "workday", _("Make-up working day")


# A bureau's spot-check task (定期抽查) has no plan and ``place_key`` "spot:<bureau id>" (see
# ``taskflow``). Done, it counts for the institution as a bureau inspection always did (a done task
# on the day); open or missed, it is the bureau's work, not the institution's, and is left out of
# the institution's task figures (``TaskDay``, dashboards, reports, assessment).
SPOT_PREFIX = "spot:"
SPOT_TASKS = Q(plan__isnull=True, place_key__startswith=SPOT_PREFIX)
SPOT_NOT_DONE = SPOT_TASKS & ~Q(status=TaskStatus.DONE)


def is_spot_check(task) -> bool:
    """The row-by-row form of ``SPOT_TASKS``."""
    return task.plan_id is None and task.place_key.startswith(SPOT_PREFIX)


# ChecklistItem.source_kind of an item made from a risk's control measure (source_ref: its uuid).
FROM_MEASURE = "control_measure"
# The prefix of the origin key of what is filed for an answer to an item (RecordItem.origin).
ITEM_ORIGIN = "inspection-item"
