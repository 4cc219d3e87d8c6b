"""Retention of outreach data (PIPL Art. 19). After ``OUTREACH_RETENTION_YEARS`` (a setting; by
default the same years as relief casework, ``relief.rules.retention_years``, which has no national
source either) the personal part of old records is anonymised, the counts stay:

* an **encounter**: the description of the person and the photo go (place, time, need, action and
  supplies stay: the campaign figures and ledgers keep counting them);
* a **visit** at the gate: the visitor's name, phone, whom they visited and the health check go;
* a **staff health check** of a closed-management period: the name and the result go;
* a person **removed from the at-risk register** that long ago: name, numbers, guardian, features,
  notes, the photo and the revisits' notes go (category and township stay).

A photo goes with all its stored files (``core.photos.delete_photos``: the original too).

The daily job (``tasks.anonymise_old_outreach``) is safe to run twice: it only takes rows not yet
anonymised (``anonymised_at``) and marks them in the same update."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from shuangfang.core.photos import delete_photos

from .gate_models import StaffCheck, Visit
from .models import Encounter
from .register_models import AtRiskPerson, Revisit

GONE = "已匿名"


def years() -> int:
    configured = getattr(settings, "OUTREACH_RETENTION_YEARS", None)
    if configured is not None:
        return int(configured)
    from shuangfang.relief import rules

    return int(rules.retention_years().value)


def cutoff(now: dt.datetime | None = None) -> dt.datetime:
    now = now or timezone.now()
    n = years()
    return now - dt.timedelta(days=365 * n + n // 4)


def anonymise_due(now: dt.datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    before = cutoff(now)
    done: dict[str, int] = {}
    with transaction.atomic():
        old = Encounter.objects.filter(at__lt=before, anonymised_at__isnull=True)
        photos = list(old.exclude(photo="").values_list("photo", flat=True))
        done["encounters"] = old.update(description="", photo="", photo_consent=False, anonymised_at=now)
        done["visits"] = Visit.objects.filter(
            Q(left_at__lt=before) | Q(left_at__isnull=True, arrived_at__lt=before), anonymised_at__isnull=True
        ).update(visitor=GONE, phone="", visiting="", health_check="", anonymised_at=now)
        done["staff_checks"] = (
            StaffCheck.objects.filter(at__lt=before).exclude(person=GONE).update(person=GONE, result="")
        )
        people = AtRiskPerson.objects.filter(removed_at__lt=before, anonymised_at__isnull=True)
        photos += list(people.exclude(photo="").values_list("photo", flat=True))
        Revisit.objects.filter(person__in=people).update(note="")
        done["register"] = people.update(
            name=GONE,
            id_number="",
            guardian="",
            guardian_phone="",
            features="",
            notes="",
            removed_reason="",
            photo="",
            photo_thumb="",
            photo_consent=False,
            anonymised_at=now,
        )
        transaction.on_commit(lambda: delete_photos(photos))
    return done
