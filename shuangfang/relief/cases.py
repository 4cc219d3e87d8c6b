"""The admission workflow of a relief case (domain-reference §5.2–§5.3):

registered → security check → screening → (at hospital → discharged: screening again) → admitted
(in station) or refused; in station → departed. The medical-first rule (先救治后救助): a person with
a medical sign cannot be screened in, only sent to hospital."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shuangfang.core import audit
from shuangfang.core.tenancy import require
from shuangfang.core.workflow import Transition, Workflow

from . import persons, rules
from .choices import (
    CaseStatus,
    DepartureMode,
    EscortUnit,
    Health,
    MedicalSign,
    RefusalReason,
    SecurityMethod,
    SecurityResult,
)
from .models import Case, Person

S = CaseStatus
audit.register_actions(
    {
        "relief.case_registered": gettext_lazy("Registered a help-seeker"),
        "relief.case_check": gettext_lazy("Recorded the security check"),
        "relief.case_screen": gettext_lazy("Screened in"),
        "relief.case_divert": gettext_lazy("Sent to hospital first"),
        "relief.case_discharge": gettext_lazy("Back from hospital"),
        "relief.case_admit": gettext_lazy("Admitted"),
        "relief.case_refuse": gettext_lazy("Refused assistance"),
        "relief.case_depart": gettext_lazy("Departed"),
    }
)


def _choice(value: str, choices, message: str) -> str:
    if value not in choices.values:
        raise ValidationError(message)
    return value


def _guard_check(case: Case, actor, ctx: dict[str, Any]) -> None:
    _choice(ctx.get("method", ""), SecurityMethod, _("Choose how the check was made."))
    _choice(ctx.get("result", ""), SecurityResult, _("Choose the result of the check."))
    found = ctx["result"] in (SecurityResult.ITEMS, SecurityResult.PROHIBITED)
    if found and not ctx.get("items", "").strip():
        raise ValidationError(_("List the items found."))


def _stamp_check(case: Case, actor, ctx: dict[str, Any]) -> None:
    case.security_method, case.security_result = ctx["method"], ctx["result"]
    case.security_items = ctx.get("items", "").strip()
    case.checked_at = timezone.now()


def _signs(ctx: dict[str, Any]) -> list[str]:
    signs = list(dict.fromkeys(ctx.get("signs") or []))
    for s in signs:
        _choice(s, MedicalSign, _("Unknown medical sign."))
    return signs


def _guard_screen(case: Case, actor, ctx: dict[str, Any]) -> None:
    if case.security_result == SecurityResult.REFUSED:
        raise ValidationError(_("The person refused the security check: refuse assistance with that reason."))
    if _signs(ctx):
        raise ValidationError(
            _("Medical first: a person with a medical sign goes to hospital before entering the station.")
        )


def _stamp_screen(case: Case, actor, ctx: dict[str, Any]) -> None:
    case.screening_note = (ctx.get("note") or "")[:200]
    if ctx.get("health"):
        case.health = _choice(ctx["health"], Health, _("Unknown health state."))


def _guard_divert(case: Case, actor, ctx: dict[str, Any]) -> None:
    if not _signs(ctx):
        raise ValidationError(_("Tick the medical sign that sends the person to hospital."))
    if not (ctx.get("hospital") or "").strip():
        raise ValidationError(_("Write the hospital."))


def _stamp_divert(case: Case, actor, ctx: dict[str, Any]) -> None:
    case.medical_signs = _signs(ctx)
    case.hospital = ctx["hospital"].strip()[:120]
    case.screening_note = (ctx.get("note") or "")[:200]


def _stamp_discharge(case: Case, actor, ctx: dict[str, Any]) -> None:
    case.discharged_at = ctx.get("at") or timezone.now()


def _guard_admit(case: Case, actor, ctx: dict[str, Any]) -> None:
    if not (ctx.get("zone") or "").strip():
        raise ValidationError(_("Choose the zone the person stays in."))


def _stamp_admit(case: Case, actor, ctx: dict[str, Any]) -> None:
    case.zone, case.bed = ctx["zone"].strip()[:40], (ctx.get("bed") or "").strip()[:20]
    case.admitted_at = case.decided_at = timezone.now()
    case.period_days = rules.assistance_days().value


def _guard_refuse(case: Case, actor, ctx: dict[str, Any]) -> None:
    _choice(ctx.get("reason", ""), RefusalReason, _("Choose the reason for refusing assistance."))


def _stamp_refuse(case: Case, actor, ctx: dict[str, Any]) -> None:
    case.refusal_reason = ctx["reason"]
    case.decision_note = (ctx.get("note") or "")[:200]
    case.decided_at = timezone.now()


PRESENT_MODES = {m for m in DepartureMode.values if m not in (DepartureMode.LEFT, DepartureMode.DEATH)}


def _guard_depart(case: Case, actor, ctx: dict[str, Any]) -> None:
    mode = _choice(ctx.get("mode", ""), DepartureMode, _("Choose how the person leaves."))
    if mode in PRESENT_MODES and case.items.filter(returned_at__isnull=True, prohibited=False).exists():
        raise ValidationError(_("Return the items in custody (against the receipt) before the departure."))
    if mode == DepartureMode.SELF_RETURN:
        age = case_age(case, timezone.localdate())
        if (age is not None and age < rules.self_departure_age().value) or case.health in (
            Health.MENTAL,
            Health.COGNITIVE,
        ):
            raise ValidationError(
                _("Self return needs age 16 or more and no sign of mental or intellectual disability.")
            )
    if mode == DepartureMode.TICKET and not (ctx.get("voucher") or "").strip():
        raise ValidationError(_("Write the route and ticket number of the voucher."))


def _stamp_depart(case: Case, actor, ctx: dict[str, Any]) -> None:
    case.departure_mode = ctx["mode"]
    case.departed_at = ctx.get("at") or timezone.now()
    case.cross_province = bool(ctx.get("cross_province"))
    case.voucher = (ctx.get("voucher") or "").strip()[:120]
    case.receiving_party = (ctx.get("receiving_party") or "").strip()[:120]
    case.departure_note = (ctx.get("note") or "")[:200]


FLOW: Workflow[Case] = Workflow(
    model=Case,
    audit_prefix="relief.case_",
    lock=True,
    audited=("security_result", "hospital", "refusal_reason", "zone", "departure_mode"),
    transitions=[
        Transition(
            S.REGISTERED, "check", S.CHECKED, who="relief.manage", guard=_guard_check, effects=[_stamp_check]
        ),
        Transition(
            S.CHECKED, "screen", S.SCREENED, who="relief.manage", guard=_guard_screen, effects=[_stamp_screen]
        ),
        Transition(
            S.CHECKED,
            "divert",
            S.AT_HOSPITAL,
            who="relief.manage",
            guard=_guard_divert,
            effects=[_stamp_divert],
        ),
        Transition(S.AT_HOSPITAL, "discharge", S.SCREENED, who="relief.manage", effects=[_stamp_discharge]),
        Transition(
            S.SCREENED, "admit", S.IN_STATION, who="relief.manage", guard=_guard_admit, effects=[_stamp_admit]
        ),
        Transition(
            [S.REGISTERED, S.CHECKED, S.SCREENED],
            "refuse",
            S.REFUSED,
            who="relief.manage",
            guard=_guard_refuse,
            effects=[_stamp_refuse],
        ),
        Transition(
            [S.IN_STATION, S.AT_HOSPITAL],
            "depart",
            S.DEPARTED,
            who="relief.manage",
            guard=_guard_depart,
            effects=[_stamp_depart],
        ),
    ],
)


def case_age(case: Case, day: dt.date) -> int | None:
    from .identity import age_on

    person = case.person
    if person.birth_date:
        return age_on(person.birth_date, day)
    return person.age_estimate


def open_case(
    *,
    actor,
    organization,
    person_fields: dict[str, Any],
    case_fields: dict[str, Any] | None = None,
    person: Person | None = None,
    accept_id_warning: bool = False,
    photo=None,
) -> Case:
    """Register a help-seeker (求助登记): the person (new, or ``person`` when staff confirmed a
    match; the same resident ID number is always the same person) and a case in "registered".
    Refused when the person already has an open case at the station (duplicate admission)."""
    require(actor, "relief.manage", organization)
    persons.require_station(organization)
    checked = persons.clean_person(
        person_fields, today=timezone.localdate(), accept_id_warning=accept_id_warning
    )
    fields = dict(case_fields or {})
    if fields.get("escort_unit", EscortUnit.SELF) not in EscortUnit.values:
        raise ValidationError({"escort_unit": _("Unknown escorting unit.")})
    if fields.get("health") and fields["health"] not in Health.values:
        raise ValidationError({"health": _("Unknown health state.")})
    if person is not None and person.organization_id != organization.pk:
        raise ValidationError(_("That person is registered at another station."))
    if person is None and checked.fields.get("id_number"):
        person = Person.objects.filter(
            organization=organization, id_number=checked.fields["id_number"], anonymised_at__isnull=True
        ).first()
    if photo is not None:
        from shuangfang.core.photos import save_photo

        stored = save_photo(photo, folder="relief")
        checked.fields.update(photo=stored.display, photo_thumb=stored.thumb)
    try:
        with transaction.atomic():
            return _create(actor, organization, checked, fields, person)
    except IntegrityError:
        raise ValidationError(_("This person is already in the station's care (an open case).")) from None


def _create(actor, organization, checked, fields, person: Person | None) -> Case:
    repeat = person is not None
    if person is not None:
        if Case.objects.select_for_update().filter(person=person).open().exists():
            raise ValidationError(_("This person is already in the station's care (an open case)."))
        person.repeat_wanderer = True
    person = persons.save_person(actor=actor, organization=organization, fields=checked.fields, person=person)
    now = timezone.now()
    case = Case.objects.create(
        organization=organization,
        person=person,
        number=persons.next_number(organization, "case", "JZ", timezone.localtime(now).year),
        registered_at=now,
        registered_by=actor,
        repeat=repeat,
        **{k: v for k, v in fields.items() if k in CASE_FIELDS},
    )
    audit.record(
        actor=actor,
        action="relief.case_registered",
        obj=case,
        organization=organization,
        after={"number": case.number, "repeat": repeat},
        note="; ".join(checked.warnings),
    )
    # Other apps hear of a new case through the outbox (outreach matches its at-risk register).
    from shuangfang.core.events import publish

    publish("relief.case_registered", organization_id=organization.pk, case_uuid=str(case.uuid))
    return case


CASE_FIELDS = ("escort_unit", "escort_detail", "police_case", "reason", "health", "health_note", "protective")


def move(case: Case, action: str, *, actor, **context) -> Case:
    """Every status change of a case, for views and other apps."""
    return FLOW.move(case, action, actor=actor, **context)
