from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import CAN_LACK_DATA, Indicator, NoData, RuleKind, RuleSpec
from .scores import SchemeRef


class SchemeForm(forms.Form):
    """One row per indicator: weight; for deductions, points per item and the most deducted; for
    indicators that can lack data, what they score then. Totals are checked by the service."""

    note = forms.CharField(label=_("Reason for the change"), max_length=200, required=False)

    def __init__(self, *args, initial_scheme: SchemeRef, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows: list[dict[str, str]] = []
        for code, label in Indicator.choices:
            spec = initial_scheme.rule(code) or RuleSpec(code, 0)
            row: dict[str, str] = {"code": code, "label": str(label), "kind": spec.kind}
            self.fields[f"weight_{code}"] = forms.IntegerField(
                label=_("Weight"),
                initial=spec.weight,
                min_value=None,
                widget=forms.NumberInput(attrs={"step": 1}),
            )
            row["weight"] = f"weight_{code}"
            if spec.kind == RuleKind.DEDUCTION:
                self.fields[f"per_item_{code}"] = forms.DecimalField(
                    label=_("Points deducted per item"),
                    initial=spec.per_item,
                    max_digits=5,
                    decimal_places=1,
                    widget=forms.NumberInput(attrs={"step": "0.5"}),
                )
                self.fields[f"cap_{code}"] = forms.DecimalField(
                    label=_("Most points deducted"),
                    initial=spec.cap,
                    required=False,
                    max_digits=5,
                    decimal_places=1,
                    help_text=_("Empty: the whole weight."),
                    widget=forms.NumberInput(attrs={"step": "0.5"}),
                )
                row["per_item"] = f"per_item_{code}"
                row["cap"] = f"cap_{code}"
            if code in CAN_LACK_DATA:
                self.fields[f"no_data_{code}"] = forms.ChoiceField(
                    label=_("When there is nothing to measure"), choices=NoData.choices, initial=spec.no_data
                )
                row["no_data"] = f"no_data_{code}"
            self.rows.append(row)

    def bound_rows(self) -> list[dict]:
        return [
            {k: (self[v] if k in ("weight", "per_item", "cap", "no_data") else v) for k, v in r.items()}
            for r in self.rows
        ]

    def rules(self) -> list[RuleSpec]:
        data = self.cleaned_data
        out = []
        for code in Indicator.values:
            out.append(
                RuleSpec(
                    indicator=code,
                    weight=data[f"weight_{code}"],
                    per_item=data.get(f"per_item_{code}") or Decimal(0),
                    cap=data.get(f"cap_{code}"),
                    no_data=data.get(f"no_data_{code}") or NoData.EXCLUDE,
                )
            )
        return out
