"""Writing an inspection record: checking the answers, saving the record with its photos and one
``inspection.problem_found`` event per problem. A task's submission
(:func:`shuangfang.inspections.taskflow.submit_record`) and a bureau inspection (here) both write one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shuangfang.core import audit, events, messages
from shuangfang.core.limits import check_length, max_chars
from shuangfang.core.photos import save_photo
from shuangfang.core.tenancy import require
from shuangfang.core.uploads import check_image
from shuangfang.core.vocabulary import HazardGrade, Severity
from shuangfang.orgs.models import Organization, User

from .checklists import require_institution
from .choices import AssigneeKind, ChecklistKind, Result, TaskStatus
from .counts import TASKS
from .models import Checklist, ChecklistItem, Checkpoint, Record, RecordItem, RecordPhoto, Task

audit.register_fields(
    {
        "checklist": gettext_lazy("checklist"),
        "problems": gettext_lazy("problems found"),
        "task": gettext_lazy("task"),
        "items": gettext_lazy("items checked"),
    }
)
# A problem's title when the inspector wrote no note: the check that was not met.
messages.register({"inspection.problem_found": gettext_lazy("Not met: %(item)s")})
audit.register_actions(
    {
        "record.bureau": gettext_lazy("Bureau inspection recorded"),
    }
)


# --- Answers and the record ----------------------------------------------------------------------


@dataclass
class Answer:
    item_uuid: str
    result: str
    note: str = ""
    photos: list = field(default_factory=list)


@dataclass
class Position:
    latitude: float | None = None
    longitude: float | None = None
    accuracy_m: int | None = None


def check_answers(items: list[ChecklistItem], answers: dict[str, Answer]) -> dict[str, str]:
    """Field-level errors keyed by item uuid ({} when everything is fine). Nothing is saved here."""
    errors: dict[str, str] = {}
    for item in items:
        a = answers.get(str(item.uuid))
        if a is None or a.result not in Result.values:
            errors[str(item.uuid)] = _("Choose OK, problem or not applicable.")
            continue
        if item.requires_photo and a.result != Result.NA and not a.photos:
            errors[str(item.uuid)] = _("This item needs a photo.")
            continue
        if a.result == Result.PROBLEM and not a.photos and not a.note.strip():
            errors[str(item.uuid)] = _("Describe the problem or take a photo.")
            continue
        try:  # refused past the limit, never cut (docs/security.md)
            check_length(_("note"), a.note.strip(), max_chars(RecordItem, "note"))
        except ValidationError as exc:
            errors[str(item.uuid)] = " ".join(exc.messages)
            continue
        for upload in a.photos:
            try:
                check_image(upload)
            except ValidationError as exc:
                errors[str(item.uuid)] = " ".join(exc.messages)
                break
    return errors


def check_texts(note: str, location: str = "") -> None:
    """The record's note and (bureau) location are refused past their limits, never cut."""
    check_length(_("note"), note, max_chars(Record, "note"))
    check_length(_("location"), location, max_chars(Task, "location"))


class AnswerErrors(ValidationError):
    """A ValidationError that also carries the per-item messages for the form."""

    def __init__(self, item_errors: dict[str, str]):
        super().__init__(_("Some items need your attention (marked below). Nothing was saved."))
        self.item_errors = item_errors


def save_record(
    *,
    actor: User,
    organization: Organization,
    checklist: Checklist,
    items: list[ChecklistItem],
    answers: dict[str, Answer],
    note: str,
    location: str,
    checkpoint: Checkpoint | None,
    task: Task | None,
    position: Position | None,
    at: dt.datetime,
    by_bureau: Organization | None = None,
    department_id: int | None = None,
) -> Record:
    position = position or Position()
    record = Record.objects.create(
        organization=organization,
        task=task,
        checklist=checklist,
        checkpoint=checkpoint,
        location=location,
        inspector=actor,
        by_bureau=by_bureau,
        submitted_at=at,
        latitude=position.latitude,
        longitude=position.longitude,
        accuracy_m=position.accuracy_m,
        note=note,
    )
    problems = 0
    for item in items:
        a = answers[str(item.uuid)]
        ri = RecordItem.objects.create(
            record=record,
            item=item,
            text=item.text,
            category=item.category,
            result=a.result,
            note=a.note.strip(),  # its length was checked by check_answers
            grade=(HazardGrade.MAJOR if item.criterion_code else item.default_grade)
            if a.result == Result.PROBLEM
            else "",
        )
        names = [_add_photo(ri, upload, organization) for upload in a.photos]
        if a.result == Result.PROBLEM:
            problems += 1
            events.publish(
                "inspection.problem_found",
                organization_id=organization.pk,
                object_uuid=str(ri.uuid),
                **problem_title_fields(item.text, ri.note),
                url=reverse("inspections:record", args=[record.uuid]),
                severity=Severity.CRITICAL if ri.grade == HazardGrade.MAJOR else Severity.WARNING,
                roles=["safety_officer"],
                reporter_id=actor.pk,
                description=f"{item.text}{'：' + ri.note if ri.note else ''}",
                location=location,
                department_id=department_id,
                category=item.category,
                grade=ri.grade,
                criterion_code=item.criterion_code,
                photo_names=names,
                origin=ri.origin,
                record_uuid=str(record.uuid),
                risk_point_id=checkpoint.risk_point_id if checkpoint is not None else None,
            )
    record.problem_count = problems
    record.save(update_fields=["problem_count"])
    return record


def _add_photo(ri: RecordItem, upload, organization: Organization) -> str:
    """Store one item photo with its evidence (``core.photos``); its original's storage name."""
    stored = save_photo(upload, folder=f"inspections/{organization.pk}")
    RecordPhoto.objects.create(
        record_item=ri,
        original=stored.original,
        display=stored.display,
        thumb=stored.thumb,
        taken_at=stored.taken_at,
        latitude=stored.latitude,
        longitude=stored.longitude,
    )
    return stored.original


def problem_title_fields(item_text: str, note: str) -> dict:
    """A problem's title says what is wrong: the inspector's note (its first line, as typed), else
    the check that was not met (a message in the reader's language). Never the check's text alone,
    which says what should be true ("安全出口标志完好有效"), and not the place, which the hazard
    shows beside its title."""
    first_line = note.strip().splitlines()[0].strip() if note.strip() else ""
    if first_line:
        return {"title": first_line[:80]}
    return messages.title_fields("inspection.problem_found", item=item_text[:60])


def problem_title(item_text: str, note: str) -> str:
    """The title in the active language (the note as typed, or "Not met: …")."""
    fields = problem_title_fields(item_text, note)
    return messages.render(fields["title_msg"], fields["title"]) if "title_msg" in fields else fields["title"]


# --- Bureau inspections --------------------------------------------------------------------------


def bureau_inspect(
    *,
    actor: User,
    institution: Organization,
    checklist: Checklist,
    answers: list[Answer],
    note: str = "",
    location: str = "",
    now: dt.datetime | None = None,
) -> Record:
    """A bureau supervisor inspects an institution below their bureau with a bureau checklist."""
    at = now or timezone.now()
    with transaction.atomic():
        require(actor, "inspection.bureau", institution)
        require_institution(institution)
        if checklist.kind != ChecklistKind.BUREAU or not institution.is_within(checklist.organization):
            raise ValidationError(_("Choose a bureau checklist of a bureau above this institution."))
        items = list(checklist.items.filter(is_active=True))
        by_item = {a.item_uuid: a for a in answers}
        check_texts(note, location)
        errors = check_answers(items, by_item)
        if errors:
            raise AnswerErrors(errors)
        spot = _open_spot_check(institution, checklist.organization, actor, at)
        task = spot or Task.objects.create(
            organization=institution,
            plan=None,
            place_key=f"bureau:{actor.pk}",
            location=location or institution.name,  # checked by check_texts
            window_start=at,
            window_end=at + dt.timedelta(minutes=1),
            status=TaskStatus.DONE,
            closed_at=at,
            assignee_kind=AssigneeKind.PERSON,
            assignee_user=actor,
        )
        record = save_record(
            actor=actor,
            organization=institution,
            checklist=checklist,
            items=items,
            answers=by_item,
            note=note,
            location=location or institution.name,
            checkpoint=None,
            task=task,
            position=None,
            at=at,
            by_bureau=checklist.organization,
        )
        audit.record(
            actor=actor,
            action="record.bureau",
            obj=record,
            organization=institution,
            after={"checklist": checklist.name, "problems": record.problem_count},
        )
        if spot is not None:
            from .taskflow import TASK_FLOW

            TASK_FLOW.move(spot, "inspect", actor=actor, at=at)  # moves the daily counts: the last write
        else:
            TASKS.move({}, TASKS.of([task]))  # the last write: see core.counters
    return record


def _open_spot_check(institution: Organization, bureau: Organization, actor: User, at: dt.datetime):
    """The open spot-check task of ``institution`` for ``bureau`` due at ``at`` (the one assigned to
    ``actor`` first, else a colleague's: the bureau's spot check is done either way), locked; None
    when there is none."""
    from .taskflow import spot_key

    return (
        Task.objects.select_for_update(of=("self",))
        .filter(
            organization=institution,
            plan__isnull=True,
            place_key=spot_key(bureau.pk),
            status=TaskStatus.OPEN,
            window_start__lte=at,
            window_end__gt=at,
        )
        .order_by(
            Case(When(assignee_user=actor, then=Value(0)), default=Value(1)),
            "window_end",
            "pk",
        )
        .first()
    )
