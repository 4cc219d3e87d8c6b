"""Readiness's section on the dashboards (registered in apps.py): this year's fire drills done and
responsibility letters signed of those live, per institution, in a fixed number of grouped queries
(the same rules as ``indicators.fire_drills`` and ``indicators.letters_signed``). Training
completion is not here: ``training.status_lines`` works one institution at a time."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from shuangfang.core.pgarrays import among
from shuangfang.dashboards.sections import Figure
from shuangfang.orgs.models import Organization

from .choices import DrillKind, DrillStatus, LetterStatus
from .models import Drill, Letter


def figures(ids: list[int], today: dt.date) -> dict[int, list[Figure]]:
    drills = {
        r["organization_id"]: r["n"]
        for r in Drill.objects.filter(
            among("organization_id", ids),
            kind=DrillKind.FIRE,
            status__in=[DrillStatus.EXECUTED, DrillStatus.EVALUATED],
            started_at__year=today.year,
        )
        .values("organization_id")
        .annotate(n=Count("pk"))
        .order_by()
    }
    letters = {
        r["organization_id"]: r
        for r in Letter.objects.filter(
            among("organization_id", ids),
            year=today.year,
            status__in=[LetterStatus.ISSUED, LetterStatus.SIGNED],
        )
        .values("organization_id")
        .annotate(n=Count("pk"), signed=Count("pk", filter=Q(status=LetterStatus.SIGNED)))
        .order_by()
    }
    uuids = dict(Organization.objects.filter(among("pk", ids)).values_list("pk", "uuid"))
    drill_list, letter_list = reverse("readiness:drills"), reverse("readiness:letters")
    # Labels translated once, not once per institution (hundreds on a bureau).
    drilled, signed_label = _("Fire drills done this year"), _("Responsibility letters signed")
    out = {}
    for i in ids:
        org = f"?org={uuids[i]}"  # a uuid needs no quoting
        signed = letters.get(i, {"n": 0, "signed": 0})
        # The lists show every year: links to the records, not counted rows.
        out[i] = [
            Figure(drilled, drills.get(i, 0), f"{drill_list}{org}", counted=False),
            Figure(
                signed_label,
                signed["signed"],
                f"{letter_list}{org}&status=signed",
                counted=False,
                whole=signed["n"],
            ),
        ]
    return out


def title() -> str:
    return _("People and readiness")
