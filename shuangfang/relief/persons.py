"""Help-seekers: checking what is typed, the repeat match, masking and the access log.

``open_case`` (in ``cases``) is the entry point for callers outside this app (e.g. outreach):
it takes plain person fields, checks them here and attaches the case to a matched person."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shuangfang.core import audit
from shuangfang.core.tenancy import require
from shuangfang.orgs.models import InstitutionType

from . import identity, rules
from .choices import IdType
from .models import Counter, Person

audit.register_actions(
    {
        "relief.person_viewed": gettext_lazy("Viewed a help-seeker's record"),
        "relief.identity_shown": gettext_lazy("Showed a help-seeker's ID and phone numbers"),
        "relief.person_updated": gettext_lazy("Updated a help-seeker's record"),
        "relief.exported": gettext_lazy("Exported help-seekers' records"),
        "relief.repeat_confirmed": gettext_lazy("Confirmed a repeat wanderer"),
        "relief.anonymised": gettext_lazy("Anonymised a help-seeker's record"),
    }
)

PERSON_FIELDS = (
    "name",
    "sex",
    "birth_date",
    "age_estimate",
    "ethnicity",
    "id_type",
    "id_number",
    "phone",
    "hukou_place",
    "residence",
    "region",
    "support",
    "relatives",
    "external_ref",
)
AUDITED = ("name", "sex", "birth_date", "hukou_place", "region", "id_type")


def require_station(organization) -> None:
    if not organization.is_institution or organization.institution_type != InstitutionType.RELIEF_STATION:
        raise ValidationError(_("Relief casework belongs to a relief station."))


def next_number(organization, kind: str, prefix: str, year: int) -> str:
    """The next per-station number (``JZ-2026-0007``); the counter row is locked."""
    row, _created = Counter.objects.select_for_update().get_or_create(
        organization=organization, kind=kind, year=year
    )
    Counter.objects.filter(pk=row.pk).update(last=F("last") + 1)
    row.refresh_from_db(fields=["last"])
    return f"{prefix}-{year}-{row.last:04d}"


@dataclass
class Checked:
    fields: dict[str, Any]
    warnings: list[str]


def clean_person(data: dict[str, Any], *, today: dt.date, accept_id_warning: bool = False) -> Checked:
    """Check typed person fields; raise ``ValidationError`` (by field) or return them cleaned.
    A resident ID whose check digit does not match is refused unless ``accept_id_warning`` (the
    number is copied as written on the document); "no document" needs no number."""
    fields = {k: data[k] for k in PERSON_FIELDS if k in data and data[k] is not None}
    for k, v in list(fields.items()):
        if isinstance(v, str):
            fields[k] = v.strip()
    errors: dict[str, str] = {}
    warnings: list[str] = []
    if not fields.get("name"):
        errors["name"] = _("Write the name (or a description such as 无名氏 when unknown).")
    born = fields.get("birth_date")
    if born and born > today:
        errors["birth_date"] = _("The date of birth is in the future.")
    elif born and (identity.age_on(born, today) or 0) > rules.MAX_AGE:
        errors["birth_date"] = _("An age over %(max)s years is not possible.") % {"max": rules.MAX_AGE}
    estimate = fields.get("age_estimate")
    if estimate is not None and estimate > rules.MAX_AGE:
        errors["age_estimate"] = _("An age over %(max)s years is not possible.") % {"max": rules.MAX_AGE}
    id_type = fields.get("id_type") or IdType.NONE
    number = identity.normalise(fields.get("id_number", ""))
    fields["id_type"], fields["id_number"], fields["id_warning"] = id_type, number, False
    if id_type == IdType.NONE:
        if number:
            errors["id_number"] = _("“No document” was chosen: leave the number empty.")
    elif not number:
        errors["id_number"] = _("Write the document number, or choose “No document”.")
    elif id_type == IdType.RESIDENT_ID:
        if not identity.well_formed(number):
            errors["id_number"] = _("A resident ID number has 17 digits and a digit or X.")
        elif not identity.check_digit_ok(number):
            warning = _("The check digit of this ID number does not match (GB 11643).")
            if not accept_id_warning:
                errors["id_number"] = warning + " " + _("Check it, or confirm it is written so on the card.")
            else:
                fields["id_warning"] = True
                warnings.append(warning)
        if "id_number" not in errors:
            in_id = identity.birth_date(number)
            if born is None and in_id is not None and in_id <= today:
                fields["birth_date"] = in_id
            elif born and in_id and born != in_id:
                warnings.append(_("The date of birth differs from the one in the ID number."))
    if errors:
        raise ValidationError(errors)
    return Checked(fields, warnings)


def matches(organization, fields: dict[str, Any]) -> list[Person]:
    """Persons registered before at this station who may be the same person: the same document
    number, or the same name, date of birth and household registration place. Staff confirm."""
    cond = Q()
    number = identity.normalise(fields.get("id_number") or "")
    if number:
        cond |= Q(id_number=number)
    name, born, home = fields.get("name"), fields.get("birth_date"), fields.get("hukou_place")
    if name and born and home:
        cond |= Q(name=name, birth_date=born, hukou_place=home)
    if not cond:
        return []
    return list(
        Person.objects.filter(cond, organization=organization, anonymised_at__isnull=True).order_by("pk")[:5]
    )


def save_person(*, actor, organization, fields: dict[str, Any], person: Person | None = None) -> Person:
    """Create a person or update a matched one with the newly typed fields (already cleaned)."""
    if person is None:
        person = Person(organization=organization, **fields)
        person.save()
        return person
    before = audit.snapshot(person, AUDITED)
    for k, v in fields.items():
        if v not in ("", None):
            setattr(person, k, v)
    person.save()
    audit.record(
        actor=actor,
        action="relief.person_updated",
        obj=person,
        organization=organization,
        before=before,
        after=audit.snapshot(person, AUDITED),
    )
    return person


def log_view(*, actor, person: Person, where: str) -> None:
    """Every view of a person's record is logged (who, when, which page)."""
    audit.record(
        actor=actor, action="relief.person_viewed", obj=person, organization=person.organization, note=where
    )


def reveal(*, actor, person: Person) -> dict[str, str]:
    """The full ID and phone numbers, for someone allowed, with an audit row."""
    require(actor, "relief.show_identity", person.organization)
    with transaction.atomic():
        audit.record(
            actor=actor, action="relief.identity_shown", obj=person, organization=person.organization
        )
    return {"id_number": person.id_number, "phone": person.phone}


def masked(person: Person) -> dict[str, str]:
    return {"id_number": identity.mask_id(person.id_number), "phone": identity.mask_phone(person.phone)}


def now() -> dt.datetime:
    return timezone.now()
