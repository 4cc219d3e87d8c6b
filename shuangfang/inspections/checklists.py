"""Checklists, their items (own, from the library, from the risk register's control measures) and
checkpoints: what is checked and where.

Functions take a keyword-only ``actor``, re-check the permission, run in one transaction and write
an audit row.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shuangfang.core import audit, seedtext
from shuangfang.core.tenancy import require
from shuangfang.core.vocabulary import HazardGrade
from shuangfang.orgs.models import Organization, OrgKind, User

from .choices import FROM_MEASURE, ChecklistKind
from .models import Checklist, ChecklistItem, Checkpoint, LibraryItem

CHECKLIST_FIELDS = ["name", "kind", "category", "description", "is_active"]
ITEM_FIELDS = [
    "text",
    "category",
    "basis",
    "requires_photo",
    "default_grade",
    "major_criterion",
    "criterion_code",
    "is_active",
]
CHECKPOINT_FIELDS = ["name", "building", "floor", "place_code", "risk_point", "is_active"]

audit.register_actions(
    {
        "checklist.create": gettext_lazy("Checklist created"),
        "checklist.update": gettext_lazy("Checklist changed"),
        "checklist_item.add": gettext_lazy("Checklist item added"),
        "checklist_item.update": gettext_lazy("Checklist item changed"),
        "checkpoint.create": gettext_lazy("Checkpoint created"),
        "checkpoint.update": gettext_lazy("Checkpoint changed"),
    }
)


def require_institution(org: Organization) -> Organization:
    if org.kind != OrgKind.INSTITUTION:
        raise ValidationError(_("Inspections belong to an institution."))
    return org


# --- Checklists ----------------------------------------------------------------------------------


@transaction.atomic
def create_checklist(
    *,
    actor: User,
    organization: Organization,
    name: str,
    kind: str,
    category: str,
    description: str = "",
    library_codes: list[str] | None = None,
) -> Checklist:
    require(actor, "inspection.bureau" if kind == ChecklistKind.BUREAU else "inspection.manage", organization)
    if kind != ChecklistKind.BUREAU:
        require_institution(organization)
    if not name.strip():
        raise ValidationError(_("Give the checklist a name."))
    checklist = Checklist.objects.create(
        organization=organization, name=name.strip(), kind=kind, category=category, description=description
    )
    audit.record(
        actor=actor,
        action="checklist.create",
        obj=checklist,
        organization=organization,
        after=audit.snapshot(checklist, CHECKLIST_FIELDS),
    )
    if library_codes:
        _add_library(actor, checklist, library_codes)
    return checklist


def _checklist_perm(checklist: Checklist) -> str:
    return "inspection.bureau" if checklist.kind == ChecklistKind.BUREAU else "inspection.manage"


@transaction.atomic
def update_checklist(*, actor: User, checklist: Checklist, **changes) -> Checklist:
    require(actor, _checklist_perm(checklist), checklist.organization)
    before = audit.snapshot(checklist, CHECKLIST_FIELDS)
    for key in ("name", "category", "description", "is_active"):
        if key in changes:
            setattr(checklist, key, changes[key])
    checklist.save()
    audit.record(
        actor=actor,
        action="checklist.update",
        obj=checklist,
        organization=checklist.organization,
        before=before,
        after=audit.snapshot(checklist, CHECKLIST_FIELDS),
    )
    return checklist


def _next_order(checklist: Checklist) -> int:
    last = checklist.items.order_by("-order").values_list("order", flat=True).first()
    return (last or 0) + 1


def _add_library(actor: User, checklist: Checklist, codes: list[str]) -> list[ChecklistItem]:
    library = {li.code: li for li in LibraryItem.objects.filter(code__in=codes)}
    missing = [c for c in codes if c not in library]
    if missing:
        raise ValidationError(_("Unknown library items: %(codes)s.") % {"codes": ", ".join(missing)})
    order = _next_order(checklist)
    items = []
    for i, code in enumerate(codes):
        li = library[code]
        item = ChecklistItem.objects.create(
            checklist=checklist,
            order=order + i,
            category=li.category,
            text=li.text,
            basis=li.basis,
            requires_photo=li.requires_photo,
            default_grade=li.default_grade or HazardGrade.GENERAL,
            major_criterion=li.basis if li.default_grade == HazardGrade.MAJOR else "",
            criterion_code=li.criterion_code,
            source_kind="library",
            source_ref=li.code,
        )
        audit.record(
            actor=actor,
            action="checklist_item.add",
            obj=item,
            organization=checklist.organization,
            after=audit.snapshot(item, ITEM_FIELDS),
        )
        items.append(item)
    return items


@transaction.atomic
def add_library_items(*, actor: User, checklist: Checklist, codes: list[str]) -> list[ChecklistItem]:
    require(actor, _checklist_perm(checklist), checklist.organization)
    return _add_library(actor, checklist, codes)


@transaction.atomic
def add_measure_items(*, actor: User, checklist: Checklist, risk_point, category: str) -> list[ChecklistItem]:
    """Items from the risk register: one per control measure of ``risk_point`` that says what to
    check, not already on the checklist. Major-level risk points' items fail as major hazards."""
    from shuangfang.risks.choices import RiskLevel
    from shuangfang.risks.models import ControlMeasure

    require(actor, _checklist_perm(checklist), checklist.organization)
    if risk_point.organization_id != checklist.organization_id:
        raise ValidationError(_("The risk point belongs to another institution."))
    present = set(checklist.items.filter(source_kind=FROM_MEASURE).values_list("source_ref", flat=True))
    measures = (
        ControlMeasure.objects.filter(factor__risk_point=risk_point)
        .exclude(what_to_check="")
        .select_related("factor")
        .order_by("factor_id", "id")
    )
    grade = HazardGrade.MAJOR if risk_point.inherent_level == RiskLevel.MAJOR else HazardGrade.GENERAL
    added = []
    for m in measures:
        if str(m.uuid) in present:
            continue
        added.append(
            add_item(
                actor=actor,
                checklist=checklist,
                text=m.what_to_check[:300],  # generated from a measure (system-made text): may be cut
                category=category,
                basis=f"{risk_point.code} {risk_point.name}: {m.factor.description}"[:200],  # generated
                default_grade=grade,
                source_kind=FROM_MEASURE,
                source_ref=str(m.uuid),
            )
        )
    if not added:
        raise ValidationError(
            _("This risk point has no control measure with something to check that is not already here.")
        )
    return added


def follow_measure(measure_uuid: str, what_to_check: str, *, deleted: bool = False) -> int:
    """The items made from a control measure take its new what-to-check; a deleted measure, or one
    with nothing left to check, retires them (kept for the records that used them). A system move
    (the outbox worker), audited per item."""
    text = what_to_check.strip()[:300]  # from a measure (system-made text): may be cut
    changed = 0
    items = ChecklistItem.objects.filter(source_kind=FROM_MEASURE, source_ref=measure_uuid)
    for item in items.select_related("checklist", "checklist__organization"):
        before = audit.snapshot(item, ITEM_FIELDS)
        if deleted or not text:
            item.is_active = False
        else:
            item.text = text
        if audit.snapshot(item, ITEM_FIELDS) == before:
            continue
        item.save(update_fields=["text", "is_active"])
        audit.record(
            actor=None,
            action="checklist_item.follow_measure",
            obj=item,
            organization=item.checklist.organization,
            before=before,
            after=audit.snapshot(item, ITEM_FIELDS),
        )
        changed += 1
    return changed


@transaction.atomic
def add_item(
    *,
    actor: User,
    checklist: Checklist,
    text: str,
    category: str,
    basis: str = "",
    requires_photo: bool = False,
    default_grade: str = HazardGrade.GENERAL,
    major_criterion: str = "",
    criterion_code: str = "",
    source_kind: str = "",
    source_ref: str = "",
) -> ChecklistItem:
    require(actor, _checklist_perm(checklist), checklist.organization)
    if not text.strip():
        raise ValidationError(_("Say what to check."))
    criterion_code = _criterion_code(criterion_code, checklist)
    if criterion_code:
        default_grade = HazardGrade.MAJOR
    item = ChecklistItem.objects.create(
        checklist=checklist,
        order=_next_order(checklist),
        text=text.strip(),
        category=category,
        basis=basis,
        requires_photo=requires_photo,
        default_grade=default_grade,
        major_criterion=major_criterion,
        criterion_code=criterion_code,
        source_kind=source_kind,
        source_ref=source_ref,
    )
    audit.record(
        actor=actor,
        action="checklist_item.add",
        obj=item,
        organization=checklist.organization,
        after=audit.snapshot(item, ITEM_FIELDS),
    )
    return item


def _criterion_code(code: str, checklist: Checklist) -> str:
    """A code of the criteria library the institution can cite, or a translated refusal."""
    code = (code or "").strip()
    if code:
        from shuangfang.criteria.services import resolve

        resolve(code, organization=checklist.organization)
    return code


@transaction.atomic
def update_item(*, actor: User, item: ChecklistItem, **changes) -> ChecklistItem:
    require(actor, _checklist_perm(item.checklist), item.checklist.organization)
    if "criterion_code" in changes:
        changes["criterion_code"] = _criterion_code(changes["criterion_code"], item.checklist)
    before = audit.snapshot(item, ITEM_FIELDS)
    for key in ITEM_FIELDS:
        if key in changes:
            setattr(item, key, changes[key])
    if not item.text.strip():
        raise ValidationError(_("Say what to check."))
    item.save()
    audit.record(
        actor=actor,
        action="checklist_item.update",
        obj=item,
        organization=item.checklist.organization,
        before=before,
        after=audit.snapshot(item, ITEM_FIELDS),
    )
    return item


# --- Checkpoints ---------------------------------------------------------------------------------


@transaction.atomic
def create_checkpoint(
    *,
    actor: User,
    organization: Organization,
    name: str,
    building: str = "",
    floor: str = "",
    place_code: str = "",
    risk_point=None,
) -> Checkpoint:
    require(actor, "inspection.manage", organization)
    require_institution(organization)
    if not name.strip():
        raise ValidationError(_("Give the checkpoint a name."))
    if risk_point is not None and risk_point.organization_id != organization.pk:
        raise ValidationError(_("The risk point belongs to another institution."))
    cp = Checkpoint.objects.create(
        organization=organization,
        name=name.strip(),
        building=building,
        floor=floor,
        place_code=place_code,
        risk_point=risk_point,
    )
    audit.record(
        actor=actor,
        action="checkpoint.create",
        obj=cp,
        organization=organization,
        after=audit.snapshot(cp, CHECKPOINT_FIELDS),
    )
    return cp


def in_readers_language(items: Iterable[ChecklistItem]) -> list[ChecklistItem]:
    """Each item with ``shown_text``: the library's English text for an English reader when the item
    is a library item whose text is as the library has it (one query); else its own text."""
    items = list(items)
    for item in items:
        item.shown_text = item.text  # type: ignore[attr-defined]
    if not seedtext.english():
        return items
    codes = {i.source_ref for i in items if i.source_kind == "library"}
    library = {li.code: li for li in LibraryItem.objects.filter(code__in=codes)}
    for item in items:
        li = library.get(item.source_ref) if item.source_kind == "library" else None
        if li is not None and li.text_en and li.text == item.text:
            item.shown_text = li.text_en  # type: ignore[attr-defined]
    return items
