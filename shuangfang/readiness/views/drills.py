"""Drill pages: the list with the fire drill progress and evacuation times, plan, record, evaluate."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shuangfang.core.forms import add_service_errors
from shuangfang.core.listing import Column, ListPage
from shuangfang.core.qr import qr_svg
from shuangfang.core.tenancy import can, get_for_user, require_perm
from shuangfang.core.types import AuthedRequest
from shuangfang.orgs.models import Organization
from shuangfang.readiness import drills
from shuangfang.readiness.choices import DrillStatus
from shuangfang.readiness.forms import DrillForm, EvaluateForm, RecordForm
from shuangfang.readiness.models import Drill

from .common import chosen_institution, error_text


@require_perm("readiness.view")
def drill_list(request: AuthedRequest) -> HttpResponse:
    insts, chosen = chosen_institution(request, "readiness.view")
    qs = Drill.objects.for_user(request.user, "readiness.view").select_related("organization")
    if chosen is not None and request.GET.get("org"):
        qs = qs.filter(organization=chosen)
    columns = [
        Column(
            _("Drill"), lambda d: d.title, link=lambda d: reverse("readiness:drill", kwargs={"uuid": d.uuid})
        ),
        Column(_("Kind"), lambda d: d.get_kind_display()),
        Column(_("Institution"), lambda d: d.organization.name),
        Column(_("Building"), lambda d: d.building),
        Column(_("Planned on"), lambda d: d.planned_on),
        Column(_("Status"), lambda d: d.get_status_display()),
        Column(_("Evacuation time (s)"), lambda d: d.evacuation_seconds),
    ]
    ctx: dict[str, Any] = {"institutions": insts, "institution": chosen}
    if chosen is not None:
        ctx.update(
            progress=drills.fire_drill_progress(chosen, timezone.localdate().year),
            history=drills.evacuation_history(chosen),
            manage=can(request.user, "readiness.manage", chosen),
        )
    return ListPage(
        request,
        qs.order_by("-planned_on"),
        columns=columns,
        template="readiness/drills.html",
        export_name="drills",
        context=ctx,
    ).response()


@require_perm("readiness.manage")
def drill_create(request: AuthedRequest, uuid) -> HttpResponse:
    institution = get_for_user(
        Organization.objects.institutions(), request.user, "readiness.manage", uuid=uuid
    )
    form = DrillForm(request.POST or None, initial={"planned_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            drill = drills.plan_drill(actor=request.user, institution=institution, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Drill planned."))
            return redirect("readiness:drill", uuid=drill.uuid)
    title = _("Plan a drill at %(inst)s") % {"inst": institution.name}
    return render(
        request, "readiness/form.html", {"form": form, "title": title, "back": reverse("readiness:drills")}
    )


@require_perm("readiness.view")
def drill_detail(request: AuthedRequest, uuid) -> HttpResponse:
    drill = get_for_user(
        Drill.objects.select_related("organization"), request.user, "readiness.view", uuid=uuid
    )
    actions = {t.action for t in drills.FLOW.actions_for(drill, request.user)}
    start = timezone.localtime().replace(second=0, microsecond=0)
    ctx = {
        "d": drill,
        "steps": drill.steps.all(),
        "participants": drill.participants.select_related("person"),
        "improvements": drill.improvements.all(),
        "record": RecordForm(institution=drill.organization, initial={"started_at": start, "ended_at": start})
        if "record" in actions
        else None,
        "evaluate": EvaluateForm() if "evaluate" in actions else None,
        "can_cancel": "cancel" in actions,
        "photos": drill.attachments.all(),
        "can_attach": drill.status != DrillStatus.CANCELLED
        and can(request.user, "readiness.manage", drill.organization),
    }
    if "record" in actions:
        url = reverse("readiness:drill_sign_in", kwargs={"uuid": drill.uuid, "key": drill.sign_in_key})
        ctx.update(qr=qr_svg(url, scale=5), sign_url=url)
    return render(request, "readiness/drill.html", ctx)


@require_perm("readiness.manage")
@require_POST
def drill_record(request: AuthedRequest, uuid) -> HttpResponse:
    drill = get_for_user(
        Drill.objects.select_related("organization"), request.user, "readiness.manage", uuid=uuid
    )
    form = RecordForm(request.POST, institution=drill.organization)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect("readiness:drill", uuid=drill.uuid)
    data = form.cleaned_data
    try:
        drills.record_drill(
            actor=request.user,
            drill=drill,
            started_at=data["started_at"],
            ended_at=data["ended_at"],
            steps=data["steps"],
            participants=list(data["participants"]),
            others=data["others"],
        )
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("Drill recorded."))
    return redirect("readiness:drill", uuid=drill.uuid)


@require_perm("readiness.manage")
@require_POST
def drill_evaluate(request: AuthedRequest, uuid) -> HttpResponse:
    drill = get_for_user(Drill, request.user, "readiness.manage", uuid=uuid)
    form = EvaluateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write the evaluation of the drill."))
        return redirect("readiness:drill", uuid=drill.uuid)
    try:
        drills.evaluate_drill(
            actor=request.user,
            drill=drill,
            evaluation=form.cleaned_data["evaluation"],
            improvements=form.cleaned_data["improvements"].splitlines(),
        )
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("Evaluated; each improvement is now a hazard to rectify."))
    return redirect("readiness:drill", uuid=drill.uuid)


@require_perm("readiness.manage")
@require_POST
def drill_cancel(request: AuthedRequest, uuid) -> HttpResponse:
    drill = get_for_user(Drill, request.user, "readiness.manage", uuid=uuid)
    try:
        drills.cancel_drill(actor=request.user, drill=drill, note=request.POST.get("note", "")[:500])
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("Drill cancelled."))
    return redirect("readiness:drill", uuid=drill.uuid)


@require_perm("readiness.view")
def drill_sign_in(request: AuthedRequest, uuid, key: str) -> HttpResponse:
    """The page the drill's QR code opens on a participant's phone."""
    drill = get_for_user(
        Drill.objects.select_related("organization"), request.user, "readiness.view", uuid=uuid
    )
    if key != drill.sign_in_key:
        raise Http404
    if request.method == "POST":
        try:
            new = drills.sign_in_drill(actor=request.user, drill=drill, key=key)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("You are signed in.") if new else _("You were already signed in."))
        return redirect("readiness:drill_sign_in", uuid=drill.uuid, key=key)
    signed = drill.participants.filter(person=request.user).exists()
    return render(request, "readiness/drill_sign_in.html", {"d": drill, "signed": signed})
