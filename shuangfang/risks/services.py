"""State changes of risk graded control. Every function takes a keyword-only ``actor``, re-checks
the right (``risk.edit`` at the institution, ``risk.library`` at a bureau), runs in one transaction
and writes an audit row.

For other apps: ``create_risk_point``, ``add_factor``, ``assess``, ``add_measure`` (and the
``update_*``); read levels from ``RiskPoint.inherent_level`` / ``residual_level`` and colours from
``choices.level_colour``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shuangfang.core import audit, events
from shuangfang.core.photos import save_photo
from shuangfang.core.tenancy import require
from shuangfang.orgs.models import Organization, OrgKind, Post, User

from . import scoring
from .choices import (
    ACCIDENT_TYPE_NAMES,
    AssessmentKind,
    ControlTier,
    FactorClass,
    MeasureCategory,
    PointKind,
    default_colour_name,
    default_tier,
    palette_for,
)
from .models import (
    Assessment,
    AssessmentMethod,
    ControlMeasure,
    Floor,
    HazardFactor,
    LevelPalette,
    LibraryEntry,
    RiskPoint,
)

audit.register_fields(
    {
        "map_x": gettext_lazy("position on the floor plan (across)"),
        "map_y": gettext_lazy("position on the floor plan (down)"),
        "plan": gettext_lazy("floor plan"),
    }
)
audit.register_actions(
    {
        "risk.assess": gettext_lazy("Risk assessed"),
        "risk.factor.create": gettext_lazy("Hazard factor added"),
        "risk.factor.update": gettext_lazy("Hazard factor changed"),
        "risk.floor.create": gettext_lazy("Floor added"),
        "risk.floor.plan": gettext_lazy("Floor plan uploaded"),
        "risk.library.save": gettext_lazy("Risk library entry saved"),
        "risk.measure.create": gettext_lazy("Control measure added"),
        "risk.measure.update": gettext_lazy("Control measure changed"),
        "risk.measure.delete": gettext_lazy("Control measure removed"),
        "risk.method.revise": gettext_lazy("Assessment method revised"),
        "risk.palette.set": gettext_lazy("Risk colours set"),
        "risk.point.create": gettext_lazy("Risk point added"),
        "risk.point.place": gettext_lazy("Risk point placed on the floor plan"),
        "risk.point.review": gettext_lazy("Risk point reviewed"),
        "risk.point.update": gettext_lazy("Risk point changed"),
        "risk.import": gettext_lazy("Risk inventory imported"),
    }
)

POINT_FIELDS = [
    "name",
    "kind",
    "department",
    "post",
    "building",
    "floor",
    "area",
    "location",
    "basis",
    "next_review_on",
    "is_active",
]
FACTOR_FIELDS = ["description", "factor_class", "accident_types", "consequence"]
MEASURE_FIELDS = ["category", "description", "tier", "responsible", "responsible_name", "what_to_check"]
REVIEW_INTERVAL_DAYS = 365
PLAN_MAX_BYTES = 8 * 1024 * 1024


def _check_institution(institution: Organization) -> None:
    if institution.kind != OrgKind.INSTITUTION:
        raise ValidationError(_("Risk points belong to an institution."))


def _clean_point(institution: Organization, fields: dict[str, Any], *, exclude_pk: int | None = None) -> None:
    name = (fields.get("name") or "").strip()
    if not name:
        raise ValidationError(_("Give the risk point a name."))
    fields["name"] = name
    if fields.get("kind") and fields["kind"] not in PointKind.values:
        raise ValidationError(_("Unknown risk point type."))
    dept = fields.get("department")
    if dept is not None and (dept.kind != OrgKind.DEPARTMENT or dept.institution_id != institution.pk):
        raise ValidationError(
            _("The department must belong to %(institution)s.") % {"institution": institution.name}
        )
    post = fields.get("post")
    if post is not None and post.organization_id != institution.pk:
        raise ValidationError(
            _("The post must belong to %(institution)s.") % {"institution": institution.name}
        )
    floor = fields.get("floor")
    if floor is not None and floor.organization_id != institution.pk:
        raise ValidationError(
            _("The floor must belong to %(institution)s.") % {"institution": institution.name}
        )
    dup = RiskPoint.objects.filter(organization=institution, name=name)
    if exclude_pk:
        dup = dup.exclude(pk=exclude_pk)
    if dup.exists():
        raise ValidationError(
            _("%(institution)s already has a risk point named %(name)s.")
            % {"institution": institution.name, "name": name}
        )


@transaction.atomic
def create_risk_point(*, actor: User, institution: Organization, name: str, **fields) -> RiskPoint:
    require(actor, "risk.edit", institution)
    _check_institution(institution)
    fields["name"] = name
    _clean_point(institution, fields)
    Organization.objects.select_for_update().filter(pk=institution.pk).first()  # serialise numbering
    number = (RiskPoint.objects.filter(organization=institution).aggregate(m=Max("number"))["m"] or 0) + 1
    fields.setdefault("next_review_on", timezone.localdate() + dt.timedelta(days=REVIEW_INTERVAL_DAYS))
    if fields.get("floor") is not None and not fields.get("building"):
        fields["building"] = fields["floor"].building
    point = RiskPoint(organization=institution, number=number, code=f"FX-{number:04d}", **fields)
    point.full_clean()
    point.save()
    audit.record(
        actor=actor,
        action="risk.point.create",
        obj=point,
        organization=institution,
        after=audit.snapshot(point, POINT_FIELDS),
    )
    return point


@transaction.atomic
def update_risk_point(*, actor: User, point: RiskPoint, **changes) -> RiskPoint:
    require(actor, "risk.edit", point.organization)
    point = RiskPoint.objects.select_for_update().get(pk=point.pk)
    before = audit.snapshot(point, POINT_FIELDS)
    merged = {k: getattr(point, k) for k in POINT_FIELDS} | changes
    _clean_point(point.organization, merged, exclude_pk=point.pk)
    for key in changes:
        if key not in POINT_FIELDS:
            raise ValidationError(f"unknown field {key}")
        setattr(point, key, merged[key])
    point.full_clean()
    point.save()
    audit.record(
        actor=actor,
        action="risk.point.update",
        obj=point,
        organization=point.organization,
        before=before,
        after=audit.snapshot(point, POINT_FIELDS),
    )
    return point


def _clean_factor(fields: dict[str, Any]) -> None:
    desc = (fields.get("description") or "").strip()
    if not desc:
        raise ValidationError(_("Describe the hazard factor."))
    fields["description"] = desc
    if fields.get("factor_class") not in FactorClass.values:
        raise ValidationError(_("Choose the GB/T 13861 class of the factor."))
    accidents = list(fields.get("accident_types") or [])
    unknown = [a for a in accidents if a not in ACCIDENT_TYPE_NAMES]
    if unknown:
        raise ValidationError(_("Unknown accident type: %(names)s.") % {"names": "、".join(unknown)})
    fields["accident_types"] = accidents


@transaction.atomic
def add_factor(
    *,
    actor: User,
    point: RiskPoint,
    description: str,
    factor_class: str,
    accident_types: list[str] | tuple[str, ...] = (),
    consequence: str = "",
) -> HazardFactor:
    require(actor, "risk.edit", point.organization)
    fields: dict[str, Any] = {
        "description": description,
        "factor_class": factor_class,
        "accident_types": accident_types,
        "consequence": consequence,
    }
    _clean_factor(fields)
    if HazardFactor.objects.filter(risk_point=point, description=fields["description"]).exists():
        raise ValidationError(
            _("%(point)s already has the factor %(name)s.")
            % {"point": point.name, "name": fields["description"]}
        )
    factor = HazardFactor.objects.create(organization=point.organization, risk_point=point, **fields)
    audit.record(
        actor=actor,
        action="risk.factor.create",
        obj=factor,
        organization=point.organization,
        after=audit.snapshot(factor, FACTOR_FIELDS),
    )
    return factor


@transaction.atomic
def update_factor(*, actor: User, factor: HazardFactor, **changes) -> HazardFactor:
    require(actor, "risk.edit", factor.organization)
    before = audit.snapshot(factor, FACTOR_FIELDS)
    merged = {k: getattr(factor, k) for k in FACTOR_FIELDS} | changes
    _clean_factor(merged)
    if (
        HazardFactor.objects.filter(risk_point_id=factor.risk_point_id, description=merged["description"])
        .exclude(pk=factor.pk)
        .exists()
    ):
        raise ValidationError(_("The risk point already has this factor."))
    for key in FACTOR_FIELDS:
        setattr(factor, key, merged[key])
    factor.save()
    audit.record(
        actor=actor,
        action="risk.factor.update",
        obj=factor,
        organization=factor.organization,
        before=before,
        after=audit.snapshot(factor, FACTOR_FIELDS),
    )
    return factor


def refresh_levels(point: RiskPoint) -> RiskPoint:
    """从严从高: the point's level is the highest (lowest number) of its factors'. A factor without a
    residual assessment counts with its inherent level for the residual map."""
    inherent = [f.inherent_level for f in point.factors.all() if f.inherent_level]
    residual = [f.residual_level or f.inherent_level for f in point.factors.all() if f.level]
    point.inherent_level = min(inherent) if inherent else None
    point.residual_level = min(residual) if residual else None
    RiskPoint.objects.filter(pk=point.pk).update(
        inherent_level=point.inherent_level, residual_level=point.residual_level
    )
    return point


@transaction.atomic
def assess(
    *,
    actor: User,
    factor: HazardFactor,
    method: AssessmentMethod,
    inputs: dict[str, Any],
    kind: str = AssessmentKind.INHERENT,
    basis: str = "",
) -> Assessment:
    """Assess ``factor`` with one method version: scores the inputs on the method's scales and stores
    the result with the method version; the factor's and the point's levels follow."""
    require(actor, "risk.edit", factor.organization)
    if kind not in AssessmentKind.values:
        raise ValidationError(_("Choose inherent or residual risk."))
    basis = (basis or "").strip()
    if method.requires_basis and not basis:
        raise ValidationError(
            _("%(method)s needs a basis (for example the major-hazard criterion met).")
            % {"method": method.name}
        )
    result = scoring.score(method, inputs)
    row = Assessment.objects.create(
        organization=factor.organization,
        factor=factor,
        kind=kind,
        method=method,
        inputs={k: float(v) for k, v in result.inputs.items()},
        score=result.score,
        level=result.level,
        band=result.band,
        basis=basis,
        assessed_by=actor,
    )
    before = {"inherent_level": factor.inherent_level, "residual_level": factor.residual_level}
    if kind == AssessmentKind.INHERENT:
        factor.inherent_level = result.level
    else:
        factor.residual_level = result.level
    HazardFactor.objects.filter(pk=factor.pk).update(
        inherent_level=factor.inherent_level, residual_level=factor.residual_level
    )
    refresh_levels(factor.risk_point)
    audit.record(
        actor=actor,
        action="risk.assess",
        obj=factor,
        organization=factor.organization,
        before=before,
        after={"inherent_level": factor.inherent_level, "residual_level": factor.residual_level},
        note=f"{method} {row.inputs_text()} = {result.score} → {result.level}",
    )
    return row


def _clean_measure(factor: HazardFactor, fields: dict[str, Any]) -> None:
    if fields.get("category") not in MeasureCategory.values:
        raise ValidationError(_("Choose the category of the measure."))
    desc = (fields.get("description") or "").strip()
    if not desc:
        raise ValidationError(_("Describe the control measure."))
    fields["description"] = desc
    if not fields.get("tier"):
        fields["tier"] = default_tier(factor.level)
    if fields["tier"] not in ControlTier.values:
        raise ValidationError(_("Unknown control tier."))
    person = fields.get("responsible")
    if (
        person is not None
        and not person.memberships.filter(organization__path__startswith=factor.organization.path).exists()
    ):
        raise ValidationError(
            _("%(person)s does not work at %(institution)s.")
            % {"person": person, "institution": factor.organization.name}
        )


@transaction.atomic
def add_measure(
    *,
    actor: User,
    factor: HazardFactor,
    category: str,
    description: str,
    tier: str = "",
    responsible: User | None = None,
    responsible_name: str = "",
    what_to_check: str = "",
) -> ControlMeasure:
    """A control measure; ``tier`` defaults from the factor's level (重大→institution … 低→post)."""
    require(actor, "risk.edit", factor.organization)
    fields: dict[str, Any] = {
        "category": category,
        "description": description,
        "tier": tier,
        "responsible": responsible,
        "responsible_name": (responsible_name or "").strip(),
        "what_to_check": (what_to_check or "").strip(),
    }
    _clean_measure(factor, fields)
    measure = ControlMeasure.objects.create(organization=factor.organization, factor=factor, **fields)
    audit.record(
        actor=actor,
        action="risk.measure.create",
        obj=measure,
        organization=factor.organization,
        after=audit.snapshot(measure, MEASURE_FIELDS),
    )
    return measure


@transaction.atomic
def update_measure(*, actor: User, measure: ControlMeasure, **changes) -> ControlMeasure:
    require(actor, "risk.edit", measure.organization)
    before = audit.snapshot(measure, MEASURE_FIELDS)
    merged = {k: getattr(measure, k) for k in MEASURE_FIELDS} | changes
    _clean_measure(measure.factor, merged)
    for key in MEASURE_FIELDS:
        setattr(measure, key, merged[key])
    measure.save()
    if before.get("what_to_check") != measure.what_to_check:
        _measure_changed(measure)
    audit.record(
        actor=actor,
        action="risk.measure.update",
        obj=measure,
        organization=measure.organization,
        before=before,
        after=audit.snapshot(measure, MEASURE_FIELDS),
    )
    return measure


@transaction.atomic
def delete_measure(*, actor: User, measure: ControlMeasure) -> None:
    require(actor, "risk.edit", measure.organization)
    audit.record(
        actor=actor,
        action="risk.measure.delete",
        obj=measure,
        organization=measure.organization,
        before=audit.snapshot(measure, MEASURE_FIELDS),
    )
    _measure_changed(measure, deleted=True)
    measure.delete()


def _measure_changed(measure: ControlMeasure, *, deleted: bool = False) -> None:
    """The checklist items made from the measure follow its text (inspections, through the outbox)."""
    events.publish(
        "risk.measure_changed",
        organization_id=measure.organization_id,
        measure_uuid=str(measure.uuid),
        what_to_check=measure.what_to_check,
        deleted=deleted,
        changed_at="deleted" if deleted else timezone.now().isoformat(),
    )


# --- Methods -------------------------------------------------------------------------------------


@transaction.atomic
def revise_method(
    *, actor: User, method: AssessmentMethod, scales: list, formula: str, bands: list, boundary_rule: str
) -> AssessmentMethod:
    """A new version of ``method``; the old version stays, and past assessments keep pointing at it."""
    if not actor.is_superuser:
        raise PermissionDenied("risk.method")
    scoring.validate_method(scales, formula, bands)
    current = AssessmentMethod.objects.select_for_update().get(code=method.code, is_current=True)
    same = (current.scales, current.formula, current.bands, current.boundary_rule)
    if same == (scales, formula, bands, boundary_rule):
        return current  # saved unchanged: no new version
    AssessmentMethod.objects.filter(pk=current.pk).update(is_current=False)
    new = AssessmentMethod.objects.create(
        code=current.code,
        version=current.version + 1,
        name=current.name,
        name_en=current.name_en,
        formula=formula,
        scales=scales,
        bands=bands,
        boundary_rule=boundary_rule,
        requires_basis=current.requires_basis,
        is_default=current.is_default,
        is_current=True,
        source=current.source,
        confidence=current.confidence,
        order=current.order,
    )
    audit.record(actor=actor, action="risk.method.revise", obj=new, note=f"{current} → {new}")
    return new


# --- Reviews -------------------------------------------------------------------------------------


@transaction.atomic
def record_review(*, actor: User, point: RiskPoint, next_review_on: dt.date, note: str = "") -> RiskPoint:
    require(actor, "risk.edit", point.organization)
    today = timezone.localdate()
    if next_review_on <= today:
        raise ValidationError(_("The next review must be after today."))
    before = {"reviewed_on": str(point.reviewed_on or ""), "next_review_on": str(point.next_review_on or "")}
    point.reviewed_on = today
    point.next_review_on = next_review_on
    RiskPoint.objects.filter(pk=point.pk).update(reviewed_on=today, next_review_on=next_review_on)
    audit.record(
        actor=actor,
        action="risk.point.review",
        obj=point,
        organization=point.organization,
        before=before,
        after={"reviewed_on": str(today), "next_review_on": str(next_review_on)},
        note=note,
    )
    return point


# --- Floors and the map --------------------------------------------------------------------------


@transaction.atomic
def create_floor(
    *, actor: User, institution: Organization, building: str, name: str, plan=None, order: int = 0
) -> Floor:
    require(actor, "risk.edit", institution)
    _check_institution(institution)
    building, name = (building or "").strip(), (name or "").strip()
    if not building or not name:
        raise ValidationError(_("Give the building and the floor."))
    if Floor.objects.filter(organization=institution, building=building, name=name).exists():
        raise ValidationError(_("This floor already exists."))
    floor = Floor(organization=institution, building=building, name=name, order=order)
    if plan is not None:
        _store_plan(floor, plan)
    floor.save()
    audit.record(
        actor=actor,
        action="risk.floor.create",
        obj=floor,
        organization=institution,
        after={"building": building, "name": name, "plan": bool(floor.plan)},
    )
    return floor


def _store_plan(floor: Floor, upload) -> None:
    stored = save_photo(upload, folder=f"risks/plans/{floor.organization_id}", limit=PLAN_MAX_BYTES)
    floor.plan = stored.display
    floor.plan_width, floor.plan_height = stored.width, stored.height


@transaction.atomic
def set_floor_plan(*, actor: User, floor: Floor, plan) -> Floor:
    require(actor, "risk.edit", floor.organization)
    _store_plan(floor, plan)
    floor.save()
    audit.record(actor=actor, action="risk.floor.plan", obj=floor, organization=floor.organization)
    return floor


@transaction.atomic
def place_point(*, actor: User, point: RiskPoint, floor: Floor, x: float | str, y: float | str) -> RiskPoint:
    """Put ``point`` on ``floor``'s plan at (x, y), fractions of the plan's width and height."""
    require(actor, "risk.edit", point.organization)
    if floor.organization_id != point.organization_id:
        raise ValidationError(
            _("The floor must belong to %(institution)s.") % {"institution": point.organization}
        )
    try:
        fx, fy = float(x), float(y)
    except (TypeError, ValueError):
        raise ValidationError(_("Click on the plan to place the point.")) from None
    if not (0 <= fx <= 1 and 0 <= fy <= 1):
        raise ValidationError(_("Click on the plan to place the point."))
    before = {"floor": str(point.floor or ""), "map_x": point.map_x, "map_y": point.map_y}
    point.floor, point.map_x, point.map_y = floor, round(fx, 4), round(fy, 4)
    point.building = point.building or floor.building
    point.save(update_fields=["floor", "map_x", "map_y", "building", "updated_at"])
    audit.record(
        actor=actor,
        action="risk.point.place",
        obj=point,
        organization=point.organization,
        before=before,
        after={"floor": str(floor), "map_x": point.map_x, "map_y": point.map_y},
    )
    return point


# --- Palette -------------------------------------------------------------------------------------


@transaction.atomic
def set_palette(
    *,
    actor: User,
    bureau: Organization,
    colours: dict,
    names: dict | None = None,
    note: str = "",
) -> LevelPalette | None:
    require(actor, "risk.library", bureau)
    if bureau.kind not in (OrgKind.BUREAU, OrgKind.DISTRICT_BUREAU):
        raise ValidationError(_("A palette belongs to a bureau."))
    import re

    by_key = {str(k): v for k, v in colours.items()}
    clean: dict[str, str] = {}
    for level in (1, 2, 3, 4):
        value = (by_key.get(str(level)) or "").strip()
        if not re.fullmatch(r"#[0-9a-fA-F]{6}", value):
            raise ValidationError(_("Give each level a colour like #d32f2f."))
        clean[str(level)] = value.lower()
    given = {str(k): (v or "").strip() for k, v in (names or {}).items()}
    clean_names = {
        str(lv): given.get(str(lv)) or default_colour_name(lv, clean[str(lv)]) for lv in (1, 2, 3, 4)
    }
    in_force = palette_for(bureau)
    current = LevelPalette.objects.filter(organization=bureau).first()
    same_colours = {str(k): v for k, v in in_force.colours.items()} == clean
    same_names = {str(k): v for k, v in in_force.names.items()} == clean_names
    if same_colours and same_names and (current is None or current.note == note):
        return current  # saved unchanged: nothing stored, no audit row
    row, _created = LevelPalette.objects.update_or_create(
        organization=bureau, defaults={"colours": clean, "names": clean_names, "note": note}
    )
    audit.record(actor=actor, action="risk.palette.set", obj=row, organization=bureau, after=clean)
    return row


# --- Library -------------------------------------------------------------------------------------


def library_for(institution_or_bureau: Organization, institution_type: str | None = None):
    """The library in force: the national entries, overridden or extended by the bureaus above."""
    ancestor_ids = institution_or_bureau.ancestor_ids
    own = list(LibraryEntry.objects.filter(organization_id__in=ancestor_ids))
    replaced = {e.replaces_id for e in own if e.replaces_id}
    national = LibraryEntry.objects.filter(organization__isnull=True).exclude(pk__in=replaced)
    entries = list(national) + own
    if institution_type:
        entries = [e for e in entries if e.institution_type == institution_type]
    return sorted(entries, key=lambda e: (e.institution_type, e.order, e.name))


@transaction.atomic
def adopt_library_entry(
    *, actor: User, institution: Organization, entry: LibraryEntry, name: str | None = None
) -> RiskPoint:
    """Copy a library entry into ``institution`` as a risk point with its factors, their inherent
    assessment (the library's inputs, scored with the current method version) and measures."""
    require(actor, "risk.edit", institution)
    point = create_risk_point(
        actor=actor,
        institution=institution,
        name=name or entry.name,
        kind=entry.kind,
        area=entry.area,
        basis=_("Starter library: %(source)s") % {"source": entry.source[:150]},  # generated: cut
    )
    methods = {m.code: m for m in AssessmentMethod.objects.filter(is_current=True)}
    for f in entry.factors:
        factor = add_factor(
            actor=actor,
            point=point,
            description=f["description"],
            factor_class=f["factor_class"],
            accident_types=f.get("accident_types", []),
            consequence=f.get("consequence", ""),
        )
        method = methods.get(f.get("method", "lec"))
        if method and f.get("inputs"):
            assess(actor=actor, factor=factor, method=method, inputs=f["inputs"], basis=entry.name)
            factor.refresh_from_db()
        for m in f.get("measures", []):
            add_measure(
                actor=actor,
                factor=factor,
                category=m["category"],
                description=m["description"],
                what_to_check=m.get("what_to_check", ""),
            )
    return point


def validate_library_factors(factors: Any) -> list[dict]:
    if not isinstance(factors, list) or not factors:
        raise ValidationError(_("List at least one factor."))
    methods = {m.code: m for m in AssessmentMethod.objects.filter(is_current=True)}
    for f in factors:
        if not isinstance(f, dict):
            raise ValidationError(_("Each factor is an object with a description."))
        _clean_factor(f)
        if f.get("inputs"):
            method = methods.get(f.get("method", "lec"))
            if method is None:
                raise ValidationError(_("Unknown method %(code)s.") % {"code": f.get("method")})
            scoring.score(method, f["inputs"])
        for m in f.get("measures", []):
            if m.get("category") not in MeasureCategory.values or not m.get("description"):
                raise ValidationError(_("Each measure needs a category and a description."))
    return factors


def _without_english(value):
    """A library value without its English texts (``*_en``): the form edits the Chinese only."""
    if isinstance(value, dict):
        return {k: _without_english(v) for k, v in value.items() if not str(k).endswith("_en")}
    if isinstance(value, list):
        return [_without_english(v) for v in value]
    return value


def _keep_english(new: list, old: list) -> list:
    """The English of each factor and measure whose Chinese text the edit left as it was."""
    old_factors = {f.get("description"): f for f in old if isinstance(f, dict)}
    for f in new:
        before = old_factors.get(f.get("description"))
        if not before:
            continue
        for key in ("description", "consequence"):
            if f.get(key) == before.get(key) and before.get(f"{key}_en"):
                f[f"{key}_en"] = before[f"{key}_en"]
        old_measures = {m.get("description"): m for m in before.get("measures", [])}
        for m in f.get("measures", []):
            was = old_measures.get(m.get("description"))
            for key in ("description", "what_to_check"):
                if was and m.get(key) == was.get(key) and was.get(f"{key}_en"):
                    m[f"{key}_en"] = was[f"{key}_en"]
    return new


@transaction.atomic
def save_library_entry(*, actor: User, bureau: Organization, entry: LibraryEntry, **fields) -> LibraryEntry:
    """Edit ``bureau``'s library: a national entry is overridden by a bureau copy; the bureau's own
    entry is changed in place."""
    require(actor, "risk.library", bureau)
    if bureau.kind not in (OrgKind.BUREAU, OrgKind.DISTRICT_BUREAU):
        raise ValidationError(_("A library belongs to a bureau."))
    if "factors" in fields:
        fields["factors"] = validate_library_factors(fields["factors"])
    if "factors" in fields:
        fields["factors"] = _keep_english(fields["factors"], entry.factors or [])
    if all(_without_english(getattr(entry, key)) == _without_english(value) for key, value in fields.items()):
        return entry  # saved unchanged: no bureau copy, no audit row
    if entry.organization_id == bureau.pk:
        row = entry
    else:
        row = LibraryEntry(
            organization=bureau,
            replaces=entry if entry.organization_id is None else entry.replaces,
            institution_type=entry.institution_type,
            name=entry.name,
            kind=entry.kind,
            area=entry.area,
            factors=entry.factors,
            source=entry.source,
            confidence=entry.confidence,
            order=entry.order,
        )
    before = {"name": row.name, "kind": row.kind, "area": row.area, "source": row.source}
    for key, value in fields.items():
        setattr(row, key, value)
    row.save()
    audit.record(
        actor=actor,
        action="risk.library.save",
        obj=row,
        organization=bureau,
        before=before,
        after={"name": row.name, "kind": row.kind, "area": row.area, "source": row.source},
    )
    return row


def posts_of(institution: Organization):
    return Post.objects.filter(organization=institution, is_active=True)
