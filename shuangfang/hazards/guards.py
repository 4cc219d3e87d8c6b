"""Guards of the hazard table that read more than the status (``workflow._check`` calls them):
四个不放过 before acceptance, and the major-hazard criterion rules (a cited criterion makes the
hazard major until the bureau approves otherwise)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

from .choices import Treatment
from .models import Hazard

# The bureau's answers to a downgrade request.
BUREAU_MOVES = frozenset({"approve_downgrade", "refuse_downgrade"})


def field_label(hazard: Hazard, name: str) -> str:
    if name in ("note", "after_photo"):
        return {"note": _("a note"), "after_photo": _("an after-photo")}[name]
    return str(getattr(Hazard._meta.get_field(name), "verbose_name", name))


def check_cause(hazard: Hazard, fields: dict[str, Any]) -> None:
    """四个不放过 (the seed's campaign version, domain-reference §2.14: "root cause not found or
    measures incomplete"): a hazard not fixed on the spot is accepted only once its cause and the
    measures taken against the cause are written down."""
    if hazard.treatment == Treatment.ON_SPOT:
        return
    missing = [
        field_label(hazard, name)
        for name in ("cause", "preventive_measures")
        if not str(fields.get(name) or getattr(hazard, name) or "").strip()
    ]
    if missing:
        sep = "、" if (translation.get_language() or "").startswith("zh") else ", "
        raise ValidationError(
            _(
                "A hazard that was not fixed on the spot is accepted only with its cause and the "
                "measures taken against the cause (four do-not-let-go). Missing: %(fields)s."
            )
            % {"fields": sep.join(missing)}
        )


def check_criterion(action: str, hazard: Hazard, fields: dict[str, Any]) -> None:
    """A hazard citing a criterion is major unless the bureau approved otherwise."""
    criterion = fields.get("criterion", hazard.criterion)
    if "criterion" in fields and criterion is not None and not criterion.citable:
        raise ValidationError(_("The text of this criterion was not obtained in full; it cannot be cited."))
    binds = criterion is not None and hazard.downgrade_approved_at is None
    if action in ("assign", "confirm_fix_now", "reject") and criterion is not None and binds:
        raise ValidationError(
            _(
                "This hazard meets the major-hazard criterion %(code)s: it is major. Grading it otherwise "
                "needs the bureau's approval."
            )
            % {"code": criterion.code}
        )
    if action == "request_downgrade":
        if hazard.criterion_id is None:
            raise ValidationError(_("This hazard cites no major-hazard criterion; grade it when confirming."))
        if hazard.downgrade_pending:
            raise ValidationError(_("A downgrade is already waiting for the bureau."))
        if hazard.downgrade_approved_at is not None:
            raise ValidationError(_("The bureau already approved grading it otherwise."))
    if action in BUREAU_MOVES and not hazard.downgrade_pending:
        raise ValidationError(_("No downgrade was requested."))
