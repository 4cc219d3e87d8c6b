"""Changes to the equipment ledger: registering an item (with its checkpoint and its kind's
maintenance plans), documents, external visits, and a problem reported from its label. Functions
take a keyword-only ``actor``, re-check the right, run in one transaction and write an audit row."""

from __future__ import annotations

import datetime as dt
import uuid as uuid_lib
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shuangfang.core import audit
from shuangfang.core.limits import check_length, max_chars
from shuangfang.core.tenancy import require
from shuangfang.core.uploads import check_pdf_or_image, check_size
from shuangfang.orgs.models import Organization, OrgKind, User

from .catalogue import KINDS
from .choices import VisitKind
from .models import Document, Equipment, Visit

FIELDS = [
    "kind",
    "name",
    "risk_point",
    "location",
    "model",
    "serial_number",
    "registration_number",
    "supplier",
    "manufactured_on",
    "installed_on",
    "life_years",
    "expires_on",
    "next_inspection_on",
    "next_repair_on",
    "is_active",
]
TEXT_FIELDS = ["name", "location", "model", "serial_number", "registration_number", "supplier"]

audit.register_actions(
    {
        "equipment.create": gettext_lazy("Equipment registered"),
        "equipment.update": gettext_lazy("Equipment changed"),
        "equipment.document": gettext_lazy("Equipment document added"),
        "equipment.visit": gettext_lazy("Maintenance visit recorded"),
    }
)


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _clean(organization: Organization, data: dict) -> dict:
    """Check what the user typed; a ``ValidationError`` (translated) says what to fix."""
    if organization.kind != OrgKind.INSTITUTION:
        raise ValidationError(_("Equipment belongs to an institution."))
    kind = KINDS.get(data.get("kind") or "")
    if kind is None:
        raise ValidationError(_("Choose the kind of equipment."))
    for name in TEXT_FIELDS:
        data[name] = (data.get(name) or "").strip()
        label = getattr(Equipment._meta.get_field(name), "verbose_name", name)
        check_length(label, data[name], max_chars(Equipment, name))
    if not data["name"]:
        raise ValidationError(_("Give the equipment a name."))
    life = data.get("life_years")
    if life is not None and int(life) <= 0:
        raise ValidationError(_("The service life must be a positive number of years."))
    point = data.get("risk_point")
    if point is not None and point.organization_id != organization.pk:
        raise ValidationError(_("The risk point belongs to another institution."))
    start = data.get("manufactured_on") or data.get("installed_on")
    if life is None and kind.life_years and not data.get("expires_on"):
        data["life_years"] = life = kind.life_years
    if life and start and not data.get("expires_on"):
        data["expires_on"] = add_years(start, int(life))
    made = data.get("manufactured_on")
    if kind.repair_first_years and made and not data.get("next_repair_on"):
        data["next_repair_on"] = add_years(made, kind.repair_first_years)
    installed, expires = data.get("installed_on"), data.get("expires_on")
    if installed and expires and expires <= installed:
        raise ValidationError(
            _(
                "The end of the service life (%(expires)s) must come after the installation "
                "date (%(installed)s)."
            )
            % {"expires": expires, "installed": installed}
        )
    if kind.special and not data["registration_number"]:
        raise ValidationError(_("Special equipment needs the number of its use registration certificate."))
    if kind.special and not data.get("next_inspection_on"):
        raise ValidationError(_("Special equipment needs the date of its next statutory inspection."))
    return data


@transaction.atomic
def register_equipment(*, actor: User, organization: Organization, **data) -> Equipment:
    """Register an item: a number (``SB-0007``), a checkpoint that the label's tasks are done at,
    and a place in its kind's maintenance plans (created on first use)."""
    from . import maintenance

    require(actor, "equipment.manage", organization)
    data = _clean(organization, {k: data.get(k) for k in FIELDS if k != "is_active"})
    last = Equipment.objects.filter(organization=organization).aggregate(n=Max("number"))["n"] or 0
    try:
        with transaction.atomic():
            item = Equipment.objects.create(
                organization=organization, number=last + 1, code=f"SB-{last + 1:04d}", **data
            )
    except IntegrityError:
        raise ValidationError(_("Someone registered equipment at the same moment: save again.")) from None
    audit.record(
        actor=actor,
        action="equipment.create",
        obj=item,
        organization=organization,
        after=audit.snapshot(item, FIELDS),
    )
    maintenance.join_plans(actor=actor, item=item)
    return item


@transaction.atomic
def update_equipment(*, actor: User, item: Equipment, **changes) -> Equipment:
    require(actor, "equipment.manage", item.organization)
    before = audit.snapshot(item, FIELDS)
    data = {k: changes.get(k, getattr(item, k)) for k in FIELDS if k not in ("kind", "is_active")}
    data["kind"] = item.kind
    if "expires_on" not in changes and ("installed_on" in changes or "life_years" in changes):
        data["expires_on"] = None  # recomputed from the new dates
    data = _clean(item.organization, data)
    for key, value in data.items():
        setattr(item, key, value)
    if "is_active" in changes:
        item.is_active = bool(changes["is_active"])
    item.save()
    audit.record(
        actor=actor,
        action="equipment.update",
        obj=item,
        organization=item.organization,
        before=before,
        after=audit.snapshot(item, FIELDS),
    )
    return item


# --- Documents and visits ------------------------------------------------------------------------


def _store(upload, organization: Organization) -> tuple[str, str]:
    """Check (real type, size) and store a PDF or an image; (storage name, content type)."""
    check_size(upload)  # too big says so, before the type
    try:
        fmt = check_pdf_or_image(upload)
    except ValidationError:
        raise ValidationError(_("Upload a PDF or a photo.")) from None
    if fmt == "PDF":
        ext, ctype = "pdf", "application/pdf"
    else:
        ext, ctype = fmt.lower().replace("jpeg", "jpg"), f"image/{fmt.lower()}"
    name = default_storage.save(
        f"equipment/{organization.pk}/{uuid_lib.uuid4().hex}.{ext}", ContentFile(upload.read())
    )
    return name, ctype


@transaction.atomic
def add_document(*, actor: User, item: Equipment, title: str, upload) -> Document:
    require(actor, "equipment.manage", item.organization)
    title = (title or "").strip() or getattr(upload, "name", "") or _("Document")
    check_length(_("title"), title, max_chars(Document, "title"))
    name, ctype = _store(upload, item.organization)
    doc = Document.objects.create(
        equipment=item, title=title, stored_name=name, content_type=ctype, uploaded_by=actor
    )
    audit.record(
        actor=actor,
        action="equipment.document",
        obj=item,
        organization=item.organization,
        after={"title": title},
    )
    return doc


@transaction.atomic
def record_visit(
    *,
    actor: User,
    item: Equipment,
    kind: str,
    visited_on: dt.date,
    contractor: str,
    note: str = "",
    report=None,
    next_inspection_on: dt.date | None = None,
    today: dt.date | None = None,
) -> Visit:
    """An external visit with the contractor's report; a statutory inspection moves the item's next
    inspection date (the date on the new certificate)."""
    require(actor, "equipment.manage", item.organization)
    today = today or timezone.localdate()
    contractor = (contractor or "").strip()
    note = (note or "").strip()
    if kind not in VisitKind.values:
        raise ValidationError(_("Choose the kind of visit."))
    if not contractor:
        raise ValidationError(_("Name the contractor."))
    check_length(_("contractor"), contractor, max_chars(Visit, "contractor"))
    check_length(_("note"), note, 2000)
    if visited_on > today:
        raise ValidationError(_("The visit cannot be in the future."))
    if kind == VisitKind.STATUTORY and (next_inspection_on is None or next_inspection_on <= visited_on):
        raise ValidationError(_("Enter the next inspection date from the new certificate (after the visit)."))
    doc = (
        add_document(actor=actor, item=item, title=_("Report: %(who)s") % {"who": contractor}, upload=report)
        if report
        else None
    )
    visit = Visit.objects.create(
        organization=item.organization,
        equipment=item,
        kind=kind,
        visited_on=visited_on,
        contractor=contractor,
        note=note,
        report=doc,
        next_inspection_on=next_inspection_on if kind == VisitKind.STATUTORY else None,
        recorded_by=actor,
    )
    if kind == VisitKind.STATUTORY:
        item.next_inspection_on = next_inspection_on
        item.save(update_fields=["next_inspection_on"])
    every = KINDS[item.kind].repair_every_years
    if kind == VisitKind.REPAIR and every:  # sent for repair and tested: the next one from this date
        item.next_repair_on = add_years(visited_on, every)
        item.save(update_fields=["next_repair_on"])
    audit.record(
        actor=actor,
        action="equipment.visit",
        obj=item,
        organization=item.organization,
        after={"kind": kind, "date": str(visited_on), "contractor": contractor},
    )
    return visit


# --- "Report a problem with this" ----------------------------------------------------------------


def report_problem(*, actor: User, item: Equipment, description: str, photos: Sequence = ()):
    """A snap report through the hazards service, with the item and its place filled in."""
    from shuangfang.hazards.choices import Source
    from shuangfang.hazards.services import report_hazard

    place = f"{item.code} {item.name}"
    if item.place:
        place = f"{place} · {item.place}"
    return report_hazard(
        actor=actor,
        organization=item.organization,
        description=(description or "").strip(),
        source=Source.SNAP,
        photos=photos,
        location=place[:120],  # the item's code, name and place: may be cut
        category=KINDS[item.kind].category,
        risk_point=item.risk_point,
    )
