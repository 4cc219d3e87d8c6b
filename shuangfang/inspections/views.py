from __future__ import annotations

import base64
import datetime as dt
import json
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db.models import Count, Prefetch, Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from shuangfang.core import jobs, origins
from shuangfang.core.forms import add_service_errors as _form_error
from shuangfang.core.listing import Column, ListPage, display
from shuangfang.core.pdf import pdf_response, render_pdf
from shuangfang.core.photos import attach_evidence, serve_file
from shuangfang.core.qr import qr_svg
from shuangfang.core.submissions import idempotent, refuse
from shuangfang.core.tenancy import get_for_user, require_perm, scope_orgs
from shuangfang.core.types import AuthedRequest
from shuangfang.orgs.models import Organization, OrgKind
from shuangfang.orgs.roles import Role

from . import records
from .checklists import (
    add_item,
    add_library_items,
    add_measure_items,
    create_checklist,
    create_checkpoint,
    in_readers_language,
    update_item,
)
from .choices import ChecklistKind, Result, TaskStatus
from .filters import LedgerFilter
from .forms import (
    BureauStartForm,
    ChecklistForm,
    CheckpointForm,
    ItemForm,
    LibraryForm,
    MeasuresForm,
    PlanForm,
)
from .models import (
    Checklist,
    Checkpoint,
    Plan,
    PlanTemplate,
    Record,
    RecordItem,
    RecordPhoto,
    Task,
)
from .plans import create_plan, generate_tasks, set_plan_active
from .records import Answer, AnswerErrors, Position
from .schedule_words import describe
from .taskflow import my_missed_count, my_spot_checks, my_tasks_page, submit_record

# --- Frontline: my tasks, the checkpoint scan page, doing a task --------------------------------


@require_perm("inspection.do")
def mine(request: AuthedRequest) -> HttpResponse:
    tasks = my_tasks_page(request.user)
    missed = my_missed_count(request.user, days=7)
    return render(request, "inspections/mine.html", {"tasks": tasks, "missed": missed, "now": timezone.now()})


@require_perm("inspection.do")
def checkpoint_scan(request: AuthedRequest, uuid) -> HttpResponse:
    checkpoint = get_for_user(Checkpoint, request.user, "inspection.do", uuid=uuid)
    tasks = my_tasks_page(request.user, checkpoint=checkpoint)
    if len(tasks) == 1 and request.GET.get("list") != "1":
        return redirect("inspections:task", uuid=tasks[0].uuid)
    return render(
        request,
        "inspections/checkpoint.html",
        {"checkpoint": checkpoint, "tasks": tasks, "now": timezone.now()},
    )


@require_perm("inspection.do")
def risk_point_tasks(request: AuthedRequest, uuid) -> HttpResponse:
    """The risk point's QR code leads here from its page: the tasks due at its checkpoints."""
    from shuangfang.risks.models import RiskPoint

    point = get_for_user(RiskPoint, request.user, "inspection.do", uuid=uuid)
    checkpoints = list(Checkpoint.objects.filter(risk_point=point, is_active=True))
    if len(checkpoints) == 1:
        return redirect("inspections:checkpoint", uuid=checkpoints[0].uuid)
    tasks = [t for cp in checkpoints for t in my_tasks_page(request.user, checkpoint=cp)]
    return render(
        request,
        "inspections/risk_point.html",
        {"point": point, "checkpoints": checkpoints, "tasks": tasks, "now": timezone.now()},
    )


def _answers_from(request, items) -> tuple[list[Answer], dict[str, dict]]:
    answers, entered = [], {}
    for item in items:
        key = str(item.uuid)
        result = request.POST.get(f"result-{key}", "")
        note = request.POST.get(f"note-{key}", "")
        photos = attach_evidence(request.FILES.getlist(f"photo-{key}"), request.POST, f"photo-{key}")
        answers.append(Answer(key, result, note, photos))
        entered[key] = {"result": result, "note": note, "had_photo": bool(photos)}
    return answers, entered


def _position(request) -> Position:
    def num(name):
        try:
            return Decimal(request.POST.get(name, "")).quantize(Decimal("0.000001"))
        except (InvalidOperation, ValueError):
            return None

    acc = num("accuracy")
    return Position(
        latitude=num("latitude"), longitude=num("longitude"), accuracy_m=int(acc) if acc is not None else None
    )


def _refuse_items(request, error: str, items, item_errors: dict[str, str]) -> None:
    """Why the form was refused, for the phone's outbox: each item's reason names the item."""
    named = {str(i.uuid): Truncator(i.text).chars(30) for i in items}
    said = _("%(field)s: %(error)s")
    reasons = (said % {"field": named.get(k, ""), "error": e} for k, e in item_errors.items())
    refuse(request, error, *reasons)


@require_perm("inspection.do")
@idempotent("inspection.record")
def task_do(request: AuthedRequest, uuid) -> HttpResponse:
    task = get_for_user(
        Task.objects.select_related("plan", "plan__checklist", "checkpoint"),
        request.user,
        "inspection.do",
        uuid=uuid,
    )
    plan = task.plan
    if plan is None:
        raise Http404
    items = list(plan.checklist.items.filter(is_active=True))
    entered: dict[str, dict] = {}
    item_errors: dict[str, str] = {}
    error = ""
    status = 200
    if request.method == "POST":
        answers, entered = _answers_from(request, items)
        try:
            record = submit_record(
                actor=request.user,
                task=task,
                answers=answers,
                note=request.POST.get("note", ""),
                position=_position(request),
            )
        except AnswerErrors as exc:
            item_errors, error = exc.item_errors, exc.messages[0]
        except ValidationError as exc:
            error, status = " ".join(exc.messages), 409
        except PermissionDenied as exc:
            error, status = str(exc) or _("This task is not yours."), 403
        else:
            messages.success(request, _("Submitted. Thank you!"))
            return redirect("inspections:record", uuid=record.uuid)
    if error:
        _refuse_items(request, error, items, item_errors)
    rows = [
        {
            "item": i,
            "key": str(i.uuid),
            "entered": entered.get(str(i.uuid), {}),
            "error": item_errors.get(str(i.uuid), ""),
        }
        for i in in_readers_language(items)
    ]
    task.refresh_from_db(fields=["status"])
    return render(
        request,
        "inspections/task.html",
        {
            "task": task,
            "rows": rows,
            "error": error,
            "note": request.POST.get("note", ""),
            "results": Result.choices,
            # where a refused queued inspection goes as a snap report (core/outbox.js)
            "snap": json.dumps(
                {
                    "url": reverse("hazards:report"),
                    "organization": task.organization_id,
                    "location": task.location,
                },
                ensure_ascii=False,
            ),
        },
        status=status,
    )


def _record_qs(user):
    scope = scope_orgs(user, "inspection.view")
    qs = Record.objects.select_related("checklist", "inspector", "task", "organization", "by_bureau")
    if scope is None:
        return qs
    return qs.filter(Q(organization__in=scope) | Q(inspector=user))


@require_perm("inspection.view")
def record_detail(request: AuthedRequest, uuid) -> HttpResponse:
    record = _record_qs(request.user).filter(uuid=uuid).first()
    if record is None:
        raise Http404
    items = list(record.items.prefetch_related("photos"))
    # each problem item links to the hazard filed for it (once the outbox has filed it)
    made = origins.made_from([ri.origin for ri in items if ri.result == Result.PROBLEM], request.user)
    rows = [(ri, made.get(ri.origin, [])) for ri in items]
    return render(request, "inspections/record.html", {"record": record, "rows": rows})


@require_perm("inspection.view")
def photo(request: AuthedRequest, uuid) -> FileResponse:
    size = request.GET.get("size", "display")
    if size not in ("thumb", "display", "original"):
        raise Http404
    p = RecordPhoto.objects.select_related("record_item__record").filter(uuid=uuid).first()
    if p is None or not _record_qs(request.user).filter(pk=p.record_item.record_id).exists():
        raise Http404
    return serve_file(getattr(p, size))


# --- Ledger --------------------------------------------------------------------------------------


def _ledger_qs(user, with_open: bool = False):
    """Tasks done and missed; with ``with_open`` also those still to do (a day's whole list)."""
    qs = Task.objects.for_user(user, "inspection.view")
    if not with_open:
        qs = qs.exclude(status=TaskStatus.OPEN)
    return qs.select_related(
        "plan", "plan__checklist", "organization", "record", "record__inspector", "record__checklist"
    ).order_by("-window_start", "-id")


def _checklist_of(t: Task):
    if t.plan is not None:
        return t.plan.checklist
    rec = _record_of(t)
    return rec.checklist if rec else ""


def _record_of(t: Task):
    try:
        return t.record
    except Record.DoesNotExist:
        return None


LEDGER_COLUMNS = [
    Column(gettext_lazy("Institution"), lambda t: t.organization),
    Column(gettext_lazy("Due"), lambda t: t.window_start),
    Column(gettext_lazy("Place"), lambda t: t.location),
    Column(gettext_lazy("Plan"), lambda t: t.plan or _("Bureau inspection")),
    Column(gettext_lazy("Checklist"), _checklist_of),
    Column(
        gettext_lazy("Status"),
        lambda t: t.get_status_display(),
        link=lambda t: reverse("inspections:record", args=[t.record.uuid]) if _record_of(t) else "",
    ),
    Column(gettext_lazy("Inspector"), lambda t: _record_of(t) and _record_of(t).inspector),
    Column(gettext_lazy("Submitted at"), lambda t: _record_of(t) and _record_of(t).submitted_at),
    Column(gettext_lazy("Problems"), lambda t: _record_of(t).problem_count if _record_of(t) else ""),
]


@require_perm("inspection.view")
def ledger(request: AuthedRequest) -> HttpResponse:
    qs = _ledger_qs(request.user, with_open=request.GET.get("with_open") in ("true", "1", "on"))
    page = ListPage(
        request,
        qs,
        filterset_class=LedgerFilter,
        columns=LEDGER_COLUMNS,
        template="inspections/ledger.html",
        export_name="inspection-ledger",
    )
    if request.GET.get("export") == "pdf":
        count = page.queryset[: PDF_MAX_ROWS + 1].count()
        if wait := jobs.offload(request, count, _("Inspection ledger (PDF)")):
            return wait
        return _ledger_pdf(request, page.queryset)
    base = page.queryset
    counts = dict(base.order_by().values_list("status").annotate(n=Count("id")))
    page.context["counts"] = {
        "done": counts.get(TaskStatus.DONE, 0),
        "missed": counts.get(TaskStatus.MISSED, 0),
    }
    return page.response()


PDF_MAX_ROWS = 500


def _data_uri(name: str) -> str:
    if not name or not default_storage.exists(name):
        return ""
    with default_storage.open(name, "rb") as fh:
        return "data:image/jpeg;base64," + base64.b64encode(fh.read()).decode()


def _ledger_pdf(request, qs) -> HttpResponse:
    tasks = list(
        qs.prefetch_related(
            Prefetch(
                "record__items",
                queryset=RecordItem.objects.filter(result=Result.PROBLEM).prefetch_related("photos"),
                to_attr="problems",
            )
        )[:PDF_MAX_ROWS]
    )
    rows = []
    for t in tasks:
        rec = _record_of(t)
        problems = []
        for ri in getattr(rec, "problems", []) if rec else []:
            problems.append(
                {"text": ri.text, "note": ri.note, "photos": [_data_uri(p.thumb) for p in ri.photos.all()]}
            )
        rows.append({"cells": [display(c.value(t)) for c in LEDGER_COLUMNS], "problems": problems})
    data = render_pdf(
        "inspections/ledger_pdf.html",
        {
            "headers": [c.label for c in LEDGER_COLUMNS],
            "rows": rows,
            "printed": timezone.now(),
            "truncated": len(tasks) == PDF_MAX_ROWS,
        },
        request=request,
    )
    return pdf_response(data, "inspection-ledger.pdf", inline=False)


# --- Officer pages: checklists -------------------------------------------------------------------


@require_perm("inspection.manage")
def checklists(request: AuthedRequest) -> HttpResponse:
    qs = (
        Checklist.objects.for_user(request.user, "inspection.manage")
        .select_related("organization")
        .annotate(n_items=Count("items", filter=Q(items__is_active=True)))
        .order_by("organization__name", "name")
    )
    page = ListPage(
        request,
        qs,
        columns=[
            Column(
                _("Name"), lambda c: c.name, link=lambda c: reverse("inspections:checklist", args=[c.uuid])
            ),
            Column(_("Institution"), lambda c: c.organization),
            Column(_("Kind"), lambda c: c.get_kind_display()),
            Column(_("Category"), lambda c: c.get_category_display()),
            Column(_("Items"), lambda c: c.n_items),
            Column(_("Active"), lambda c: c.is_active),
        ],
        template="inspections/checklists.html",
        export_name="checklists",
    )
    return page.response()


@require_perm("inspection.manage")
def checklist_create(request: AuthedRequest) -> HttpResponse:
    form = ChecklistForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            checklist = create_checklist(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("inspections:checklist", uuid=checklist.uuid)
    return render(request, "inspections/form.html", {"form": form, "title": _("New checklist")})


@require_perm("inspection.manage")
def checklist_detail(request: AuthedRequest, uuid) -> HttpResponse:
    checklist = get_for_user(Checklist, request.user, "inspection.manage", uuid=uuid)
    item_form = ItemForm(
        request.POST if request.POST.get("form") == "item" else None, initial={"category": checklist.category}
    )
    library_form = LibraryForm(request.POST if request.POST.get("form") == "library" else None)
    measures_form = MeasuresForm(
        request.POST if request.POST.get("form") == "measures" else None, checklist=checklist
    )
    if request.method == "POST":
        try:
            if request.POST.get("form") == "measures" and measures_form.is_valid():
                added = add_measure_items(
                    actor=request.user, checklist=checklist, **measures_form.cleaned_data
                )
                messages.success(request, _("%(n)d items added from the risk register.") % {"n": len(added)})
                return redirect("inspections:checklist", uuid=checklist.uuid)
            if request.POST.get("form") == "item" and item_form.is_valid():
                add_item(actor=request.user, checklist=checklist, **item_form.cleaned_data)
                messages.success(request, _("Saved."))
                return redirect("inspections:checklist", uuid=checklist.uuid)
            if request.POST.get("form") == "library" and library_form.is_valid():
                add_library_items(
                    actor=request.user, checklist=checklist, codes=library_form.cleaned_data["codes"]
                )
                messages.success(request, _("Saved."))
                return redirect("inspections:checklist", uuid=checklist.uuid)
            if request.POST.get("form") == "toggle":
                key = str(request.POST.get("item"))
                item = checklist.items.filter(uuid=key).first() if _is_uuid(key) else None
                if item is None:
                    raise Http404
                update_item(actor=request.user, item=item, is_active=not item.is_active)
                return redirect("inspections:checklist", uuid=checklist.uuid)
        except ValidationError as exc:
            _form_error(measures_form if request.POST.get("form") == "measures" else item_form, exc)
    return render(
        request,
        "inspections/checklist.html",
        {
            "measures_form": measures_form,
            "checklist": checklist,
            "items": in_readers_language(checklist.items.all()),
            "item_form": item_form,
            "library_form": library_form,
            "plans": checklist.plans.all(),
        },
    )


# --- Checkpoints ---------------------------------------------------------------------------------


@require_perm("inspection.manage")
def checkpoints(request: AuthedRequest) -> HttpResponse:
    qs = Checkpoint.objects.for_user(request.user, "inspection.manage").select_related("organization")
    page = ListPage(
        request,
        qs,
        columns=[
            Column(
                _("Name"),
                lambda c: c.name,
                link=lambda c: reverse("inspections:checkpoint_qr", args=[c.uuid]),
            ),
            Column(_("Institution"), lambda c: c.organization),
            Column(_("Building"), lambda c: c.building),
            Column(_("Floor"), lambda c: c.floor),
            Column(_("Place code"), lambda c: c.place_code),
            Column(_("Scan address"), lambda c: reverse("inspections:checkpoint", args=[c.uuid])),
        ],
        template="inspections/checkpoints.html",
        export_name="checkpoints",
    )
    return page.response()


@require_perm("inspection.manage")
def checkpoint_create(request: AuthedRequest) -> HttpResponse:
    form = CheckpointForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            cp = create_checkpoint(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("inspections:checkpoint_qr", uuid=cp.uuid)
    return render(request, "inspections/form.html", {"form": form, "title": _("New checkpoint")})


@require_perm("inspection.manage")
def checkpoint_qr(request: AuthedRequest, uuid) -> HttpResponse:
    cp = get_for_user(Checkpoint, request.user, "inspection.manage", uuid=uuid)
    path = reverse("inspections:checkpoint", args=[cp.uuid])
    return render(
        request,
        "inspections/checkpoint_qr.html",
        {"checkpoint": cp, "qr": qr_svg(path, scale=6), "path": path},
    )


# --- Plans ---------------------------------------------------------------------------------------


@require_perm("inspection.manage")
def plans(request: AuthedRequest) -> HttpResponse:
    qs = Plan.objects.for_user(request.user, "inspection.manage").select_related(
        "organization", "checklist", "assignee_post", "assignee_user"
    )
    page = ListPage(
        request,
        qs,
        columns=[
            Column(_("Name"), lambda p: p.name, link=lambda p: reverse("inspections:plan", args=[p.uuid])),
            Column(_("Institution"), lambda p: p.organization),
            Column(_("Checklist"), lambda p: p.checklist),
            Column(_("How often"), lambda p: p.get_frequency_display()),
            Column(_("Done by"), _assignee_text),
            Column(_("Active"), lambda p: p.is_active),
        ],
        template="inspections/plans.html",
        export_name="inspection-plans",
        context={"templates": PlanTemplate.objects.all()},
    )
    return page.response()


def _assignee_text(p) -> str:
    role = Role(p.assignee_role).label if p.assignee_role in Role.values else p.assignee_role
    who = p.assignee_user or p.assignee_post or role
    return f"{p.get_assignee_kind_display()} {who or ''}".strip()


@require_perm("inspection.manage")
def plan_create(request: AuthedRequest) -> HttpResponse:
    initial = {}
    template = None
    code = request.GET.get("template")
    if code:
        template = PlanTemplate.objects.filter(code=code).first()
        if template:
            initial = PlanForm.initial_from(template)
    form = PlanForm(request.POST or None, actor=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        checklist = d["checklist"]
        try:
            plan = create_plan(
                actor=request.user,
                organization=checklist.organization,
                name=d["name"],
                checklist=checklist,
                frequency=d["frequency"],
                rule=form.rule(),
                assignee_kind=d["assignee_kind"],
                assignee_user=d["assignee_user"],
                assignee_post=d["assignee_post"],
                assignee_role=d["assignee_role"] or "",
                checkpoints=list(d["checkpoints"]),
                location=d["location"],
                template=d["template"],
            )
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            generate_tasks(organizations=[plan.organization])
            messages.success(request, _("Saved. Tasks for the next hours were created."))
            return redirect("inspections:plan", uuid=plan.uuid)
    return render(
        request,
        "inspections/plan_form.html",
        {
            "form": form,
            "title": _("New inspection plan"),
            "templates": PlanTemplate.objects.all(),
            "template": template,
        },
    )


@require_perm("inspection.manage")
def plan_detail(request: AuthedRequest, uuid) -> HttpResponse:
    plan = get_for_user(
        Plan.objects.select_related("checklist", "assignee_post", "assignee_user"),
        request.user,
        "inspection.manage",
        uuid=uuid,
    )
    tasks = plan.tasks.select_related("checkpoint").order_by("-window_start")[:30]
    counts = dict(plan.tasks.order_by().values_list("status").annotate(n=Count("id")))
    return render(
        request,
        "inspections/plan.html",
        {
            "plan": plan,
            "tasks": tasks,
            "counts": counts,
            "checkpoints": plan.checkpoints.all(),
            "assignee": _assignee_text(plan),
            "schedule": describe(plan.frequency, plan.rule),
        },
    )


@require_POST
@require_perm("inspection.manage")
def plan_toggle(request: AuthedRequest, uuid) -> HttpResponse:
    plan = get_for_user(Plan, request.user, "inspection.manage", uuid=uuid)
    set_plan_active(actor=request.user, plan=plan, active=not plan.is_active)
    messages.success(request, _("Saved."))
    return redirect("inspections:plan", uuid=plan.uuid)


# --- Bureau inspection ---------------------------------------------------------------------------


@require_perm("inspection.bureau")
def bureau_start(request: AuthedRequest) -> HttpResponse:
    form = BureauStartForm(request.GET or None, actor=request.user)
    if request.GET and form.is_valid():
        return redirect(
            reverse("inspections:bureau_inspect", args=[form.cleaned_data["institution"].uuid])
            + f"?checklist={form.cleaned_data['checklist'].uuid}"
        )
    new_form = ChecklistForm(request.POST or None, actor=request.user, bureau=True)
    if request.method == "POST" and new_form.is_valid():
        try:
            create_checklist(actor=request.user, kind=ChecklistKind.BUREAU, **new_form.cleaned_data)
        except ValidationError as exc:
            _form_error(new_form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("inspections:bureau_start")
    return render(request, "inspections/bureau_start.html", {"form": form, "new_form": new_form})


@require_perm("inspection.bureau")
def bureau_tasks(request: AuthedRequest) -> HttpResponse:
    """A bureau inspector's task list: the open spot-check tasks assigned to them (planned by the
    bureau's spot-check rule), each started with one of their bureau checklists. Two queries."""
    tasks = my_spot_checks(request.user)
    for t in tasks:
        # A window ends at midnight: the last day it can be done is the day before.
        t.last_day = timezone.localtime(t.window_end - dt.timedelta(microseconds=1)).date()  # type: ignore[attr-defined]
    return render(
        request,
        "inspections/bureau_tasks.html",
        {
            "tasks": tasks,
            "checklists": list(
                Checklist.objects.for_user(request.user, "inspection.bureau")
                .filter(kind=ChecklistKind.BUREAU, is_active=True)
                .order_by("name")
            ),
            "now": timezone.now(),
        },
    )


@require_perm("inspection.bureau")
def bureau_inspect(request: AuthedRequest, uuid) -> HttpResponse:
    institution = get_for_user(
        Organization, request.user, "inspection.bureau", uuid=uuid, kind=OrgKind.INSTITUTION
    )
    checklist = (
        Checklist.objects.for_user(request.user, "inspection.bureau")
        .filter(kind=ChecklistKind.BUREAU, uuid=str(request.GET.get("checklist")))
        .first()
        if _is_uuid(request.GET.get("checklist"))
        else None
    )
    if checklist is None:
        messages.error(request, _("Choose a bureau checklist."))
        return redirect("inspections:bureau_start")
    items = list(checklist.items.filter(is_active=True))
    entered: dict[str, dict] = {}
    item_errors: dict[str, str] = {}
    error = ""
    status = 200
    if request.method == "POST":
        answers, entered = _answers_from(request, items)
        try:
            record = records.bureau_inspect(
                actor=request.user,
                institution=institution,
                checklist=checklist,
                answers=answers,
                note=request.POST.get("note", ""),
                location=request.POST.get("location", ""),
            )
        except AnswerErrors as exc:
            item_errors, error = exc.item_errors, exc.messages[0]
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("Submitted. Thank you!"))
            return redirect("inspections:record", uuid=record.uuid)
    if error:
        _refuse_items(request, error, items, item_errors)
    rows = [
        {
            "item": i,
            "key": str(i.uuid),
            "entered": entered.get(str(i.uuid), {}),
            "error": item_errors.get(str(i.uuid), ""),
        }
        for i in in_readers_language(items)
    ]
    return render(
        request,
        "inspections/task.html",
        {
            "institution": institution,
            "checklist": checklist,
            "rows": rows,
            "error": error,
            "note": request.POST.get("note", ""),
            "results": Result.choices,
            "bureau": True,
        },
        status=status,
    )


def _is_uuid(value) -> bool:
    import uuid as uuid_lib

    try:
        uuid_lib.UUID(str(value))
    except ValueError:
        return False
    return True
