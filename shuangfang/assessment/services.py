"""Changing a bureau's scoring scheme. Saving never edits a scheme: it makes a new version, so
scores reported earlier can be explained with the weights they used."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shuangfang.core import audit
from shuangfang.core.limits import check_length, max_chars
from shuangfang.core.tenancy import require
from shuangfang.orgs.models import BUREAU_KINDS, Organization, User

from . import registry
from .choices import TOTAL_WEIGHT, NoData, RuleKind, RuleSpec
from .models import ScoringRule, ScoringScheme

MAX_PER_ITEM = Decimal(100)
# Rewards and penalties never weigh more than a fifth of the score (our choice).
MAX_ADJUSTMENT = Decimal(20)

audit.register_actions(
    {
        "assessment.scheme.save": gettext_lazy("Scoring scheme saved"),
        "assessment.scheme.clear": gettext_lazy("Scoring scheme withdrawn"),
    }
)
# Each indicator's label is registered with it (registry.register_indicator).
audit.register_fields(
    {
        "bonus_cap": gettext_lazy("most bonus points"),
        "penalty_cap": gettext_lazy("most penalty points"),
        "weight": gettext_lazy("weight"),
        "per_item": gettext_lazy("deduction per item"),
        "cap": gettext_lazy("cap"),
        "no_data": gettext_lazy("without data"),
    },
    values={"no_data": dict(NoData.choices)},
)


def validate_rules(rules: Iterable[RuleSpec]) -> list[RuleSpec]:
    """Registered indicators, each at most once, weights whole and not negative summing to 100,
    deductions sane. Indicators weighted 0 are not part of the scheme and are dropped. Raises one
    ValidationError listing every problem."""
    rules = list(rules)
    errors: list[str] = []
    codes = [r.indicator for r in rules]
    unknown = sorted({c for c in codes if registry.get(c) is None})
    if unknown:
        errors.append(_("Unknown indicator: %(codes)s.") % {"codes": ", ".join(unknown)})
    if len(set(codes)) != len(codes):
        errors.append(_("Give each indicator one weight only."))
    for r in rules:
        ind = registry.get(r.indicator)
        if ind is None:
            continue
        label = ind.label
        if r.weight < 0:
            errors.append(_("The weight of “%(indicator)s” cannot be negative.") % {"indicator": label})
        if r.weight <= 0:
            continue  # not weighted: its parameters do not matter
        if r.no_data not in NoData.values:
            errors.append(_("Choose what “%(indicator)s” scores without data.") % {"indicator": label})
        if r.kind == RuleKind.DEDUCTION:
            if r.per_item <= 0 or r.per_item > MAX_PER_ITEM:
                errors.append(
                    _("Points deducted per item for “%(indicator)s” must be more than 0 and at most 100.")
                    % {"indicator": label}
                )
            if r.cap is not None and r.cap < 0:
                errors.append(
                    _("The most points deducted for “%(indicator)s” cannot be negative.")
                    % {"indicator": label}
                )
    total = sum(r.weight for r in rules)
    if not errors and total != TOTAL_WEIGHT:
        errors.append(
            _("The weights add up to %(total)s; they must add up to %(want)s.")
            % {"total": total, "want": TOTAL_WEIGHT}
        )
    if errors:
        raise ValidationError(errors)
    return [r for r in rules if r.weight > 0]


def validate_caps(bonus_cap: Decimal, penalty_cap: Decimal) -> tuple[Decimal, Decimal]:
    """Rewards and penalties adjust a score by at most 0 to 20 points each way."""
    errors = []
    for value, label in ((bonus_cap, _("most bonus points")), (penalty_cap, _("most penalty points"))):
        if value is None or value < 0 or value > MAX_ADJUSTMENT:
            errors.append(
                _("The %(what)s must be from 0 to %(most)s.") % {"what": label, "most": MAX_ADJUSTMENT}
            )
    if errors:
        raise ValidationError(errors)
    return Decimal(bonus_cap), Decimal(penalty_cap)


def _snapshot(scheme: ScoringScheme | None) -> dict:
    if scheme is None:
        return {}
    caps = {}
    if scheme.bonus_cap or scheme.penalty_cap:
        caps = {"bonus_cap": str(scheme.bonus_cap), "penalty_cap": str(scheme.penalty_cap)}
    return caps | {
        r.indicator: {
            "weight": r.weight,
            "per_item": str(r.per_item),
            "cap": str(r.cap) if r.cap is not None else None,
            "no_data": r.no_data,
        }
        for r in scheme.rules.all()
    }


def _check_bureau(bureau: Organization) -> None:
    if bureau.kind not in BUREAU_KINDS:
        raise ValidationError(_("Only a civil-affairs bureau sets a scoring scheme."))


def _check_note(note: str) -> None:
    """The reason for the change is refused past its limit, never cut (docs/security.md)."""
    check_length(_("Reason for the change"), note.strip(), max_chars(ScoringScheme, "note"))


@transaction.atomic
def save_scheme(
    *,
    actor: User,
    bureau: Organization,
    rules: Iterable[RuleSpec],
    note: str = "",
    bonus_cap: Decimal = Decimal(0),
    penalty_cap: Decimal = Decimal(0),
) -> ScoringScheme:
    """Put a new version of ``bureau``'s scheme in force. ``bonus_cap`` / ``penalty_cap``: the
    most points rewards add and penalties take (0: they do not count)."""
    require(actor, "assessment.configure", bureau)
    _check_bureau(bureau)
    _check_note(note)
    rules = validate_rules(rules)
    bonus_cap, penalty_cap = validate_caps(bonus_cap, penalty_cap)
    # Serialise versions of one bureau's scheme.
    Organization.objects.select_for_update().filter(pk=bureau.pk).first()
    current = ScoringScheme.objects.filter(organization=bureau, is_current=True).first()
    version = (ScoringScheme.objects.filter(organization=bureau).aggregate(m=Max("version"))["m"] or 0) + 1
    before = _snapshot(current)
    if current is not None:
        ScoringScheme.objects.filter(pk=current.pk).update(is_current=False)
    scheme = ScoringScheme.objects.create(
        organization=bureau,
        version=version,
        is_current=True,
        note=note.strip(),
        created_by=actor,
        bonus_cap=bonus_cap,
        penalty_cap=penalty_cap,
    )
    ScoringRule.objects.bulk_create(
        [
            ScoringRule(
                scheme=scheme,
                indicator=r.indicator,
                weight=r.weight,
                per_item=r.per_item if r.kind == RuleKind.DEDUCTION else Decimal(0),
                cap=r.cap if r.kind == RuleKind.DEDUCTION else None,
                no_data=r.no_data,
            )
            for r in rules
        ]
    )
    audit.record(
        actor=actor,
        action="assessment.scheme.save",
        obj=scheme,
        organization=bureau,
        before=before,
        after=_snapshot(scheme),
        note=note.strip(),
    )
    _kick_snapshots(bureau)
    return scheme


@transaction.atomic
def clear_scheme(*, actor: User, bureau: Organization, note: str = "") -> None:
    """Withdraw ``bureau``'s scheme: its institutions fall back to the scheme of the bureau above
    or the built-in default. Earlier versions are kept."""
    require(actor, "assessment.configure", bureau)
    _check_bureau(bureau)
    _check_note(note)
    current = ScoringScheme.objects.filter(organization=bureau, is_current=True).first()
    if current is None:
        raise ValidationError(_("This bureau has no scheme of its own."))
    before = _snapshot(current)
    ScoringScheme.objects.filter(pk=current.pk).update(is_current=False)
    audit.record(
        actor=actor,
        action="assessment.scheme.clear",
        obj=current,
        organization=bureau,
        before=before,
        after={},
        note=note.strip(),
    )
    _kick_snapshots(bureau)


def _kick_snapshots(bureau: Organization) -> None:
    """The dashboards' stored scores below ``bureau`` are refreshed once the change commits."""
    from . import tasks

    transaction.on_commit(lambda: tasks.kick_bureau(bureau.pk))
