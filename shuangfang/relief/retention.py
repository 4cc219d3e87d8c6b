"""Retention (PIPL Art. 19: keep personal data no longer than needed). A person none of whose
cases is open, whose last case closed more than ``rules.retention_years()`` ago and who has no
open letter, is anonymised: name, numbers, phone, addresses, relatives, photo and free text go;
what the monthly statistics count stays (sex, region, health, modes, dates; the date of birth is
cut to 1 January of its year, so an age band may shift by a few months for old records)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Max, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from shuangfang.core import audit
from shuangfang.core.photos import delete_photos

from . import rules
from .choices import OPEN_STATUSES, LetterStatus
from .models import Case, Letter, Person, SearchAction

CASE_TEXT = ("escort_detail", "reason", "health_note", "security_items", "screening_note", "decision_note",
             "services_note", "voucher", "receiving_party", "departure_note")  # fmt: skip


def due(now: dt.datetime | None = None):
    now = now or timezone.now()
    years = rules.retention_years().value
    cutoff = now - dt.timedelta(days=365 * years + years // 4)
    open_people = Case.objects.filter(status__in=OPEN_STATUSES).values("person_id")
    open_letters = Letter.objects.exclude(status=LetterStatus.CLOSED).values("person_id")
    return (
        Person.objects.filter(anonymised_at__isnull=True)
        .exclude(pk__in=open_people)
        .exclude(pk__in=open_letters)
        .annotate(last=Max(Coalesce("cases__departed_at", "cases__decided_at", "cases__registered_at")))
        .filter(Q(last__lt=cutoff) | Q(last__isnull=True, created_at__lt=cutoff))
    )


def anonymise(person: Person) -> None:
    with transaction.atomic():
        files = [person.photo, person.photo_thumb]
        Person.objects.filter(pk=person.pk).update(
            name="已匿名",
            id_number="",
            phone="",
            ethnicity="",
            hukou_place="",
            residence="",
            relatives="",
            external_ref="",
            photo="",
            photo_thumb="",
            birth_date=person.birth_date.replace(month=1, day=1) if person.birth_date else None,
            anonymised_at=timezone.now(),
        )
        cases = Case.objects.filter(person=person)
        cases.update(**dict.fromkeys(CASE_TEXT, ""))
        SearchAction.objects.filter(case__in=cases).update(external_ref="", note="")
        Letter.objects.filter(person=person).update(body="", difficulty="", requests="", answer="")
        audit.record(actor=None, action="relief.anonymised", obj=person, organization=person.organization)
        # Every stored copy of each photo: the original too, not only the display copy and thumbnail.
        transaction.on_commit(lambda: delete_photos(files))


def anonymise_due(now: dt.datetime | None = None) -> int:
    count = 0
    for person in due(now).select_related("organization")[:500]:
        anonymise(person)
        count += 1
    return count
