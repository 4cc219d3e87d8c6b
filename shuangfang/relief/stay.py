"""In station: item custody (物品代管), the assistance period and its extensions, family-search
actions and the "still here" list."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shuangfang.core import audit
from shuangfang.core.tenancy import require

from .choices import CaseStatus, ExtensionReason, SearchKind
from .models import Case, CustodyItem, Extension, SearchAction

audit.register_actions(
    {
        "relief.item_received": gettext_lazy("Took an item into custody"),
        "relief.items_returned": gettext_lazy("Returned items in custody"),
        "relief.period_extended": gettext_lazy("Extended the assistance period"),
        "relief.search_recorded": gettext_lazy("Recorded a family-search action"),
        "relief.stay_updated": gettext_lazy("Updated zone, bed or services"),
    }
)

CUSTODY_OPEN = (CaseStatus.CHECKED, CaseStatus.SCREENED, CaseStatus.AT_HOSPITAL, CaseStatus.IN_STATION)


def take_item(
    *,
    actor,
    case: Case,
    description: str,
    quantity: int = 1,
    prohibited: bool = False,
    police_receipt: str = "",
) -> CustodyItem:
    """An item found at the security check goes into custody; a prohibited one is handed to the
    police (its police receipt number recorded), never returned."""
    require(actor, "relief.manage", case.organization)
    description = (description or "").strip()
    if not description:
        raise ValidationError(_("Describe the item."))
    if case.status not in CUSTODY_OPEN:
        raise ValidationError(
            _("Items are taken into custody after the security check, while the case is open.")
        )
    if not 1 <= quantity <= 999:
        raise ValidationError(_("The quantity is between 1 and 999."))
    if prohibited and not (police_receipt or "").strip():
        raise ValidationError(_("A prohibited item is handed to the police: write their receipt number."))
    with transaction.atomic():
        item = CustodyItem.objects.create(
            case=case,
            description=description[:120],
            quantity=quantity,
            prohibited=prohibited,
            police_receipt=(police_receipt or "").strip()[:60],
            received_at=timezone.now(),
            received_by=actor,
        )
        audit.record(
            actor=actor,
            action="relief.item_received",
            obj=case,
            organization=case.organization,
            after={"item": str(item), "prohibited": prohibited},
        )
    return item


def signature_file(data_url: str) -> str:
    """Store a signature drawn on the screen (``data:image/png;base64,…``); its storage name."""
    import base64
    import binascii
    import uuid

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from django.core.files.uploadedfile import SimpleUploadedFile

    from shuangfang.core.uploads import check_image

    head, _sep, body = (data_url or "").partition(",")
    try:
        raw = base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if head != "data:image/png;base64" or not raw:
        raise ValidationError(_("The signature is not a picture."))
    check_image(SimpleUploadedFile("signature.png", raw, content_type="image/png"), limit=512 * 1024)
    return default_storage.save(f"relief-signatures/{uuid.uuid4().hex}.png", ContentFile(raw))


def return_items(*, actor, case: Case, item_ids: list[int], signature: str = "") -> int:
    """Return items against the custody receipt, with the owner's signature drawn on the screen
    when given. Refused for an item that was never in this case's custody, one already returned or
    one handed to the police; nothing is returned then."""
    require(actor, "relief.manage", case.organization)
    wanted = set(item_ids)
    if not wanted:
        raise ValidationError(_("Choose the items to return."))
    stored = signature_file(signature) if signature else ""
    with transaction.atomic():
        items = {i.pk: i for i in CustodyItem.objects.select_for_update().filter(case=case, pk__in=wanted)}
        if set(items) != wanted:
            raise ValidationError(_("An item chosen was never in this person's custody."))
        if any(i.prohibited for i in items.values()):
            raise ValidationError(_("A prohibited item was handed to the police and is not returned."))
        if any(i.returned_at for i in items.values()):
            raise ValidationError(_("An item chosen was already returned."))
        now = timezone.now()
        CustodyItem.objects.filter(pk__in=wanted).update(
            returned_at=now, returned_by=actor, return_signature=stored
        )
        audit.record(
            actor=actor,
            action="relief.items_returned",
            obj=case,
            organization=case.organization,
            after={"returned_items": sorted(str(i) for i in items.values()), "signed": bool(stored)},
        )
    return len(wanted)


def extend(*, actor, case: Case, days: int, reason: str, note: str = "") -> Extension:
    require(actor, "relief.manage", case.organization)
    if case.status != CaseStatus.IN_STATION:
        raise ValidationError(_("Only the stay of a person in the station is extended."))
    if reason not in ExtensionReason.values:
        raise ValidationError(_("Choose the reason for the extension."))
    if not 1 <= days <= 90:
        raise ValidationError(_("An extension is between 1 and 90 days."))
    if reason == ExtensionReason.OTHER and not note.strip():
        raise ValidationError(_("Explain the extension."))
    with transaction.atomic():
        ext = Extension.objects.create(
            case=case, days=days, reason=reason, note=note.strip()[:200], by=actor, at=timezone.now()
        )
        Case.objects.filter(pk=case.pk).update(period_days=F("period_days") + days)
        case.refresh_from_db(fields=["period_days"])
        audit.record(
            actor=actor,
            action="relief.period_extended",
            obj=case,
            organization=case.organization,
            after={"days": days, "reason": reason, "period_days": case.period_days},
            note=note,
        )
    return ext


def record_search(
    *, actor, case: Case, kind: str, on: dt.date, done: bool = True, external_ref: str = "", note: str = ""
) -> SearchAction:
    """A family-search action; only the national systems' reference number is kept (§5.5)."""
    require(actor, "relief.manage", case.organization)
    if kind not in SearchKind.values:
        raise ValidationError(_("Choose the search action."))
    if on > timezone.localdate():
        raise ValidationError(_("The date is in the future."))
    if case.status in (CaseStatus.REFUSED, CaseStatus.DEPARTED):
        raise ValidationError(_("The case is closed."))
    with transaction.atomic():
        action = SearchAction.objects.create(
            case=case,
            kind=kind,
            on=on,
            done=done,
            external_ref=external_ref.strip()[:60],
            note=note.strip()[:200],
            by=actor,
        )
        audit.record(
            actor=actor,
            action="relief.search_recorded",
            obj=case,
            organization=case.organization,
            after={
                "search_kind": kind,
                "search_done": done,
                "search_on": on.isoformat(),
                "external_ref": action.external_ref,
            },
        )
    return action


def update_stay(*, actor, case: Case, zone: str, bed: str, services_note: str) -> Case:
    require(actor, "relief.manage", case.organization)
    if case.status != CaseStatus.IN_STATION:
        raise ValidationError(_("The person is not in the station."))
    if not zone.strip():
        raise ValidationError(_("Choose the zone the person stays in."))
    with transaction.atomic():
        before = audit.snapshot(case, ("zone", "bed"))
        Case.objects.filter(pk=case.pk).update(
            zone=zone.strip()[:40], bed=bed.strip()[:20], services_note=services_note.strip()
        )
        case.refresh_from_db(fields=["zone", "bed", "services_note"])
        audit.record(
            actor=actor,
            action="relief.stay_updated",
            obj=case,
            organization=case.organization,
            before=before,
            after=audit.snapshot(case, ("zone", "bed")),
        )
    return case


@dataclass
class Stay:
    case: Case
    days: int  # days in station, the day of admission counting as day 1
    ends: dt.date
    overdue: bool


def period_end(case: Case) -> dt.date:
    start = timezone.localdate(case.admitted_at) if case.admitted_at else timezone.localdate()
    return start + dt.timedelta(days=case.period_days)


def still_here(cases, today: dt.date) -> list[Stay]:
    """Persons in the station with their days in station and whether the period has ended."""
    out = []
    for case in cases.filter(status=CaseStatus.IN_STATION).select_related("person").order_by("admitted_at"):
        start = timezone.localdate(case.admitted_at)
        end = period_end(case)
        out.append(Stay(case, (today - start).days + 1, end, today >= end))
    return out


def alert_period_ended(today: dt.date | None = None) -> int:
    """Tell the head and the safety officer about each person still in the station whose
    assistance period ended, once per end date (an extension moves the end: a new alert when that
    one passes). Returns how many were told."""
    from django.urls import reverse

    from shuangfang.core.events import publish
    from shuangfang.core.vocabulary import Severity
    from shuangfang.orgs.roles import Role

    today = today or timezone.localdate()
    told = 0
    for case in Case.objects.filter(status=CaseStatus.IN_STATION, admitted_at__isnull=False):
        ends = period_end(case)
        if ends > today or case.period_alerted_for == ends:
            continue
        with transaction.atomic():
            claimed = (
                Case.objects.filter(pk=case.pk, status=CaseStatus.IN_STATION)
                .exclude(period_alerted_for=ends)
                .update(period_alerted_for=ends)
            )
            if not claimed:
                continue
            publish(
                "relief.period_ended",
                organization_id=case.organization_id,
                object_uuid=str(case.uuid),
                ends=ends.isoformat(),
                title=_("%(n)s: the assistance period ended on %(d)s")
                % {"n": case.number, "d": f"{ends:%Y-%m-%d}"},
                url=reverse("relief:case", kwargs={"uuid": case.uuid}),
                roles=[Role.INSTITUTION_HEAD, Role.SAFETY_OFFICER],
                severity=Severity.WARNING,
            )
            told += 1
    return told
