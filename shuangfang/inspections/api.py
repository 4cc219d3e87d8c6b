"""Inspections API: checklists, plans, tasks (with "my tasks now") and submitting a record with
photos (multipart)."""

import json
from datetime import datetime
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from shuangfang.core.api import IsoDate
from shuangfang.core.limits import SHORT, max_chars
from shuangfang.core.photos import attach_evidence
from shuangfang.core.tenancy import get_for_user, has_perm_anywhere

from .models import Checklist, Checkpoint, Plan, Record, RecordItem, Task
from .records import Answer, AnswerErrors, Position
from .taskflow import my_tasks_page, submit_record

router = Router(tags=["inspections"])

# The answers JSON: room for a long checklist whose every note is at its limit, and not more.
ANSWERS_MAX = 200 * (max_chars(RecordItem, "note") + 200)


def _need(user, perm: str) -> None:
    if not has_perm_anywhere(user, perm):
        raise PermissionDenied(perm)


class ItemOut(Schema):
    uuid: UUID
    order: int
    category: str
    text: str
    basis: str
    requires_photo: bool
    default_grade: str
    major_criterion: str
    criterion_code: str
    source_kind: str
    source_ref: str


class ChecklistOut(Schema):
    uuid: UUID
    organization: UUID
    name: str
    kind: str
    category: str
    is_active: bool
    items: list[ItemOut]

    @staticmethod
    def resolve_organization(obj: Checklist) -> UUID:
        return obj.organization.uuid

    @staticmethod
    def resolve_items(obj: Checklist) -> list:
        return [i for i in obj.items.all() if i.is_active]


class PlanOut(Schema):
    uuid: UUID
    organization: UUID
    name: str
    checklist: UUID
    frequency: str
    rule: dict
    assignee_kind: str
    location: str
    checkpoints: list[UUID]
    is_active: bool

    @staticmethod
    def resolve_organization(obj: Plan) -> UUID:
        return obj.organization.uuid

    @staticmethod
    def resolve_checklist(obj: Plan) -> UUID:
        return obj.checklist.uuid

    @staticmethod
    def resolve_checkpoints(obj: Plan) -> list[UUID]:
        return [cp.uuid for cp in obj.checkpoints.all()]


class TaskOut(Schema):
    uuid: UUID
    plan: UUID | None
    plan_name: str
    checklist: UUID | None
    checkpoint: UUID | None
    location: str
    window_start: datetime
    window_end: datetime
    status: str

    @staticmethod
    def resolve_plan(obj: Task) -> UUID | None:
        return obj.plan.uuid if obj.plan else None

    @staticmethod
    def resolve_plan_name(obj: Task) -> str:
        return obj.plan.name if obj.plan else ""

    @staticmethod
    def resolve_checklist(obj: Task) -> UUID | None:
        return obj.plan.checklist.uuid if obj.plan else None

    @staticmethod
    def resolve_checkpoint(obj: Task) -> UUID | None:
        return obj.checkpoint.uuid if obj.checkpoint else None


class RecordItemOut(Schema):
    uuid: UUID
    text: str
    category: str
    result: str
    note: str
    grade: str
    origin: str
    photos: list[UUID]

    @staticmethod
    def resolve_photos(obj) -> list[UUID]:
        return [p.uuid for p in obj.photos.all()]


class RecordOut(Schema):
    uuid: UUID
    task: UUID | None
    checklist: UUID
    location: str
    inspector: str
    submitted_at: datetime
    problem_count: int
    items: list[RecordItemOut]

    @staticmethod
    def resolve_task(obj: Record) -> UUID | None:
        return obj.task.uuid if obj.task else None

    @staticmethod
    def resolve_checklist(obj: Record) -> UUID:
        return obj.checklist.uuid

    @staticmethod
    def resolve_inspector(obj: Record) -> str:
        return str(obj.inspector)

    @staticmethod
    def resolve_items(obj: Record) -> list:
        return list(obj.items.prefetch_related("photos"))


def _tasks():
    return Task.objects.select_related("plan", "plan__checklist", "checkpoint")


@router.get("/checklists", response=list[ChecklistOut], summary="Checklists you may see")
@paginate
def list_checklists(request):
    _need(request.auth, "inspection.view")
    return (
        Checklist.objects.for_user(request.auth, "inspection.view")
        .select_related("organization")
        .prefetch_related("items")
    )


@router.get("/checklists/{uuid}", response=ChecklistOut)
def get_checklist(request, uuid: UUID):
    return get_for_user(
        Checklist.objects.select_related("organization").prefetch_related("items"),
        request.auth,
        "inspection.view",
        uuid=uuid,
    )


@router.get("/plans", response=list[PlanOut], summary="Inspection plans you may see")
@paginate
def list_plans(request):
    _need(request.auth, "inspection.view")
    return (
        Plan.objects.for_user(request.auth, "inspection.view")
        .select_related("organization", "checklist")
        .prefetch_related("checkpoints")
    )


@router.get("/tasks", response=list[TaskOut], summary="Inspection tasks (ledger view)")
@paginate
def list_tasks(request, status: str | None = Query(None, max_length=SHORT), since: IsoDate | None = None):
    _need(request.auth, "inspection.view")
    qs = _tasks().for_user(request.auth, "inspection.view").order_by("-window_start", "-id")
    if status:
        qs = qs.filter(status=status)
    if since:
        qs = qs.filter(window_start__date__gte=since)
    return qs


@router.get("/tasks/mine", response=list[TaskOut], summary="My tasks now: open, in their window, mine")
def my_tasks(request, checkpoint: UUID | None = None):
    _need(request.auth, "inspection.do")
    cp = Checkpoint.objects.filter(uuid=checkpoint).first() if checkpoint else None
    return my_tasks_page(request.auth, limit=200, checkpoint=cp)


@router.get("/tasks/{uuid}", response=TaskOut)
def get_task(request, uuid: UUID):
    return get_for_user(_tasks(), request.auth, "inspection.do", uuid=uuid)


@router.post(
    "/tasks/{uuid}/record",
    response={201: RecordOut},
    summary="Submit a task's record (multipart: answers JSON + photos)",
    description=(
        'Form field `answers`: JSON list of {"item": "<item uuid>", "result": "ok"|"problem"|"na", '
        '"note": "", "photos": [0, 1]} where `photos` are indexes into the uploaded `photos` files. '
        "Optional `note`, `latitude`, `longitude`, `accuracy`. Per photo, in order, optional "
        "`photos-taken_at` (ISO 8601), `photos-latitude`, `photos-longitude` (kept only with "
        "`keep_location=1`). A problem item publishes "
        "`inspection.problem_found`. Submitting twice, late, or a task that is not yours is refused."
    ),
)
def submit(
    request,
    uuid: UUID,
    answers: str = Form("", max_length=ANSWERS_MAX),
    note: str = Form("", max_length=max_chars(Record, "note")),
    latitude: Form[float | None] = None,
    longitude: Form[float | None] = None,
    accuracy: Form[int | None] = None,
    photos: File[list[UploadedFile]] = None,  # type: ignore[assignment]
):
    task = get_for_user(Task, request.auth, "inspection.do", uuid=uuid)
    files = attach_evidence(photos or [], request.POST, "photos")
    try:
        raw = json.loads(answers or "[]")
        if not isinstance(raw, list):
            raise ValueError
        parsed = [
            Answer(
                str(a["item"]),
                str(a.get("result", "")),
                str(a.get("note", "")),
                [files[int(i)] for i in a.get("photos", [])],
            )
            for a in raw
        ]
    except (ValueError, KeyError, IndexError, TypeError):
        raise ValidationError(
            _("answers must be a JSON list of items with item, result, note, photos.")
        ) from None
    try:
        record = submit_record(
            actor=request.auth,
            task=task,
            answers=parsed,
            note=note,
            position=Position(latitude, longitude, accuracy),
        )
    except AnswerErrors as exc:
        raise ValidationError(
            " ".join([exc.messages[0], *(f"{k}: {v}" for k, v in exc.item_errors.items())])
        ) from None
    return Status(201, record)


@router.get("/records/{uuid}", response=RecordOut)
def get_record(request, uuid: UUID):
    return get_for_user(
        Record.objects.select_related("task", "checklist", "inspector"),
        request.auth,
        "inspection.view",
        uuid=uuid,
    )
