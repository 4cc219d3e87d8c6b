"""The at-risk register (易走失/易流浪人员信息库) and its revisits.

Revisit months: **January and July** (domain-reference §5.6, Chongqing 2021, [V]), a setting
(``OUTREACH_REVISIT_MONTHS``). The daily sweep creates the revisit of the current period for each
person on the register (idempotent: one per person and period) and tells each assignee once per
period through the outbox; the title counts, it never names anyone."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shuangfang.core import audit
from shuangfang.core.events import publish
from shuangfang.core.tenancy import require
from shuangfang.core.vocabulary import Severity
from shuangfang.orgs.models import BUREAU_KINDS
from shuangfang.orgs.roles import Role
from shuangfang.relief import identity

from .choices import RiskCategory
from .register_models import AtRiskPerson, Revisit

audit.register_actions(
    {
        "outreach.register_added": gettext_lazy("Added a person to the at-risk register"),
        "outreach.register_removed": gettext_lazy("Removed a person from the at-risk register"),
        "outreach.register_viewed": gettext_lazy("Viewed a person on the at-risk register"),
        "outreach.register_identity_shown": gettext_lazy("Showed full numbers on the at-risk register"),
        "outreach.revisit_done": gettext_lazy("Recorded an at-risk revisit"),
        "outreach.revisit_assigned": gettext_lazy("Assigned at-risk revisits"),
    }
)
FIELDS = ("name", "category", "id_number", "guardian", "guardian_phone", "community", "features", "notes")


def revisit_months() -> tuple[int, ...]:
    return tuple(getattr(settings, "OUTREACH_REVISIT_MONTHS", (1, 7)))


def current_period(today: dt.date) -> dt.date:
    """The first day of the latest revisit month on or before ``today``."""
    months = sorted(revisit_months())
    past = [m for m in months if m <= today.month]
    if past:
        return dt.date(today.year, past[-1], 1)
    return dt.date(today.year - 1, months[-1], 1)


def keepers(bureau):
    """The people who may revisit for ``bureau``: active memberships at it in a keeper's role."""
    from shuangfang.orgs.models import Membership, User

    from .permissions import KEEPERS

    members = Membership.objects.active().filter(organization=bureau, role__in=KEEPERS)
    return User.objects.filter(pk__in=members.values("user_id")).order_by("name", "username")


def _check_assignee(bureau, assignee) -> None:
    if assignee is not None and not keepers(bureau).filter(pk=assignee.pk).exists():
        raise ValidationError({"assignee": _("Choose someone who keeps this register.")})


def assign(*, actor, person: AtRiskPerson, assignee) -> None:
    """Give the person's revisits to ``assignee``: the open ones now and the next ones."""
    require(actor, "outreach.register", person.organization)
    if person.removed_at is not None:
        raise ValidationError(_("This person was removed from the register: no revisit is recorded."))
    _check_assignee(person.organization, assignee)
    with transaction.atomic():
        AtRiskPerson.objects.filter(pk=person.pk).update(assignee=assignee)
        person.revisits.filter(done_at__isnull=True).update(assignee=assignee)
        audit.record(
            actor=actor, action="outreach.revisit_assigned", obj=person, organization=person.organization
        )
    person.assignee = assignee


def add_person(
    *, actor, organization, fields: dict[str, Any], assignee=None, photo=None, consent: bool = False
) -> AtRiskPerson:
    """Add a person; a photo only with the consent of the person or the guardian (refused, nothing
    saved, without it)."""
    require(actor, "outreach.register", organization)
    if organization.kind not in BUREAU_KINDS:
        raise ValidationError(_("The at-risk register is kept by a bureau or a district bureau."))
    data = {k: (fields.get(k) or "").strip() for k in FIELDS}
    errors = {}
    if not data["name"]:
        errors["name"] = _("Write the name.")
    if data["category"] not in RiskCategory.values:
        errors["category"] = _("Choose a category.")
    if not data["community"]:
        errors["community"] = _("Write the township and community.")
    if photo is not None and not consent:
        errors["photo"] = _("A photo only with the consent of the person or the guardian: tick the box.")
    if errors:
        raise ValidationError(errors)
    _check_assignee(organization, assignee)
    data["id_number"] = identity.normalise(data["id_number"])
    if photo is not None:
        from shuangfang.core.photos import save_photo

        stored = save_photo(photo, folder="outreach-register")
        data.update(photo=stored.display, photo_thumb=stored.thumb)
    with transaction.atomic():
        person = AtRiskPerson.objects.create(
            organization=organization,
            assignee=assignee,
            added_at=timezone.now(),
            photo_consent=photo is not None,
            **data,
        )
        audit.record(actor=actor, action="outreach.register_added", obj=person, organization=organization)
    return person


def remove_person(*, actor, person: AtRiskPerson, reason: str) -> None:
    require(actor, "outreach.register", person.organization)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Write why the person leaves the register.")})
    with transaction.atomic():
        done = AtRiskPerson.objects.filter(pk=person.pk, removed_at__isnull=True).update(
            removed_at=timezone.now(), removed_reason=reason.strip()[:200]
        )
        if not done:
            raise ValidationError(_("This person was already removed from the register."))
        audit.record(
            actor=actor,
            action="outreach.register_removed",
            obj=person,
            organization=person.organization,
            note=reason,
        )


def complete_revisit(*, actor, revisit: Revisit, note: str) -> Revisit:
    require(actor, "outreach.register", revisit.organization)
    if not (note or "").strip():
        raise ValidationError({"note": _("Write what the visit found.")})
    with transaction.atomic():
        person = AtRiskPerson.objects.select_for_update().get(pk=revisit.person_id)
        if person.removed_at is not None:
            raise ValidationError(_("This person was removed from the register: no revisit is recorded."))
        done = Revisit.objects.filter(pk=revisit.pk, done_at__isnull=True).update(
            done_at=timezone.now(), done_by=actor, note=note.strip()[:300]
        )
        if not done:
            raise ValidationError(_("This revisit is already recorded."))
        audit.record(
            actor=actor, action="outreach.revisit_done", obj=person, organization=person.organization
        )
    revisit.refresh_from_db()
    return revisit


def sweep(today: dt.date | None = None) -> int:
    """Create the current period's revisits (people added before the period began) and tell each
    assignee once. Returns how many revisits were created."""
    today = today or timezone.localdate()
    period = current_period(today)
    start = timezone.make_aware(dt.datetime.combine(period, dt.time()))
    people = AtRiskPerson.objects.filter(removed_at__isnull=True, added_at__lt=start).exclude(
        revisits__period=period
    )
    made: dict[tuple[int, int | None], int] = defaultdict(int)
    for person in people:
        try:
            with transaction.atomic():
                Revisit.objects.create(
                    organization_id=person.organization_id,
                    person=person,
                    period=period,
                    assignee=person.assignee,
                )
        except IntegrityError:
            continue  # another sweep made it
        made[(person.organization_id, person.assignee_id)] += 1
    for (org_id, assignee_id), count in made.items():
        _tell(org_id, assignee_id, period, count)
    escalate_overdue(today)
    return sum(made.values())


def _month_after(period: dt.date) -> dt.date:
    return dt.date(period.year + period.month // 12, period.month % 12 + 1, 1)


def escalate_overdue(today: dt.date) -> int:
    """Revisits not done by the end of their month (January, July) are escalated once: each
    overdue revisit is claimed (``escalated_at``, a conditional update) and one notice per bureau
    and period goes to the assignees and the bureau supervisors. Returns how many were escalated."""
    now = timezone.now()
    overdue = Revisit.objects.filter(
        done_at__isnull=True, escalated_at__isnull=True, person__removed_at__isnull=True
    ).values_list("pk", "organization_id", "period", "assignee_id")
    groups: dict[tuple[int, dt.date], list[tuple[int, int | None]]] = defaultdict(list)
    for pk, org_id, period, assignee_id in overdue:
        if _month_after(period) <= today:
            groups[(org_id, period)].append((pk, assignee_id))
    total = 0
    for (org_id, period), rows in groups.items():
        with transaction.atomic():
            claimed = list(
                Revisit.objects.select_for_update(skip_locked=True)
                .filter(pk__in=[pk for pk, _a in rows], escalated_at__isnull=True)
                .values_list("pk", "assignee_id")
            )
            if not claimed:
                continue
            Revisit.objects.filter(pk__in=[pk for pk, _a in claimed]).update(escalated_at=now)
            _escalate(org_id, period, len(claimed), sorted({a for _p, a in claimed if a}))
            total += len(claimed)
    return total


def _escalate(org_id: int, period: dt.date, count: int, assignee_ids: list[int]) -> None:
    from shuangfang.orgs.models import Organization

    org = Organization.objects.get(pk=org_id)
    publish(
        "outreach.revisits_overdue",
        organization_id=org_id,
        object_uuid=str(org.uuid),
        period=f"{period:%Y-%m}",
        title=_("%(n)s at-risk revisits of %(period)s are overdue")
        % {"n": count, "period": f"{period:%Y-%m}"},
        url=reverse("outreach:register") + f"?org={org.uuid}&overdue=1",
        severity=Severity.WARNING,
        recipient_ids=assignee_ids,
        roles=[Role.BUREAU_SUPERVISOR],
    )


def _tell(org_id: int, assignee_id: int | None, period: dt.date, count: int) -> None:
    from shuangfang.orgs.models import Organization

    org = Organization.objects.get(pk=org_id)
    with transaction.atomic():
        publish(
            "outreach.revisits_due",
            organization_id=org_id,
            object_uuid=str(org.uuid),
            period=f"{period:%Y-%m}",
            title=_("%(n)s at-risk revisits due for %(period)s") % {"n": count, "period": f"{period:%Y-%m}"},
            url=reverse("outreach:register") + f"?org={org.uuid}",
            severity=Severity.INFO,
            recipient_ids=[assignee_id] if assignee_id else [],
            roles=[] if assignee_id else [Role.BUREAU_SUPERVISOR],
        )


def masked(person: AtRiskPerson) -> dict[str, str]:
    return {
        "id_number": identity.mask_id(person.id_number),
        "guardian_phone": identity.mask_phone(person.guardian_phone),
    }


def reveal(*, actor, person: AtRiskPerson) -> dict[str, str]:
    require(actor, "outreach.show_identity", person.organization)
    audit.record(
        actor=actor, action="outreach.register_identity_shown", obj=person, organization=person.organization
    )
    return {"id_number": person.id_number, "guardian_phone": person.guardian_phone}


def log_view(*, actor, person: AtRiskPerson) -> None:
    audit.record(actor=actor, action="outreach.register_viewed", obj=person, organization=person.organization)
