"""Scoring with a method stored as data: the formula is evaluated over the chosen scale values
(a small arithmetic evaluator, no ``eval``), then the bands give the level."""

from __future__ import annotations

import ast
import operator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_OPS = {ast.Mult: operator.mul, ast.Add: operator.add, ast.Sub: operator.sub, ast.Div: operator.truediv}


@dataclass(frozen=True)
class Result:
    inputs: dict[str, Decimal]
    score: Decimal
    level: int
    band: str
    band_label: str


def _dec(value: Any) -> Decimal:
    try:
        return Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError(_("%(value)s is not a number.") % {"value": value}) from None


def evaluate(formula: str, values: dict[str, Decimal]) -> Decimal:
    tree = ast.parse(formula, mode="eval")

    def walk(node: ast.AST) -> Decimal:
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
            return _OPS[type(node.op)](walk(node.left), walk(node.right))
        if isinstance(node, ast.Name) and node.id in values:
            return values[node.id]
        if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
            return Decimal(str(node.value))
        raise ValueError(f"unsupported formula element {ast.dump(node)}")

    return walk(tree)


def in_band(score: Decimal, band: dict[str, Any]) -> bool:
    lo, hi = band.get("min"), band.get("max")
    if lo is not None:
        lo = _dec(lo)
        if score < lo or (score == lo and not band.get("min_inclusive")):
            return False
    if hi is not None:
        hi = _dec(hi)
        if score > hi or (score == hi and not band.get("max_inclusive")):
            return False
    return True


def band_for(bands: list[dict[str, Any]], score: Decimal) -> dict[str, Any] | None:
    return next((b for b in bands if in_band(score, b)), None)


def clean_inputs(method, raw: dict[str, Any]) -> dict[str, Decimal]:
    """The scale values of ``raw`` checked against ``method``'s scales: every scale needs a value,
    and the value must be one of the scale's options."""
    values: dict[str, Decimal] = {}
    for scale in method.scales:
        code = scale["code"]
        value = raw.get(code)
        if value in (None, ""):
            raise ValidationError(
                _("Give a value for %(scale)s (%(code)s).") % {"scale": scale["name"], "code": code}
            )
        number = _dec(value)
        allowed = [_dec(o["value"]) for o in scale["options"]]
        if number not in allowed:
            raise ValidationError(
                _("%(value)s is not on the %(code)s scale of %(method)s (allowed: %(allowed)s).")
                % {
                    "value": value,
                    "code": code,
                    "method": method.name,
                    "allowed": ", ".join(_fmt(a) for a in allowed),
                }
            )
        values[code] = number
    unknown = set(raw) - {s["code"] for s in method.scales}
    if unknown:
        raise ValidationError(
            _("%(method)s has no scale %(codes)s.")
            % {"method": method.name, "codes": ", ".join(sorted(unknown))}
        )
    return values


def score(method, raw: dict[str, Any]) -> Result:
    values = clean_inputs(method, raw)
    total = evaluate(method.formula, values)
    band = band_for(method.bands, total)
    if band is None:
        raise ValidationError(
            _("The score %(score)s falls in no band of %(method)s.")
            % {"score": _fmt(total), "method": method.name}
        )
    return Result(values, total, int(band["level"]), str(band.get("band", "")), str(band.get("label", "")))


def _fmt(d: Decimal) -> str:
    d = d.normalize()
    return format(d, "f")


def describe_band(band: dict[str, Any]) -> str:
    """'20 ≤ R ≤ 70' style text of a band."""
    lo, hi = band.get("min"), band.get("max")
    parts = []
    if lo is not None:
        parts.append(f"{_fmt(_dec(lo))} {'≤' if band.get('min_inclusive') else '<'} ")
    parts.append("x")
    if hi is not None:
        parts.append(f" {'≤' if band.get('max_inclusive') else '<'} {_fmt(_dec(hi))}")
    return "".join(parts)


def validate_method(scales: list, formula: str, bands: list) -> None:
    """A method's data is coherent: codes, options, formula over the codes, bands with levels."""
    if not scales or not bands:
        raise ValidationError(_("A method needs scales and bands."))
    codes = [s.get("code") for s in scales]
    if len(set(codes)) != len(codes) or not all(codes):
        raise ValidationError(_("Scale codes must be unique and not empty."))
    for s in scales:
        if not s.get("options"):
            raise ValidationError(_("Scale %(code)s has no options.") % {"code": s["code"]})
        for o in s["options"]:
            _dec(o.get("value"))
    try:
        evaluate(formula, {c: Decimal(1) for c in codes})
    except (ValueError, SyntaxError):
        raise ValidationError(_("The formula may use only the scale codes, numbers and + - * /.")) from None
    for b in bands:
        if b.get("level") not in (1, 2, 3, 4):
            raise ValidationError(_("Every band needs a level from 1 to 4."))
    # Every reachable score must fall in a band.
    import itertools

    for combo in itertools.product(*[[_dec(o["value"]) for o in s["options"]] for s in scales]):
        total = evaluate(formula, dict(zip(codes, combo, strict=True)))
        if band_for(bands, total) is None:
            raise ValidationError(_("The score %(score)s falls in no band.") % {"score": _fmt(total)})
