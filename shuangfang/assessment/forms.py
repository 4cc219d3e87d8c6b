from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from . import registry
from .choices import NoData, RuleKind, RuleSpec
from .scores import SchemeRef
from .services import MAX_ADJUSTMENT


class SchemeForm(forms.Form):
    """One row per registered indicator, grouped: weight (0: not in the scheme); for deductions,
    points per item and the most deducted; for indicators that can lack data, what they score
    then. Then the caps of rewards and penalties. Totals are checked by the service."""

    note = forms.CharField(label=_("Reason for the change"), max_length=200, required=False)
    bonus_cap = forms.DecimalField(
        label=_("Most bonus points (rewards)"),
        min_value=Decimal(0),
        max_value=MAX_ADJUSTMENT,
        required=False,
        max_digits=4,
        decimal_places=1,
        help_text=_("0: rewards do not change the score."),
        widget=forms.NumberInput(attrs={"step": "0.5"}),
    )
    penalty_cap = forms.DecimalField(
        label=_("Most penalty points (penalties)"),
        min_value=Decimal(0),
        max_value=MAX_ADJUSTMENT,
        required=False,
        max_digits=4,
        decimal_places=1,
        help_text=_("0: penalties do not change the score."),
        widget=forms.NumberInput(attrs={"step": "0.5"}),
    )

    def __init__(self, *args, initial_scheme: SchemeRef, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bonus_cap"].initial = initial_scheme.bonus_cap
        self.fields["penalty_cap"].initial = initial_scheme.penalty_cap
        self.groups: list[tuple[str, list[dict[str, str]]]] = []
        for group, indicators in registry.grouped():
            rows = []
            for ind in indicators:
                code = ind.key
                spec = initial_scheme.rule(code) or RuleSpec(code, 0)
                row: dict[str, str] = {
                    "code": code,
                    "label": str(ind.label),
                    "kind": ind.kind,
                    "counts": str(ind.counts),
                }
                self.fields[f"weight_{code}"] = forms.IntegerField(
                    label=_("Weight"),
                    initial=spec.weight,
                    required=False,  # empty: 0, not in the scheme
                    min_value=None,
                    widget=forms.NumberInput(attrs={"step": 1, "inputmode": "numeric"}),
                )
                row["weight"] = f"weight_{code}"
                if ind.kind == RuleKind.DEDUCTION:
                    self.fields[f"per_item_{code}"] = forms.DecimalField(
                        label=_("Points deducted per item"),
                        initial=spec.per_item or default_per_item(code),
                        required=False,
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
                if ind.can_lack_data:
                    self.fields[f"no_data_{code}"] = forms.ChoiceField(
                        label=_("When there is nothing to measure"),
                        choices=NoData.choices,
                        initial=spec.no_data,
                        required=False,  # empty: left out
                    )
                    row["no_data"] = f"no_data_{code}"
                rows.append(row)
            self.groups.append((str(group.label), rows))

    @property
    def rows(self) -> list[dict[str, str]]:
        return [r for _g, rows in self.groups for r in rows]

    def _bound(self, r: dict[str, str]) -> dict:
        return {k: (self[v] if k in ("weight", "per_item", "cap", "no_data") else v) for k, v in r.items()}

    def bound_rows(self) -> list[dict]:
        return [self._bound(r) for r in self.rows]

    def bound_groups(self) -> list[tuple[str, list[dict]]]:
        return [(label, [self._bound(r) for r in rows]) for label, rows in self.groups]

    def caps(self) -> dict[str, Decimal]:
        return {k: self.cleaned_data.get(k) or Decimal(0) for k in ("bonus_cap", "penalty_cap")}

    def rules(self) -> list[RuleSpec]:
        data = self.cleaned_data
        out = []
        for r in self.rows:
            code = r["code"]
            out.append(
                RuleSpec(
                    indicator=code,
                    weight=data.get(f"weight_{code}") or 0,
                    per_item=data.get(f"per_item_{code}") or Decimal(0),
                    cap=data.get(f"cap_{code}"),
                    no_data=data.get(f"no_data_{code}") or NoData.EXCLUDE,
                )
            )
        return out


def default_per_item(code: str) -> Decimal:
    """The deduction per item offered for an indicator not in the scheme yet: the built-in
    default's, else 1."""
    from .choices import DEFAULT_RULES

    return next((r.per_item for r in DEFAULT_RULES if r.indicator == code), Decimal(1))
