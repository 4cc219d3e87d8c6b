"""The bureau's pages: spot-check plan and readiness indicators, analysis meetings, responsibility
notices (and an institution's receipt), supervision-and-accountability records."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from shuangfang.core.listing import Column, ListPage
from shuangfang.core.tenancy import can, get_for_user, require_perm
from shuangfang.core.types import AuthedRequest
from shuangfang.orgs.models import BUREAU_KINDS, Membership, Organization, User
from shuangfang.orgs.roles import Role
from shuangfang.readiness import bureau, indicators
from shuangfang.readiness.choices import AccountabilityKind
from shuangfang.readiness.models import Accountability, FollowUp, Meeting, NoticeReceipt, SpotCheckRule

from .common import error_text


def _bureaus(request: AuthedRequest) -> tuple[list[Organization], Organization]:
    found = list(
        Organization.objects.for_user(request.user, "readiness.bureau")
        .filter(kind__in=BUREAU_KINDS)
        .order_by("path")
    )
    chosen = next((o for o in found if str(o.uuid) == request.GET.get("org")), found[0] if found else None)
    if chosen is None:
        raise Http404
    return found, chosen


def _inspectors(org: Organization) -> list[User]:
    """Who may be the bureau's inspector: its supervisors and administrators (checked again by
    ``save_spot_rule``)."""
    ids = (
        Membership.objects.active()
        .filter(organization=org, role__in=[Role.BUREAU_SUPERVISOR, Role.ADMIN])
        .values("user_id")
    )
    return list(User.objects.filter(pk__in=ids, is_active=True).order_by("name", "username"))


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


@require_perm("readiness.bureau")
def overview(request: AuthedRequest) -> HttpResponse:
    """The spot-check plan of the quarter (rule, required, done) and each institution's readiness."""
    found, org = _bureaus(request)
    inspectors = _inspectors(org)
    if request.method == "POST" and request.POST.get("action") == "plan":
        try:
            made = bureau.plan_spot_tasks(org, actor=request.user)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(
                request,
                ngettext("%(n)s spot-check task made.", "%(n)s spot-check tasks made.", len(made))
                % {"n": len(made)}
                if made
                else _("Every institution's spot checks of this quarter are already planned."),
            )
        return redirect(f"{request.path}?org={org.uuid}")
    if request.method == "POST":
        chosen = request.POST.get("inspector", "")
        try:
            inspector = next((u for u in inspectors if str(u.uuid) == chosen), None)
            if chosen and inspector is None:
                raise ValidationError(_("Choose the inspector from the list."))
            bureau.save_spot_rule(
                actor=request.user,
                bureau=org,
                per_quarter=_int(request.POST.get("per_quarter")) or 0,
                low_score_below=_int(request.POST.get("low_score_below")),
                low_score_per_quarter=_int(request.POST.get("low_score_per_quarter")),
                source=request.POST.get("source", "")[:200],
                inspector=inspector,
            )
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("Saved."))
        return redirect(f"{request.path}?org={org.uuid}")
    today = timezone.localdate()
    rows = bureau.spot_check_plan(org, today)
    start, end = bureau.quarter_of(today)
    figures = indicators.all_many([r.institution for r in rows], start, end)
    if request.GET.get("export") == "xlsx":
        from shuangfang.core.exports import xlsx_response

        return xlsx_response(
            "spot-check-plan.xlsx",
            [
                _("Institution"),
                _("Last quarter's score"),
                _("Spot checks required"),
                _("Spot checks done"),
                _("Behind"),
                _("Spot-check tasks open"),
            ],
            ([r.institution.name, r.score, r.required, r.done, r.behind, r.open_tasks] for r in rows),
        )
    ctx = {
        "bureaus": found,
        "org": org,
        "rule": bureau.rule_for(org),
        "own_rule": SpotCheckRule.objects.filter(organization=org).select_related("inspector").first(),
        "inspectors": inspectors,
        "rows": [(r, figures[r.institution.pk]) for r in rows],
        "checks": bureau.spot_checks(org, start, end),
        "start": start,
        "end": end - dt.timedelta(days=1),
    }
    return render(request, "readiness/bureau.html", ctx)


@require_perm("readiness.bureau")
def meetings(request: AuthedRequest) -> HttpResponse:
    found, org = _bureaus(request)
    if request.method == "POST":
        return _record_meeting(request, org)
    qs = Meeting.objects.for_user(request.user, "readiness.bureau").select_related("organization")
    columns = [
        Column(
            _("Meeting"),
            lambda m: m.title,
            link=lambda m: reverse("readiness:meeting", kwargs={"uuid": m.uuid}),
        ),
        Column(_("Held on"), lambda m: m.held_on),
        Column(_("Period from"), lambda m: m.period_start),
        Column(_("Period until"), lambda m: m.period_end),
        Column(_("Organisation"), lambda m: m.organization.name),
    ]
    today = timezone.localdate()
    start = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    ctx = {"org": org, "bureaus": found, "today": today, "start": start, "end": today.replace(day=1)}
    return ListPage(
        request,
        qs,
        columns=columns,
        template="readiness/meetings.html",
        export_name="analysis-meetings",
        context=ctx,
    ).response()


def _record_meeting(request: AuthedRequest, org: Organization) -> HttpResponse:
    post = request.POST
    try:
        follow_ups = []
        for n, line in enumerate(post.get("follow_ups", "").splitlines(), 1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split("|")]
            owner = User.objects.filter(username=parts[1] if len(parts) > 1 else "").first()
            try:
                due = dt.date.fromisoformat(parts[2]) if len(parts) > 2 else None
            except ValueError:
                due = None
            if owner is None or due is None:
                raise ValidationError(_("Follow-up line %(n)s: task | login name | YYYY-MM-DD.") % {"n": n})
            follow_ups.append((parts[0], owner, due))
        meeting = bureau.record_meeting(
            actor=request.user,
            organization=org,
            follow_ups=follow_ups,
            title=post.get("title", "")[:120],
            held_on=dt.date.fromisoformat(post.get("held_on", "")),
            period_start=dt.date.fromisoformat(post.get("period_start", "")),
            period_end=dt.date.fromisoformat(post.get("period_end", "")),
            attendees=post.get("attendees", "")[:300],
            decisions=post.get("decisions", "")[:6000],
        )
    except ValueError:
        messages.error(request, _("Give the dates as YYYY-MM-DD."))
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("Saved."))
        return redirect("readiness:meeting", uuid=meeting.uuid)
    return redirect(f"{reverse('readiness:meetings')}?org={org.uuid}")


@require_perm("readiness.bureau")
def meeting_detail(request: AuthedRequest, uuid) -> HttpResponse:
    meeting = get_for_user(
        Meeting.objects.select_related("organization"), request.user, "readiness.bureau", uuid=uuid
    )
    return render(
        request,
        "readiness/meeting.html",
        {"m": meeting, "follow_ups": meeting.follow_ups.select_related("owner"), "f": meeting.figures},
    )


@require_perm("readiness.bureau")
@require_POST
def follow_up_done(request: AuthedRequest, uuid) -> HttpResponse:
    item = get_for_user(
        FollowUp.objects.select_related("meeting"), request.user, "readiness.bureau", uuid=uuid
    )
    try:
        bureau.finish_follow_up(actor=request.user, follow_up=item)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    return redirect("readiness:meeting", uuid=item.meeting.uuid)


@require_perm("readiness.bureau")
def notices(request: AuthedRequest) -> HttpResponse:
    found, org = _bureaus(request)
    if request.method == "POST":
        try:
            bureau.send_notice(
                actor=request.user,
                bureau=org,
                title=request.POST.get("title", "")[:120],
                body=request.POST.get("body", "")[:6000],
            )
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("Sent."))
        return redirect(f"{request.path}?org={org.uuid}")
    qs = NoticeReceipt.objects.for_user(request.user, "readiness.bureau").select_related(
        "notice", "organization", "acknowledged_by"
    )
    columns = [
        Column(
            _("Notice"),
            lambda r: r.notice.title,
            link=lambda r: reverse("readiness:receipt", kwargs={"uuid": r.uuid}),
        ),
        Column(_("Sent at"), lambda r: r.notice.sent_at),
        Column(_("Institution"), lambda r: r.organization.name),
        Column(_("Acknowledged at"), lambda r: r.acknowledged_at),
        Column(_("Acknowledged by"), lambda r: str(r.acknowledged_by or "")),
    ]
    return ListPage(
        request,
        qs.order_by("-notice__sent_at", "organization__name"),
        columns=columns,
        template="readiness/notices.html",
        export_name="responsibility-notices",
        context={"org": org, "bureaus": found},
    ).response()


@require_perm("readiness.view")
def receipt(request: AuthedRequest, uuid) -> HttpResponse:
    item = get_for_user(
        NoticeReceipt.objects.select_related("notice", "organization", "acknowledged_by"),
        request.user,
        "readiness.view",
        uuid=uuid,
    )
    if request.method == "POST":
        try:
            bureau.acknowledge(actor=request.user, receipt=item)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("Acknowledged."))
        return redirect("readiness:receipt", uuid=item.uuid)
    can_ack = item.acknowledged_at is None and can(request.user, "readiness.acknowledge", item.organization)
    return render(request, "readiness/receipt.html", {"r": item, "n": item.notice, "can_ack": can_ack})


@require_perm("readiness.bureau")
def accountability(request: AuthedRequest) -> HttpResponse:
    qs = Accountability.objects.for_user(request.user, "readiness.bureau").select_related(
        "organization", "person"
    )
    columns = [
        Column(_("Recorded at"), lambda a: a.created_at),
        Column(_("Institution"), lambda a: a.organization.name),
        Column(_("Kind"), lambda a: a.get_kind_display()),
        Column(_("Person"), lambda a: str(a.person or "")),
        Column(_("What and why"), lambda a: a.description),
        Column(_("Evidence"), lambda a: "；".join(e["label"] for e in a.evidence)),
        Column(_("Points in the score"), lambda a: a.points),
    ]
    insts = list(
        Organization.objects.for_user(request.user, "readiness.bureau").institutions().order_by("name")
    )
    return ListPage(
        request,
        qs,
        columns=columns,
        template="readiness/accountability.html",
        export_name="accountability",
        context={"institutions": insts},
    ).response()


def _points(value: str) -> Decimal | None:
    """The points typed, or None for an empty field; a ValidationError for anything else."""
    value = value.strip()[:10]
    if not value:
        return None
    try:
        return Decimal(value).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError):
        raise ValidationError(_("Points in the score must be a number, like 2 or 2.5.")) from None


@require_perm("readiness.bureau")
def accountability_create(request: AuthedRequest, uuid) -> HttpResponse:
    institution = get_for_user(
        Organization.objects.institutions(), request.user, "readiness.bureau", uuid=uuid
    )
    choices = bureau.evidence_choices(institution, timezone.localdate())
    if request.method == "POST":
        person = (
            User.objects.filter(username=request.POST.get("person", "").strip()).first()
            if request.POST.get("person")
            else None
        )
        try:
            bureau.record_accountability(
                actor=request.user,
                institution=institution,
                kind=request.POST.get("kind", ""),
                description=request.POST.get("description", "")[:4000],
                evidence_uuids=request.POST.getlist("evidence")[:100],
                person=person,
                points=_points(request.POST.get("points", "")),
            )
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("Saved."))
            return redirect("readiness:accountability")
    ctx: dict[str, Any] = {
        "institution": institution,
        "choices": choices,
        "kinds": AccountabilityKind.choices,
    }
    return render(request, "readiness/accountability_form.html", ctx)
