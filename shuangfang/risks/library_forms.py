"""The bureau library's factors and measures as form rows (no JSON to type): one row a factor, its
measures one a line as ``类别：措施｜检查内容``."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from shuangfang.core import seedtext

from .choices import ACCIDENT_TYPE_NAMES, FactorClass, MeasureCategory
from .models import AssessmentMethod

_INPUT = re.compile(r"([A-Za-z]+)\s*=\s*([-\d.]+)")
_SEP = re.compile(r"[、,，;；]\s*")


def _number(text: str) -> Any:
    try:
        d = Decimal(text)
    except InvalidOperation:
        raise ValidationError(_("%(value)s is not a number.") % {"value": text}) from None
    return int(d) if d == d.to_integral_value() else float(d)


def _category_names() -> dict[str, str]:
    names: dict[str, str] = {}
    for code, label in MeasureCategory.choices:
        names[code] = code
        names[str(label)] = code
        names[str(label).lower()] = code
    from django.utils import translation

    with translation.override("zh-hans"):
        names.update({str(label): code for code, label in MeasureCategory.choices})
    with translation.override("en"):
        names.update({str(label).lower(): code for code, label in MeasureCategory.choices})
    return names


class FactorForm(forms.Form):
    description = forms.CharField(label=_("Hazard factor"), max_length=200)
    # Blank first: the empty row for a new factor stays empty (and is skipped) until filled.
    factor_class = forms.ChoiceField(label=_("GB/T 13861 class"), choices=[("", "—"), *FactorClass.choices])
    accident_types = forms.CharField(
        label=_("Possible accidents"), max_length=200, required=False, help_text=_("Separated by 、")
    )
    consequence = forms.CharField(label=_("Consequence"), max_length=200, required=False)
    method = forms.ChoiceField(label=_("Method"), choices=(), required=False)
    inputs = forms.CharField(
        label=_("Values"), max_length=100, required=False, help_text=_("e.g. L=3 E=6 C=15")
    )
    measures = forms.CharField(
        label=_("Measures"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=settings.TEXT_MAX_CHARS,
        required=False,
        help_text=_("One a line: category：measure｜what to check"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        methods = AssessmentMethod.objects.filter(is_current=True)
        codes = [(m.code, seedtext.pick(m, "name")) for m in methods]  # the reader's language
        self.fields["method"].choices = [("", "—"), *codes]  # type: ignore[attr-defined]

    def clean_accident_types(self) -> list[str]:
        names = [n for n in _SEP.split(self.cleaned_data["accident_types"].strip()) if n]
        unknown = [n for n in names if n not in ACCIDENT_TYPE_NAMES]
        if unknown:
            raise ValidationError(_("Unknown accident type: %(names)s.") % {"names": "、".join(unknown)})
        return names

    def clean_inputs(self) -> dict[str, Any]:
        return {k.upper(): _number(v) for k, v in _INPUT.findall(self.cleaned_data["inputs"] or "")}

    def clean_measures(self) -> list[dict[str, str]]:
        names = _category_names()
        out = []
        for line in self.cleaned_data["measures"].splitlines():
            if not line.strip():
                continue
            m = re.match(r"\s*([^：:]+)[：:](.*)", line)
            head = m.group(1).strip() if m else ""
            category = names.get(head) or names.get(head.lower())
            if m is None or category is None:
                raise ValidationError(
                    _("Start each measure with its category and ：, e.g. %(example)s")
                    % {"example": "管理措施：每日检查阀门｜阀门是否关闭"}
                )
            description, _bar, check = m.group(2).partition("｜")
            out.append(
                {"category": category, "description": description.strip(), "what_to_check": check.strip()}
            )
        return out


FactorFormSet = forms.formset_factory(FactorForm, extra=1, can_delete=True)


def initial_rows(factors: list[dict]) -> list[dict]:
    labels = dict(MeasureCategory.choices)
    rows = []
    for f in factors:
        inputs = " ".join(f"{k}={v}" for k, v in (f.get("inputs") or {}).items())
        measures = "\n".join(
            f"{labels.get(m.get('category'), m.get('category'))}：{m.get('description', '')}"
            + (f"｜{m['what_to_check']}" if m.get("what_to_check") else "")
            for m in f.get("measures", [])
        )
        rows.append(
            {
                "description": f.get("description", ""),
                "factor_class": f.get("factor_class", ""),
                "accident_types": "、".join(f.get("accident_types", [])),
                "consequence": f.get("consequence", ""),
                "method": f.get("method", ""),
                "inputs": inputs,
                "measures": measures,
            }
        )
    return rows


def factors_from(rows: list[dict]) -> list[dict]:
    """The library's factor data from the rows (keys a row leaves empty are left out, as stored)."""
    out = []
    for r in rows:
        if not r or r.get("DELETE"):
            continue
        f: dict[str, Any] = {
            "description": r["description"],
            "factor_class": r["factor_class"],
            "accident_types": r["accident_types"],
            "consequence": r["consequence"],
        }
        if r["method"]:
            f["method"] = r["method"]
        if r["inputs"]:
            f["inputs"] = r["inputs"]
        f["measures"] = r["measures"]
        out.append(f)
    return out
