"""The risk inventory (风险分级管控清单): its columns (domain-reference §2.9), the streamed Excel
export, and the import of an assessor's Excel inventory (all rows or none, errors per row; a
re-import updates the same risk points, factors and measures instead of adding copies)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shuangfang.core import importing
from shuangfang.core.importing import Col, RowProblem
from shuangfang.core.importing import text as _text
from shuangfang.core.limits import check_length, max_chars
from shuangfang.orgs.models import Organization, OrgKind, User

from . import scoring, services
from .choices import ControlTier, FactorClass, MeasureCategory, Palette, PointKind, RiskLevel, palette_for
from .models import Assessment, AssessmentMethod, ControlMeasure, HazardFactor, RiskPoint

CATEGORY_ORDER = [c.value for c in MeasureCategory]

# key, label, required on import
COLUMNS: list[tuple[str, Any, bool]] = [
    ("institution", gettext_lazy("Institution name"), False),
    ("zone", gettext_lazy("Risk zone"), False),
    ("code", gettext_lazy("Risk point code"), False),
    ("point", gettext_lazy("Risk point name"), True),
    ("kind", gettext_lazy("Risk point type"), True),
    ("location", gettext_lazy("Location (part / place)"), False),
    ("department", gettext_lazy("Responsible department"), False),
    ("factor", gettext_lazy("Hazard factor"), True),
    ("factor_class", gettext_lazy("GB/T 13861 class"), True),
    ("accidents", gettext_lazy("Possible accidents"), False),
    ("consequence", gettext_lazy("Consequence"), False),
    ("method", gettext_lazy("Assessment method"), True),
    ("inputs", gettext_lazy("Assessment values"), False),
    ("score", gettext_lazy("Score"), False),
    ("inherent_level", gettext_lazy("Inherent level"), False),
    ("colour", gettext_lazy("Colour"), False),
    ("residual_level", gettext_lazy("Residual level"), False),
    *[(f"m_{c.value}", c.label, False) for c in MeasureCategory],
    ("tier", gettext_lazy("Control tier"), False),
    ("responsible", gettext_lazy("Responsible person"), False),
    ("what_to_check", gettext_lazy("What to check"), False),
    ("identified_on", gettext_lazy("Identified (updated) on"), False),
    ("next_review", gettext_lazy("Next review"), False),
    ("basis", gettext_lazy("Basis"), False),
    # One line per measure, in the order of the tier / responsible lines: the measure's key, so a
    # re-import that changes a measure's text updates it instead of adding a second one.
    ("measure_keys", gettext_lazy("Measure keys (do not change)"), False),
]
KEY_LENGTH = 8  # the start of the measure's uuid: unique among one factor's measures


def measure_key(m: ControlMeasure) -> str:
    return m.uuid.hex[:KEY_LENGTH]


def headers() -> list[str]:
    return [str(label) for _k, label, _r in COLUMNS]


def factor_queryset(qs: QuerySet[HazardFactor]) -> QuerySet[HazardFactor]:
    measures = Prefetch(
        "measures", queryset=ControlMeasure.objects.select_related("responsible").order_by("id")
    )
    assessments = Prefetch(
        "assessments", queryset=Assessment.objects.select_related("method").order_by("-assessed_at", "-id")
    )
    related: Any = qs.select_related(
        "risk_point", "organization", "risk_point__department", "risk_point__floor"
    )
    return related.prefetch_related(measures, assessments)


def _latest(factor: HazardFactor, kind: str) -> Assessment | None:
    return next((a for a in factor.assessments.all() if a.kind == kind), None)


def _measures(factor: HazardFactor) -> list[ControlMeasure]:
    return sorted(factor.measures.all(), key=lambda m: (CATEGORY_ORDER.index(m.category), m.id))


def _num(d: Decimal | None) -> str:
    if d is None:
        return ""
    d = Decimal(d).normalize()
    return format(d, "f")


def _label_maps() -> dict[str, dict[Any, str]]:
    """Choice labels resolved once per export (a lazy label costs a translation lookup per cell)."""
    return {
        "kind": {k: str(v) for k, v in PointKind.choices},
        "class": {k: str(v) for k, v in FactorClass.choices},
        "level": {k: str(v) for k, v in RiskLevel.choices},
        "tier": {k: str(v) for k, v in ControlTier.choices},
    }


Labels = dict[str, dict[Any, str]]


def row_values(f: HazardFactor, palette: Palette, labels: Labels | None = None) -> list[Any]:
    labels = labels or _label_maps()
    p = f.risk_point
    inherent = _latest(f, "inherent")
    measures = _measures(f)
    by_cat = {c: "\n".join(m.description for m in measures if m.category == c) for c in CATEGORY_ORDER}
    location = " ".join(
        x for x in (p.building, p.floor.name if p.floor_id and p.floor else "", p.location) if x
    )
    return [
        f.organization.name,
        p.area,
        p.code,
        p.name,
        labels["kind"].get(p.kind, p.kind),
        location,
        p.department.name if p.department_id and p.department else "",
        f.description,
        labels["class"].get(f.factor_class, f.factor_class),
        "、".join(f.accident_types),
        f.consequence,
        inherent.method.name if inherent else "",
        inherent.inputs_text() if inherent else "",
        _num(inherent.score) if inherent else "",
        labels["level"].get(f.inherent_level, "") if f.inherent_level else "",
        palette.name(f.inherent_level),
        labels["level"].get(f.residual_level, "") if f.residual_level else "",
        *[by_cat[c] for c in CATEGORY_ORDER],
        "\n".join(labels["tier"].get(m.tier, m.tier) for m in measures),
        "\n".join(m.responsible_display or "-" for m in measures),
        "\n".join(m.what_to_check or "-" for m in measures),
        timezone.localtime(f.updated_at).date().isoformat(),
        p.next_review_on.isoformat() if p.next_review_on else "",
        p.basis,
        "\n".join(measure_key(m) for m in measures),
    ]


def export_rows(qs: QuerySet[HazardFactor]) -> Iterator[list[Any]]:
    palettes: dict[int, Palette] = {}
    labels = _label_maps()
    for f in factor_queryset(qs).iterator(chunk_size=2000):
        if f.organization_id not in palettes:
            palettes[f.organization_id] = palette_for(f.organization)
        yield row_values(f, palettes[f.organization_id], labels)


# The template's example row, one value per column of COLUMNS.
EXAMPLE: list[Any] = [
    "",
    "后勤区",
    "",
    "厨房",
    str(PointKind.PLACE.label),
    "综合楼 1F",
    "",
    "燃气泄漏遇明火",
    str(FactorClass.THINGS.label),
    "火灾、其它爆炸",
    "火灾、爆炸",
    "LEC",
    "L=3 E=6 C=15",
    "",
    "",
    "",
    "",
    "安装可燃气体报警器",
    "用气后关闭阀门",
    "",
    "",
    "配置灭火毯",
    "\n".join([str(ControlTier.DEPARTMENT.label)] * 3),
    "张三\n张三\n张三",
    "报警器是否正常\n阀门是否关闭\n灭火毯是否在位",
    "",
    "",
    "",
]


# --- Import --------------------------------------------------------------------------------------


@dataclass
class RowError:
    row: int
    column: str
    message: str


@dataclass
class ImportResult:
    errors: list[RowError] = field(default_factory=list)
    points: int = 0
    factors: int = 0
    measures: int = 0
    assessments: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


def _labels(choices) -> dict[str, str]:
    """Every spelling of a choice (value, Chinese label, English label) → value."""
    out: dict[str, str] = {}
    for lang in ("zh-hans", "en"):
        with translation.override(lang):
            for value, label in choices:
                out[str(label).strip().lower()] = str(value)
                out[str(value).lower()] = str(value)
    return out


_INPUT_RE = re.compile(r"([A-Za-z]+)\s*[=＝:：]\s*([0-9.]+)")


def parse_inputs(text: str) -> dict[str, str]:
    return {k.upper(): v for k, v in _INPUT_RE.findall(text or "")}


def _method_lookup() -> dict[str, AssessmentMethod]:
    out: dict[str, AssessmentMethod] = {}
    for m in AssessmentMethod.objects.filter(is_current=True):
        for key in (m.code, m.name, m.name_en):
            if key:
                out[key.strip().lower()] = m
    # Common short spellings in assessors' sheets.
    for short, code in (
        ("lec", "lec"),
        ("ls", "ls_a"),
        ("lsa", "ls_a"),
        ("lsb", "ls_b"),
        ("mes", "mes"),
        ("直接评定", "direct"),
        ("直接判定", "direct"),
        ("风险矩阵法", "ls_a"),
    ):
        found = next((x for x in out.values() if x.code == code), None)
        if found is not None:
            out.setdefault(short, found)
    return out


def _prepare(actor: User, institution: Organization) -> dict[str, Any]:
    services.require(actor, "risk.edit", institution)
    tiers = _labels(ControlTier.choices)
    tiers.update({k.removesuffix("级"): v for k, v in list(tiers.items())})  # 部门 = 部门级
    return {
        "kinds": _labels(PointKind.choices),
        "classes": _labels(FactorClass.choices),
        "tiers": tiers,
        "methods": _method_lookup(),
        "levels": _labels(RiskLevel.choices),
        "departments": {
            d.name: d for d in Organization.objects.filter(institution=institution, kind=OrgKind.DEPARTMENT)
        },
        "people": {
            u.name: u
            for u in User.objects.filter(
                memberships__organization__path__startswith=institution.path
            ).distinct()
        },
        "result": ImportResult(),
    }


def _check(row: dict[str, Any], ctx: dict[str, Any]) -> tuple[dict[str, Any], _Row]:
    checked = _check_row(row, ctx)
    try:
        scoring.score(checked.method, checked.inputs)
    except ValidationError as exc:
        raise _err("inputs", " ".join(exc.messages)) from None
    for line in _text(row.get("tier")).splitlines():
        if line.strip() and line.strip().lower() not in ctx["tiers"]:
            raise _err("tier", _("Unknown control tier %(value)s.") % {"value": line.strip()})
    return row, checked


def _save(plan: tuple[dict[str, Any], _Row], ctx: dict[str, Any]) -> None:
    """One row: its risk point, hazard factor, inherent assessment and control measures, each created
    or brought up to date (a re-import changes nothing that is already the same)."""
    row, checked = plan
    actor, institution, result = ctx["actor"], ctx["organization"], ctx["result"]
    point = _save_point(actor, institution, row, result, checked)
    factor = _save_factor(actor, point, row, result, checked)
    _save_assessment(actor, factor, row, result, checked)
    _save_measures(actor, factor, row, result, ctx["tiers"], ctx["people"])


def _finish(job, ctx: dict[str, Any]) -> tuple[str, str]:
    r = ctx["result"]
    note = _("%(p)d new risk points, %(f)d new factors, %(a)d assessments, %(m)d new measures.") % {
        "p": r.points,
        "f": r.factors,
        "a": r.assessments,
        "m": r.measures,
    }
    return reverse("risks:inventory"), note


SHEET = importing.Sheet(
    name="risks.inventory",
    title=gettext_lazy("Risk inventory"),
    perm="risk.edit",
    columns=[
        Col(key, label, req, EXAMPLE[i] if i < len(EXAMPLE) else "")
        for i, (key, label, req) in enumerate(COLUMNS)
    ],
    check=_check,
    save=_save,
    prepare=_prepare,
    finish=_finish,
    help=gettext_lazy(
        "Importing the same file again updates the same risk points, factors and measures. Measures: "
        "one per line in each category column; control tier, responsible person and what to check: "
        "one line per measure, in the same order."
    ),
)


def import_inventory(*, actor: User, institution: Organization, upload) -> ImportResult:
    """The sheet imported in the request (the page runs it as a background job): all rows or none,
    every problem reported with its row and column."""
    if institution.kind != OrgKind.INSTITUTION:
        raise ValidationError(_("Risk points belong to an institution."))
    ctx: dict[str, Any] = {}
    _saved, errors = importing.run(SHEET, actor=actor, organization=institution, upload=upload, ctx=ctx)
    result: ImportResult = ctx["result"]
    result.errors = [RowError(e["row"], e["column"], e["message"]) for e in errors]
    return result


def _err(column: str, message: str) -> RowProblem:
    """A problem with the cell of ``column`` (a key of COLUMNS)."""
    return RowProblem(column, message)


def _col(key: str) -> str:
    return str(next(label for k, label, _r in COLUMNS if k == key))


@dataclass
class _Row:
    """One row's checked values, before anything is saved."""

    name: str
    kind: str
    factor: str
    factor_class: str
    method: AssessmentMethod
    inputs: dict[str, Any]
    department: Organization | None
    accidents: list[str]


# The one-line columns and the model field whose limit they take: an overlong cell is a row error,
# never cut (docs/security.md, "Input limits"). The basis goes to a risk point (200) and an
# assessment (300): the stricter limit applies.
LIMITED_COLUMNS = {
    "zone": (RiskPoint, "area"),
    "point": (RiskPoint, "name"),
    "location": (RiskPoint, "location"),
    "basis": (RiskPoint, "basis"),
    "factor": (HazardFactor, "description"),
    "consequence": (HazardFactor, "consequence"),
}


def _check_lengths(row) -> None:
    for key, (model, name) in LIMITED_COLUMNS.items():
        try:
            check_length(_col(key), _text(row.get(key)), max_chars(model, name))
        except ValidationError as exc:
            raise _err(key, " ".join(exc.messages)) from None


def _check_row(row: dict[str, Any], ctx: dict[str, Any]) -> _Row:
    kinds, classes, methods = ctx["kinds"], ctx["classes"], ctx["methods"]
    levels, departments = ctx["levels"], ctx["departments"]
    _check_lengths(row)
    name = _text(row.get("point"))
    if not name:
        raise _err("point", _("Give the risk point a name."))
    kind = kinds.get(_text(row.get("kind")).lower())
    if not kind:
        raise _err("kind", _("Unknown risk point type %(value)s.") % {"value": _text(row.get("kind"))})
    desc = _text(row.get("factor"))
    if not desc:
        raise _err("factor", _("Describe the hazard factor."))
    fclass = classes.get(_text(row.get("factor_class")).lower())
    if not fclass:
        raise _err(
            "factor_class",
            _("Unknown GB/T 13861 class %(value)s (people, things, environment, management).")
            % {"value": _text(row.get("factor_class"))},
        )
    method = methods.get(_text(row.get("method")).lower())
    if method is None:
        raise _err("method", _("Unknown assessment method %(value)s.") % {"value": _text(row.get("method"))})
    inputs: dict[str, Any] = parse_inputs(_text(row.get("inputs")))
    if method.code == "direct" and not inputs:
        lv = levels.get(_text(row.get("inherent_level")).lower())
        if lv:
            inputs = {"LEVEL": lv}
    dept_name = _text(row.get("department"))
    department = departments.get(dept_name) if dept_name else None
    if dept_name and department is None:
        raise _err("department", _("%(name)s is not a department of the institution.") % {"name": dept_name})
    accidents = [a for a in re.split(r"[、,，;；\s]+", _text(row.get("accidents"))) if a]
    return _Row(name, kind, desc, fclass, method, inputs, department, accidents)


def _save_point(actor, institution, row, result, c: _Row) -> RiskPoint:
    name, kind, department = c.name, c.kind, c.department
    point = RiskPoint.objects.filter(organization=institution, name=name).first()
    point_fields = {
        "kind": kind,
        "area": _text(row.get("zone")),
        "location": _text(row.get("location")),
        "department": department,
        "basis": _text(row.get("basis")),  # its length was checked by _check_lengths
    }
    try:
        if point is None:
            point = services.create_risk_point(
                actor=actor, institution=institution, name=name, **point_fields
            )
            result.points += 1
        else:
            changes = {
                k: v for k, v in point_fields.items() if v not in ("", None) and getattr(point, k) != v
            }
            if changes:
                services.update_risk_point(actor=actor, point=point, **changes)
    except ValidationError as exc:
        raise _err("point", " ".join(exc.messages)) from None
    return point


def _save_factor(actor, point, row, result, c: _Row) -> HazardFactor:
    desc, fclass, accidents = c.factor, c.factor_class, c.accidents
    try:
        factor = HazardFactor.objects.filter(risk_point=point, description=desc).first()
        if factor is None:
            factor = services.add_factor(
                actor=actor,
                point=point,
                description=desc,
                factor_class=fclass,
                accident_types=accidents,
                consequence=_text(row.get("consequence")),
            )
            result.factors += 1
        elif (factor.factor_class, factor.accident_types, factor.consequence) != (
            fclass,
            accidents,
            _text(row.get("consequence")),
        ):
            factor = services.update_factor(
                actor=actor,
                factor=factor,
                factor_class=fclass,
                accident_types=accidents,
                consequence=_text(row.get("consequence")),
            )
    except ValidationError as exc:
        raise _err("factor", " ".join(exc.messages)) from None
    return factor


def _save_assessment(actor, factor, row, result, c: _Row) -> None:
    """A new inherent assessment unless the latest one has the same method and inputs."""
    name, method, inputs = c.name, c.method, c.inputs
    try:
        latest = (
            Assessment.objects.filter(factor=factor, kind="inherent").order_by("-assessed_at", "-id").first()
        )
        same = (
            latest is not None
            and latest.method.code == method.code
            and {k: Decimal(str(v)) for k, v in latest.inputs.items()}
            == {k: Decimal(str(v)) for k, v in inputs.items()}
        )
        if not same:
            services.assess(
                actor=actor,
                factor=factor,
                method=method,
                inputs=inputs,
                basis=_text(row.get("basis")) or name,  # checked by _check_lengths
            )
            result.assessments += 1
            factor.refresh_from_db()
    except ValidationError as exc:
        raise _err("inputs", " ".join(exc.messages)) from None


def _save_measures(actor, factor, row, result, tiers, people) -> None:
    """One measure per line of each measure column; the tier, responsible and what-to-check columns
    give the same line's values."""
    lines: list[tuple[str, str]] = []
    for cat in CATEGORY_ORDER:
        for line in _text(row.get(f"m_{cat}")).splitlines():
            if line.strip():
                lines.append((cat, line.strip()))
    tier_lines = _text(row.get("tier")).splitlines()
    person_lines = _text(row.get("responsible")).splitlines()
    check_lines = _text(row.get("what_to_check")).splitlines()
    key_lines = [k.strip().lower() for k in _text(row.get("measure_keys")).splitlines()]
    measures = list(ControlMeasure.objects.filter(factor=factor))
    existing = {(m.category, m.description): m for m in measures}
    by_key = {measure_key(m): m for m in measures}
    for i, (cat, text) in enumerate(lines):
        tier_text = tier_lines[i].strip() if i < len(tier_lines) else ""
        tier = tiers.get(tier_text.lower(), "") if tier_text else ""
        if tier_text and not tier:
            raise _err("tier", _("Unknown control tier %(value)s.") % {"value": tier_text})
        person_name = person_lines[i].strip() if i < len(person_lines) else ""
        person_name = "" if person_name == "-" else person_name
        check = check_lines[i].strip() if i < len(check_lines) else ""
        check = "" if check == "-" else check
        fields = {
            "tier": tier,
            "responsible": people.get(person_name),
            "responsible_name": "" if person_name in people else person_name,
            "what_to_check": check,
        }
        try:
            keyed = by_key.get(key_lines[i]) if i < len(key_lines) else None
            m = keyed or existing.get((cat, text))
            if m is None:
                services.add_measure(actor=actor, factor=factor, category=cat, description=text, **fields)
                result.measures += 1
            else:
                changes = {k: v for k, v in fields.items() if v and getattr(m, k) != v}
                if (m.category, m.description) != (cat, text):
                    changes |= {"category": cat, "description": text}
                if changes:
                    services.update_measure(actor=actor, measure=m, **changes)
        except ValidationError as exc:
            raise _err(f"m_{cat}", " ".join(exc.messages)) from None


def palette_of(institution: Organization | None) -> Palette:
    return palette_for(institution)
