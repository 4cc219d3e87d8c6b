from __future__ import annotations

import datetime as dt
from decimal import Decimal
from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shuangfang.core import importing, periods
from shuangfang.core.forms import add_service_errors as _form_error
from shuangfang.core.tenancy import can, get_for_user, require_perm
from shuangfang.core.types import AuthedRequest
from shuangfang.core.views import bad_request
from shuangfang.orgs.models import Organization, OrgKind

from . import services
from .forms import HandoverForm, OverrideForm, ShiftForm
from .models import Handover, Shift


@require_perm("duty.view")
def board(request: AuthedRequest) -> HttpResponse:
    """Who is on duty now and next, at one institution (chosen with ?org= when several are visible)."""
    institutions = list(
        Organization.objects.for_user(request.user, "duty.view").institutions().order_by("name")
    )
    chosen = next((i for i in institutions if str(i.uuid) == request.GET.get("org")), None)
    if chosen is None:
        mine = {
            m.organization.institution_id
            for m in request.user.active_memberships().select_related("organization")
        }
        chosen = next((i for i in institutions if i.pk in mine), institutions[0] if institutions else None)
    ctx: dict = {"institutions": institutions, "institution": chosen}
    if chosen is not None:
        now_turns, next_turns = services.now_and_next(chosen)
        ctx.update(
            now=now_turns,
            next=next_turns,
            shifts=Shift.objects.filter(organization=chosen)
            .select_related("post")
            .prefetch_related("members__user"),
            handovers=Handover.objects.filter(organization=chosen).select_related(
                "shift", "from_user", "to_user"
            )[:10],
            can_manage=can(request.user, "duty.manage", chosen),
            at=timezone.localtime(),
        )
    return render(request, "duty/board.html", ctx)


def _shift_form_save(request: AuthedRequest, institution: Organization, shift: Shift | None) -> HttpResponse:
    initial = ShiftForm.initial_for(shift) if shift else {"rotation_start": timezone.localdate()}
    form = ShiftForm(request.POST or None, institution=institution, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            shift = services.save_shift(
                actor=request.user,
                organization=institution,
                shift=shift,
                members=data["members"],
                name=data["name"],
                post=data["post"],
                start_time=data["start_time"],
                duration_minutes=int(Decimal(data["duration_hours"]) * 60),
                rotation_start=data["rotation_start"],
                days_per_turn=data["days_per_turn"],
            )
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect(f"{_board_url(institution)}")
    title = (
        _("Edit shift %(name)s") % {"name": shift.name}
        if shift
        else _("New shift at %(inst)s") % {"inst": institution.name}
    )
    return render(request, "duty/form.html", {"form": form, "title": title, "institution": institution})


def _board_url(institution: Organization) -> str:
    from django.urls import reverse

    return f"{reverse('duty:board')}?org={institution.uuid}"


@require_perm("duty.manage")
def shift_create(request: AuthedRequest, uuid) -> HttpResponse:
    institution = get_for_user(Organization, request.user, "duty.manage", uuid=uuid)
    if not institution.is_institution:
        messages.error(request, _("Duty rosters belong to an institution."))
        return redirect("duty:board")
    return _shift_form_save(request, institution, None)


@require_perm("duty.manage")
def shift_edit(request: AuthedRequest, uuid) -> HttpResponse:
    shift = get_for_user(Shift, request.user, "duty.manage", uuid=uuid)
    return _shift_form_save(request, shift.organization, shift)


@require_perm("duty.manage")
def override_create(request: AuthedRequest, uuid) -> HttpResponse:
    shift = get_for_user(Shift, request.user, "duty.manage", uuid=uuid)
    form = OverrideForm(
        request.POST or None, institution=shift.organization, initial={"day": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.set_override(actor=request.user, shift=shift, **form.cleaned_data)
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect(_board_url(shift.organization))
    title = _("Swap or stand-in for %(name)s") % {"name": shift.name}
    return render(
        request, "duty/form.html", {"form": form, "title": title, "institution": shift.organization}
    )


@require_perm("duty.view")
def handover_create(request: AuthedRequest, uuid) -> HttpResponse:
    shift = get_for_user(Shift, request.user, "duty.view", uuid=uuid)
    now = timezone.now()
    current = [
        t
        for t in services.turns(shift.organization, now, now + dt.timedelta(microseconds=1))
        if t.shift.pk == shift.pk
    ]
    day = current[0].day if current else timezone.localdate()
    start = current[0].start if current else now - dt.timedelta(minutes=shift.duration_minutes)
    nxt = services.turns(shift.organization, now, now + dt.timedelta(days=2))
    following = next((t.user for t in nxt if t.start > now and t.user is not None), None)
    # Pre-filled with what is still open (alarms, hazards, missed patrol points of this shift).
    prefill = services.handover_prefill(shift.organization, start, now)
    form = HandoverForm(
        request.POST or None,
        institution=shift.organization,
        initial={"to_user": following, **prefill},
    )

    if request.method == "POST" and form.is_valid():
        try:
            handover = services.write_handover(actor=request.user, shift=shift, day=day, **form.cleaned_data)
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Handover written and signed. The next person signs to take over."))
            return redirect("duty:handover_detail", uuid=handover.uuid)
    title = _("Hand over %(name)s") % {"name": shift.name}
    return render(
        request, "duty/form.html", {"form": form, "title": title, "institution": shift.organization}
    )


@require_perm("duty.view")
def handover_detail(request: AuthedRequest, uuid) -> HttpResponse:
    handover = get_for_user(
        Handover.objects.select_related("shift", "from_user", "to_user", "organization"),
        request.user,
        "duty.view",
        uuid=uuid,
    )
    return render(
        request,
        "duty/handover.html",
        {"h": handover, "can_sign": services.HANDOVER_FLOW.allowed(handover, "sign", request.user)},
    )


@require_perm("duty.view")
@require_POST
def handover_sign(request: AuthedRequest, uuid) -> HttpResponse:
    handover = get_for_user(Handover, request.user, "duty.view", uuid=uuid)
    try:
        services.sign_handover(actor=request.user, handover=handover)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("You have taken over the shift."))
    return redirect("duty:handover_detail", uuid=handover.uuid)


@require_perm("duty.view")
def roster(request: AuthedRequest, uuid) -> HttpResponseBase:
    """The roster of one month (``?month=2026-12``, this month by default): every shift of every day
    with who holds it, to print, or as a workbook (``?export=xlsx``) that imports back unchanged."""
    institution = get_for_user(Organization, request.user, "duty.view", uuid=uuid)
    if institution.kind != OrgKind.INSTITUTION:
        raise Http404
    try:
        month = periods.parse(request.GET.get("month") or periods.current().key, (periods.PeriodKind.MONTH,))
    except ValidationError as exc:
        return bad_request(request, exc)
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(month.start, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(month.end, dt.time.min, tzinfo=tz)
    rows = [t for t in services.turns(institution, start, end) if month.start <= t.day < month.end]
    if request.GET.get("export") == "xlsx":
        from shuangfang.core.exports import XLSX, write_workbook

        headers, _example = importing.template(importing.SHEETS["duty.roster"])
        data = [
            (t.day, t.shift.name, t.user.name if t.user else "", _("swap") if t.overridden else "")
            for t in rows
        ]
        response = FileResponse(write_workbook([(month.key, headers, data)]), content_type=XLSX)
        name = f"{institution.name}-{_('Duty roster')}-{month.key}.xlsx"
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
        return response
    ctx = {
        "institution": institution,
        "month": month,
        "turns": rows,
        "previous": month.previous().key,
        "next": periods.of(periods.PeriodKind.MONTH, month.end).key,
        "can_manage": can(request.user, "duty.manage", institution),
    }
    return render(request, "duty/roster.html", ctx)
