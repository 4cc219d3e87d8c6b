"""Code lists of public reports: the officer's status, the reasons a report is not taken up, and the
few plain words a visitor sees."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Status(models.TextChoices):
    """Where a public report is in the officer's triage (one field, moved by ``services.FLOW``)."""

    RECEIVED = "received", _("To triage")
    CONFIRMED = "confirmed", _("Confirmed as a hazard")
    MERGED = "merged", _("Merged as a duplicate")
    REJECTED = "rejected", pgettext_lazy("public report", "Rejected")


class RejectReason(models.TextChoices):
    """Why a report is not taken up. The visitor sees only "checked: no action needed"; the reason
    and the officer's note stay inside."""

    NOT_A_HAZARD = "not_a_hazard", _("Not a safety hazard")
    NOT_FOUND = "not_found", _("Nothing found on the spot")
    ALREADY_FIXED = "already_fixed", _("Already fixed")
    NOT_GENUINE = "not_genuine", _("Not a genuine report (test, joke, abuse)")


class PublicStatus(models.TextChoices):
    """The plain words of the follow-up page: never a number, a name or a note from inside."""

    RECEIVED = "received", _("Received: we are checking it")
    FIXING = "fixing", _("Being fixed")
    FIXED = "fixed", _("Fixed")
    NO_ACTION = "no_action", _("Checked: no action needed")
