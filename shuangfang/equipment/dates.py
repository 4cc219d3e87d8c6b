"""The daily sweep of equipment dates: reminders before a statutory inspection or the end of a
service life (``catalogue.REMIND_DAYS_BEFORE``), a notice when one has passed, and for special
equipment whose statutory inspection is overdue exactly one hazard per due date, graded as the
major-hazard criterion says for the institution's type and citing it (``catalogue.CRITERIA``).

Idempotent: every notice has an origin (item, date, threshold), so the outbox writes it once however
often the sweep runs; the hazard is stamped on the item (``statutory_hazard_for``) in the same
transaction. A notice is published only inside its window (a reminder until the next threshold, an
overdue notice for ``OVERDUE_NOTICE_DAYS``), so a stopped worker catches up and nothing is told daily
for ever.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from shuangfang.core import events
from shuangfang.core.vocabulary import CheckCategory, HazardGrade, Severity

from .catalogue import CRITERIA, KINDS, REMIND_DAYS_BEFORE, STATUTORY_CRITERION
from .models import Equipment

log = logging.getLogger(__name__)

OVERDUE_NOTICE_DAYS = 7
ROLES = ["safety_officer", "institution_head"]


def _threshold(days_left: int) -> int | None:
    """The reminder threshold whose window holds ``days_left`` (30 for 8–30 days, 7 for 1–7)."""
    for i, limit in enumerate(sorted(REMIND_DAYS_BEFORE)):
        lower = sorted(REMIND_DAYS_BEFORE)[i - 1] if i else 0
        if lower < days_left <= limit:
            return limit
    return None


def _notice(item: Equipment, what: str, due: dt.date, today: dt.date) -> None:
    days_left = (due - today).days
    passed = days_left <= 0 if what == "life" else days_left < 0
    if passed:
        if -days_left > OVERDUE_NOTICE_DAYS:
            return
        kind, threshold = "equipment.overdue", 0
        text = {
            "inspection": _("Statutory inspection overdue since %(date)s: %(item)s"),
            "life": _("Past its service life since %(date)s: %(item)s"),
            "repair": _("Repair and hydrostatic test overdue since %(date)s: %(item)s"),
        }[what]
    else:
        found = _threshold(days_left)
        if found is None:
            return
        kind, threshold = "equipment.due_soon", found
        text = {
            "inspection": _("Statutory inspection due on %(date)s: %(item)s"),
            "life": _("Service life ends on %(date)s: %(item)s"),
            "repair": _("Repair and hydrostatic test due on %(date)s: %(item)s"),
        }[what]
    events.publish(
        kind,
        organization_id=item.organization_id,
        object_uuid=str(item.uuid),
        title=text % {"date": due.isoformat(), "item": item},
        url=item.get_absolute_url(),
        severity=Severity.WARNING if passed else Severity.INFO,
        roles=ROLES,
        what=what,
        due_on=due.isoformat(),
        days_before=threshold,
    )


def criterion_for(institution_type: str) -> dict | None:
    """The criterion an overdue statutory inspection meets at this type of institution, if any
    retrieved criterion covers it."""
    crit = CRITERIA[STATUTORY_CRITERION]
    return crit if institution_type in crit["institution_types"] else None


def _statutory_hazard(item: Equipment, today: dt.date) -> None:
    from shuangfang.hazards.choices import Source
    from shuangfang.hazards.services import cited, report_hazard

    due = item.next_inspection_on
    assert due is not None
    crit = CRITERIA[STATUTORY_CRITERION]
    applies = criterion_for(item.organization.institution_type) is not None
    reg = item.registration_number
    lead = _("%(item)s (registration %(reg)s) is past its statutory inspection date %(date)s.") % {
        "item": item,
        "reg": reg,
        "date": due.isoformat(),
    }
    if applies:
        basis = _("Major hazard by %(title)s [%(code)s]: %(text)s Source: %(source)s") % crit
    else:
        basis = (
            _(
                "No retrieved major-hazard criterion covers this type of institution; for reference, "
                "%(title)s [%(code)s]: %(text)s Confirm the grade."
            )
            % crit
        )
    code = ""
    if applies:  # cited from the criteria library: the bureau is told, downgrading needs its approval
        try:
            code = cited(STATUTORY_CRITERION, item.organization, on=today).code
        except ValidationError:
            code = ""  # not citable today (superseded, not imported): major by the text above
    report_hazard(
        actor=None,
        organization=item.organization,
        criterion_code=code,
        title=(_("Statutory inspection overdue: %(item)s") % {"item": item})[:120],  # system-made
        description=f"{lead}\n{basis}",
        source=Source.SPECIALIST,
        category=CheckCategory.SPECIAL_EQUIPMENT,
        grade=HazardGrade.MAJOR if applies else None,
        risk_point=item.risk_point,
        origin=f"equipment-statutory:{item.uuid}:{due.isoformat()}",
    )
    Equipment.objects.filter(pk=item.pk).update(statutory_hazard_for=due)


def sweep(*, today: dt.date | None = None) -> dict[str, int]:
    """Reminders, overdue notices and overdue-inspection hazards; one transaction per item, so one
    item that fails is logged and the others go on."""
    today = today or timezone.localdate()
    horizon = today + dt.timedelta(days=max(REMIND_DAYS_BEFORE))
    items = (
        Equipment.objects.filter(is_active=True)
        .filter(
            Q(next_inspection_on__lte=horizon) | Q(expires_on__lte=horizon) | Q(next_repair_on__lte=horizon)
        )
        .select_related("organization", "risk_point")
        .order_by("pk")
    )
    counts = {"items": 0, "hazards": 0, "failed": 0}
    for item in items.iterator(chunk_size=500):
        try:
            with transaction.atomic():
                if item.next_inspection_on:
                    _notice(item, "inspection", item.next_inspection_on, today)
                if item.expires_on:
                    _notice(item, "life", item.expires_on, today)
                if item.next_repair_on:
                    _notice(item, "repair", item.next_repair_on, today)
                special = KINDS[item.kind].special
                if (
                    special
                    and item.inspection_overdue(today)
                    and item.statutory_hazard_for != item.next_inspection_on
                ):
                    _statutory_hazard(item, today)
                    counts["hazards"] += 1
            counts["items"] += 1
        except Exception:  # one item's failure never stops the sweep
            log.exception("equipment date sweep: %s", item.uuid)
            counts["failed"] += 1
    return counts
