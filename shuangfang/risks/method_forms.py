"""Forms for a new version of an assessment method: the options of each scale and the bands, as
rows (no JSON to type), turned into the method's data for ``services.revise_method``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .choices import RiskLevel


class MethodForm(forms.Form):
    formula = forms.CharField(label=_("Formula"), max_length=100, help_text=_("For example L*E*C."))
    boundary_rule = forms.CharField(
        label=_("Boundary rule in words"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=settings.TEXT_MAX_CHARS,
    )


class OptionForm(forms.Form):
    scale = forms.CharField(label=_("Scale"), max_length=10, widget=forms.TextInput(attrs={"readonly": True}))
    value = forms.DecimalField(label=_("Value"), max_digits=12, decimal_places=4)
    label = forms.CharField(label=_("Meaning"), max_length=300)
    label_en = forms.CharField(label=_("Meaning (English)"), max_length=300, required=False)


class BandForm(forms.Form):
    # A blank first choice: the empty row for a new band stays empty (and is skipped) until filled.
    level = forms.TypedChoiceField(
        label=_("Level"), choices=[("", "—"), *RiskLevel.choices], coerce=int, empty_value=None
    )
    band = forms.CharField(label=_("Band"), max_length=10)
    min = forms.DecimalField(
        label=pgettext_lazy("range", "From"), max_digits=12, decimal_places=4, required=False
    )
    min_inclusive = forms.BooleanField(label=_("From included"), required=False)
    max = forms.DecimalField(label=_("Below"), max_digits=12, decimal_places=4, required=False)
    max_inclusive = forms.BooleanField(label=_("Up to included"), required=False)
    label = forms.CharField(label=_("Name"), max_length=60)
    label_en = forms.CharField(label=_("Name (English)"), max_length=60, required=False)


OptionFormSet = forms.formset_factory(OptionForm, extra=0, can_delete=True)
BandFormSet = forms.formset_factory(BandForm, extra=1, can_delete=True)


def _number(value) -> Any:
    """A Decimal as the JSON number the method data keeps (an int when it is whole)."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def initial_options(method) -> list[dict]:
    return [
        {
            "scale": s["code"],
            "value": o["value"],
            "label": o.get("label", ""),
            "label_en": o.get("label_en", ""),
        }
        for s in method.scales
        for o in s.get("options", [])
    ]


def scales_from(method, rows: list[dict]) -> list[dict]:
    """The method's scales (names kept) with the options of the rows, in the rows' order."""
    out = []
    for s in method.scales:
        options = [
            {"value": _number(r["value"]), "label": r["label"], "label_en": r.get("label_en", "")}
            for r in rows
            if r and not r.get("DELETE") and r["scale"] == s["code"]
        ]
        out.append({**s, "options": options})
    return out


def bands_from(rows: list[dict]) -> list[dict]:
    return [
        {
            "level": r["level"],
            "band": r["band"],
            "min": _number(r.get("min")),
            "min_inclusive": bool(r.get("min_inclusive")),
            "max": _number(r.get("max")),
            "max_inclusive": bool(r.get("max_inclusive")),
            "label": r["label"],
            "label_en": r.get("label_en", ""),
        }
        for r in rows
        if r and not r.get("DELETE")
    ]
