"""A person on an at-risk register who turns up at a relief station (易走失人员 found): matched when the
station registers the help-seeker (``relief.case_registered`` through the outbox; relief knows nothing
of the register) and flagged to the station's officer and to the register's keepers.

* **Same document number** as an entry on any bureau's register (a person may wander far from home):
  a match.
* **Same name** (not "无名氏") on a register of the station's own bureaus (its district, its city):
  a possible match, flagged as such for the officer to check.

The station then sees, on its matches page, what it needs to bring the person home: the category,
the township and community, the guardian and their phone (masked; the full number shown on request,
logged), the distinguishing features. Notices name the case number only."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shuangfang.core import audit
from shuangfang.core.events import publish
from shuangfang.core.vocabulary import Severity
from shuangfang.orgs.roles import Role
from shuangfang.relief import identity
from shuangfang.relief.models import Case
from shuangfang.relief.permissions import LEADS

from .register_models import AtRiskPerson, RegisterMatch

audit.register_actions(
    {
        "outreach.match_viewed": gettext_lazy("Viewed an at-risk register match at the station"),
        "outreach.match_phone_shown": gettext_lazy("Showed a matched guardian's full phone number"),
    }
)
UNKNOWN_NAMES = {"", "无名氏", "不详", "unknown"}


def candidates(case: Case) -> list[tuple[AtRiskPerson, str]]:
    person = case.person
    out: list[tuple[AtRiskPerson, str]] = []
    seen: set[int] = set()
    number = identity.normalise(person.id_number)
    if number:
        for entry in AtRiskPerson.objects.filter(id_number=number, removed_at__isnull=True):
            out.append((entry, "id_number"))
            seen.add(entry.pk)
    name = (person.name or "").strip()
    if name.lower() not in UNKNOWN_NAMES:
        bureaus = [i for i in case.organization.ancestor_ids if i != case.organization_id]
        for entry in AtRiskPerson.objects.filter(
            name=name, organization_id__in=bureaus, removed_at__isnull=True
        ).exclude(pk__in=seen):
            out.append((entry, "name"))
    return out


def match_case(case: Case) -> list[RegisterMatch]:
    """Record the matches of ``case`` (idempotent: once per register entry and case) and tell."""
    made = []
    for entry, how in candidates(case):
        try:
            with transaction.atomic():
                match = RegisterMatch.objects.create(
                    organization_id=case.organization_id,
                    person=entry,
                    case_uuid=case.uuid,
                    case_number=case.number,
                    matched_on=how,
                    matched_at=timezone.now(),
                )
        except IntegrityError:
            continue  # matched before (a replay)
        _tell(match, case, entry)
        made.append(match)
    return made


def _tell(match: RegisterMatch, case: Case, entry: AtRiskPerson) -> None:
    sure = match.matched_on == "id_number"
    station_title = (
        _("Case %(n)s: the person is on an at-risk register")
        if sure
        else _("Case %(n)s: possibly a person on an at-risk register (same name)")
    ) % {"n": case.number}
    publish(
        "outreach.register_matched",
        organization_id=case.organization_id,
        object_uuid=str(match.uuid),
        side="station",
        title=station_title,
        url=reverse("outreach:matches") + f"?org={case.organization.uuid}",
        severity=Severity.WARNING,
        recipient_ids=[case.registered_by_id] if case.registered_by_id else [],
        roles=list(LEADS),
    )
    publish(
        "outreach.register_matched",
        organization_id=entry.organization_id,
        object_uuid=str(match.uuid),
        side="register",
        title=_("A person on the at-risk register was registered at %(station)s (case %(n)s)")
        % {"station": case.organization.name, "n": case.number},
        url=reverse("outreach:register_person", kwargs={"uuid": entry.uuid}),
        severity=Severity.WARNING,
        recipient_ids=[entry.assignee_id] if entry.assignee_id else [],
        roles=[] if entry.assignee_id else [Role.BUREAU_SUPERVISOR],
    )


def on_case_registered(kind: str, event) -> None:
    """Outbox consumer of ``relief.case_registered``: idempotent (one match per entry and case)."""
    case = (
        Case.objects.filter(uuid=event.case_uuid, organization_id=event.organization_id)
        .select_related("person", "organization")
        .first()
    )
    if case is None or case.person.anonymised_at is not None:
        return
    match_case(case)


def for_station(station):
    return (
        RegisterMatch.objects.filter(organization=station)
        .select_related("person", "person__organization")
        .order_by("-matched_at")
    )


def log_view(*, actor, match: RegisterMatch) -> None:
    audit.record(
        actor=actor, action="outreach.match_viewed", obj=match.person, organization=match.organization
    )


def reveal_phone(*, actor, match: RegisterMatch) -> str:
    audit.record(
        actor=actor, action="outreach.match_phone_shown", obj=match.person, organization=match.organization
    )
    return match.person.guardian_phone
