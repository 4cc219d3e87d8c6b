"""The self-check against the criteria (自查): an institution answers every situation in force for
it (是/否/不涉及, with evidence); the result is one dated :class:`SelfAssessment`, and each 是 is
published as ``criteria.situation_found``, which the hazards app turns into exactly one major hazard
citing the criterion (idempotent on the answer)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from shuangfang.core import audit, events
from shuangfang.core.limits import check_length
from shuangfang.core.tenancy import require
from shuangfang.core.vocabulary import Severity
from shuangfang.orgs.models import Organization

from .choices import Answer
from .models import Criterion, SelfAssessment, SelfAssessmentAnswer
from .services import citable_for


@dataclass(frozen=True)
class Reply:
    answer: str
    evidence: str = ""


def run_selfcheck(
    *, actor, institution: Organization, done_on: dt.date, replies: dict[str, Reply], note: str = ""
) -> SelfAssessment:
    """Save a self-check with a reply per criterion code (all or nothing)."""
    require(actor, "criteria.selfcheck", institution)
    if not institution.is_institution:
        raise ValidationError(_("A self-check is made by an institution."))
    if done_on > timezone.localdate():
        raise ValidationError(_("The date of the self-check cannot be in the future."))
    criteria = citable_for(institution, on=done_on)
    if not criteria:
        raise ValidationError(
            _("No criterion in force applies to this type of institution: there is nothing to check.")
        )
    _check_replies(criteria, replies, note)
    with transaction.atomic():
        assessment = SelfAssessment.objects.create(
            organization=institution,
            done_on=done_on,
            performed_by=actor,
            note=note.strip(),
            standards=sorted(
                {
                    f"{c.standard.code}@{c.standard.version}{'' if c.standard.complete else ' (incomplete)'}"
                    for c in criteria
                }
            ),
            found=sum(1 for c in criteria if replies[c.code].answer == Answer.YES),
        )
        for c in criteria:
            reply = replies[c.code]
            row = SelfAssessmentAnswer.objects.create(
                assessment=assessment, criterion=c, answer=reply.answer, evidence=reply.evidence.strip()
            )
            if reply.answer == Answer.YES:
                _publish(assessment, row, c, actor)
        audit.record(
            actor=actor,
            action="criteria.selfcheck",
            obj=assessment,
            organization=institution,
            after={
                "done_on": done_on.isoformat(),
                "found": assessment.found,
                "standards": assessment.standards,
            },
        )
    return assessment


def _check_replies(criteria: list[Criterion], replies: dict[str, Reply], note: str) -> None:
    codes = {c.code for c in criteria}
    unknown = sorted(set(replies) - codes)
    if unknown:
        raise ValidationError(
            _("These codes are not criteria in force for this institution: %(c)s.")
            % {"c": ", ".join(unknown)}
        )
    missing = [
        c.code for c in criteria if c.code not in replies or replies[c.code].answer not in Answer.values
    ]
    if missing:
        raise ValidationError(_("Answer every situation: %(c)s.") % {"c": ", ".join(missing)})
    for c in criteria:
        reply = replies[c.code]
        check_length(c.code, reply.evidence, settings.TEXT_MAX_CHARS)
        if reply.answer == Answer.YES and not reply.evidence.strip():
            raise ValidationError(_("Say what was found for %(c)s.") % {"c": c.code})
    check_length(_("note"), note, settings.TEXT_MAX_CHARS)


def _publish(assessment: SelfAssessment, row: SelfAssessmentAnswer, c: Criterion, actor) -> None:
    with translation.override("zh-hans"):  # the hazard's title, as the hazards app writes its own
        title = _("Self-check: %(text)s") % {"text": c.text[:40]}
    events.publish(
        "criteria.situation_found",
        organization_id=assessment.organization_id,
        object_uuid=str(row.uuid),
        title=title,
        url=assessment.get_absolute_url(),
        severity=Severity.CRITICAL,
        roles=["safety_officer", "institution_head"],
        reporter_id=actor.pk,
        criterion_code=c.code,
        description=f"{c.text}\n自查发现：{row.evidence}",
        assessment_uuid=str(assessment.uuid),
    )


@dataclass
class Row:
    institution: Organization
    last: SelfAssessment | None
    count: int


def overview(user, year: int) -> list[Row]:
    """Every institution the user may see, with its last self-check of ``year`` and how many it made."""
    institutions = list(
        Organization.objects.for_user(user, "criteria.selfcheck.view").institutions().order_by("path")[:500]
    )
    done = SelfAssessment.objects.filter(organization__in=institutions, done_on__year=year).order_by(
        "organization_id", "-done_on", "-submitted_at"
    )
    last: dict[int, SelfAssessment] = {}
    counts: dict[int, int] = {}
    for a in done:
        last.setdefault(a.organization_id, a)
        counts[a.organization_id] = counts.get(a.organization_id, 0) + 1
    return [Row(i, last.get(i.pk), counts.get(i.pk, 0)) for i in institutions]
