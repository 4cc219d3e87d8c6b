"""Training pages: my training, sessions (QR sign-in, quiz, attendance), status, requirements."""

from __future__ import annotations

import datetime as dt

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
from shuangfang.orgs.models import Membership, Organization
from shuangfang.readiness import training
from shuangfang.readiness.choices import AppliesTo, TrainingState
from shuangfang.readiness.forms import CertificateForm, CourseForm, MarkForm, RequirementForm, SessionForm
from shuangfang.readiness.models import Attendance, Certificate, Course, Requirement, Session

from .common import chosen_institution, error_text


@require_perm("readiness.view")
def mine(request: AuthedRequest) -> HttpResponse:
    """My required courses and their state, open sessions of my institution, my certificates and
    the letters waiting for my signature."""
    from shuangfang.readiness.models import Letter

    user = request.user
    lines = []
    insts = {
        m.organization.institution
        for m in user.active_memberships().select_related("organization__institution")
    }
    for inst in sorted((i for i in insts if i is not None), key=lambda i: i.name):
        lines += training.status_lines(inst, people=[user])
    sessions = (
        Session.objects.filter(organization__in=[i for i in insts if i], closed_at__isnull=True)
        .select_related("course")
        .order_by("starts_at")[:20]
    )
    ctx = {
        "lines": lines,
        "sessions": sessions,
        "attended": set(Attendance.objects.filter(person=user).values_list("session_id", flat=True)),
        "certificates": Certificate.objects.filter(person=user).defer("photo"),
        "letters": Letter.objects.filter(holder=user, status="issued"),
    }
    return render(request, "readiness/mine.html", ctx)


@require_perm("readiness.view")
def sessions(request: AuthedRequest) -> HttpResponse:
    qs = (
        Session.objects.for_user(request.user, "readiness.view")
        .select_related("course", "organization")
        .order_by("-starts_at")
    )
    insts, chosen = chosen_institution(request, "readiness.manage")
    columns = [
        Column(
            _("Session"),
            lambda s: s.title,
            link=lambda s: reverse("readiness:session", kwargs={"uuid": s.uuid}),
        ),
        Column(_("Course"), lambda s: s.course.name),
        Column(_("Institution"), lambda s: s.organization.name),
        Column(_("Starts at"), lambda s: s.starts_at),
        Column(_("Trainer"), lambda s: s.trainer),
        Column(_("Sign-in closed"), lambda s: s.closed_at is not None),
    ]
    page = ListPage(
        request,
        qs,
        columns=columns,
        template="readiness/sessions.html",
        export_name="training-sessions",
        context={"manage_in": chosen, "institutions": insts},
    )
    return page.response()


@require_perm("readiness.manage")
def session_create(request: AuthedRequest, uuid) -> HttpResponse:
    institution = get_for_user(
        Organization.objects.institutions(), request.user, "readiness.manage", uuid=uuid
    )
    now = timezone.localtime().replace(minute=0, second=0, microsecond=0)
    form = SessionForm(
        request.POST or None,
        institution=institution,
        initial={"starts_at": now, "ends_at": now + dt.timedelta(hours=1)},
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        quiz = data.pop("quiz")
        try:
            session = training.create_session(
                actor=request.user, institution=institution, questions=quiz, **data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Session created. Show its QR code in the room."))
            return redirect("readiness:session", uuid=session.uuid)
    title = _("New training session at %(inst)s") % {"inst": institution.name}
    return render(
        request, "readiness/form.html", {"form": form, "title": title, "back": reverse("readiness:sessions")}
    )


@require_perm("readiness.view")
def session_detail(request: AuthedRequest, uuid) -> HttpResponse:
    session = get_for_user(
        Session.objects.select_related("course", "organization"), request.user, "readiness.view", uuid=uuid
    )
    manage = can(request.user, "readiness.manage", session.organization)
    sign_url = reverse("readiness:sign_in", kwargs={"uuid": session.uuid, "key": session.sign_in_key})
    ctx = {
        "s": session,
        "manage": manage,
        "attendances": session.attendances.select_related("person").order_by("person__name"),
        "questions": session.questions.all(),
        "materials": [m for m in session.materials.splitlines() if m.strip()],
        "files": session.attachments.all(),
        "mine": session.attendances.filter(person=request.user).first(),
    }
    if manage:
        ctx.update(
            qr=qr_svg(sign_url, scale=5), sign_url=sign_url, mark=MarkForm(institution=session.organization)
        )
    return render(request, "readiness/session.html", ctx)


@require_perm("readiness.view")
def sign_in(request: AuthedRequest, uuid, key: str) -> HttpResponse:
    """The page the session's QR code opens on the participant's phone."""
    session = get_for_user(
        Session.objects.select_related("course", "organization"), request.user, "readiness.view", uuid=uuid
    )
    if key != session.sign_in_key:
        raise Http404
    if request.method == "POST":
        try:
            _att, new = training.sign_in(actor=request.user, session=session, key=key)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("You are signed in.") if new else _("You were already signed in."))
        return redirect("readiness:sign_in", uuid=session.uuid, key=key)
    mine = Attendance.objects.filter(session=session, person=request.user).first()
    return render(
        request,
        "readiness/sign_in.html",
        {"s": session, "mine": mine, "questions": session.questions.all() if mine else [], "key": key},
    )


@require_perm("readiness.view")
@require_POST
def quiz(request: AuthedRequest, uuid) -> HttpResponse:
    session = get_for_user(Session, request.user, "readiness.view", uuid=uuid)
    answers = {}
    for q in session.questions.all():
        value = request.POST.get(f"q{q.pk}", "")
        if value.isdigit():
            answers[q.pk] = int(value)
    try:
        att = training.answer_quiz(actor=request.user, session=session, answers=answers)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        if att.passed:
            messages.success(request, _("Score %(score)s%%: passed.") % {"score": att.score})
        else:
            messages.warning(request, _("Score %(score)s%%: not passed yet.") % {"score": att.score})
    return redirect("readiness:sign_in", uuid=session.uuid, key=session.sign_in_key)


@require_perm("readiness.manage")
@require_POST
def session_mark(request: AuthedRequest, uuid) -> HttpResponse:
    session = get_for_user(Session, request.user, "readiness.manage", uuid=uuid)
    form = MarkForm(request.POST, institution=session.organization)
    if not form.is_valid():
        messages.error(request, _("Choose people of this institution."))
        return redirect("readiness:session", uuid=session.uuid)
    try:
        n = training.mark_attendance(
            actor=request.user, session=session, people=list(form.cleaned_data["people"])
        )
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("%(n)s marked present.") % {"n": n})
    return redirect("readiness:session", uuid=session.uuid)


@require_perm("readiness.manage")
@require_POST
def session_close(request: AuthedRequest, uuid) -> HttpResponse:
    session = get_for_user(Session, request.user, "readiness.manage", uuid=uuid)
    try:
        training.close_session(actor=request.user, session=session)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("Session closed."))
    return redirect("readiness:session", uuid=session.uuid)


@require_perm("readiness.status")
def status(request: AuthedRequest) -> HttpResponse:
    """Training status of the people in the viewer's scope, per person and per department."""
    insts, chosen = chosen_institution(request, "readiness.status")
    lines: list[training.Line] = []
    certificates: list[training.CertificateLine] = []
    if chosen is not None:
        members = training.status_members(request.user, chosen)
        people = [m.user for m in members.select_related("user")]
        lines = training.status_lines(chosen, people=people)
        certificates = training.certificates_of(chosen, people, timezone.localdate())
    if request.GET.get("export") == "xlsx":
        from shuangfang.core.exports import xlsx_response

        return xlsx_response(
            "training-status.xlsx",
            [_("Person"), _("Course"), _("State"), _("Due on"), _("Last done"), _("Why")],
            (
                [str(x.person), x.course.name, x.state_label, x.due_on, x.done_on, "; ".join(x.reasons)]
                for x in lines
            ),
        )
    states = [request.GET.get("state")] if request.GET.get("state") in TrainingState.values else None
    ctx = {
        "institutions": insts,
        "institution": chosen,
        "lines": [x for x in lines if states is None or x.state in states],
        "summary": training.summary(lines),
        "departments": _by_department(chosen, lines) if chosen else [],
        "manage": chosen is not None and can(request.user, "readiness.manage", chosen),
        "states": TrainingState.choices,
        "certificates": certificates,
    }
    return render(request, "readiness/status.html", ctx)


@require_perm("readiness.view")
def certificate_photo(request: AuthedRequest, uuid) -> HttpResponse:
    """The photo of a certificate, for its holder and whoever sees the holder's training status
    (anyone else: 404). The picture was checked when it was uploaded (``core.uploads.check_image``)."""
    cert = Certificate.objects.filter(uuid=uuid).exclude(photo_type="").select_related("organization").first()
    if cert is None or cert.photo is None or not training.may_see_certificate(request.user, cert):
        raise Http404
    response = HttpResponse(bytes(cert.photo), content_type=f"image/{cert.photo_type.lower()}")
    response["Cache-Control"] = "private, max-age=3600"
    return response


def _by_department(institution: Organization, lines: list[training.Line]) -> list[tuple[str, dict]]:
    where = {
        m.user_id: m.organization.name
        for m in Membership.objects.active()
        .filter(organization__path__startswith=institution.path)
        .select_related("organization")
    }
    groups: dict[str, list[training.Line]] = {}
    for line in lines:
        groups.setdefault(where.get(line.person.pk, institution.name), []).append(line)
    return [(name, training.summary(group)) for name, group in sorted(groups.items())]


@require_perm("readiness.manage")
def certificate_create(request: AuthedRequest, uuid) -> HttpResponse:
    institution = get_for_user(
        Organization.objects.institutions(), request.user, "readiness.manage", uuid=uuid
    )
    form = CertificateForm(request.POST or None, request.FILES or None, institution=institution)
    if request.method == "POST" and form.is_valid():
        try:
            training.add_certificate(actor=request.user, institution=institution, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect(f"{reverse('readiness:status')}?org={institution.uuid}")
    title = _("Certificate of a person at %(inst)s") % {"inst": institution.name}
    back = f"{reverse('readiness:status')}?org={institution.uuid}"
    return render(
        request, "readiness/form.html", {"form": form, "title": title, "back": back, "multipart": True}
    )


@require_perm("readiness.requirements")
def requirements(request: AuthedRequest) -> HttpResponse:
    """Courses and requirements of a bureau or institution (``?org=``), with forms to add them."""
    orgs = list(
        Organization.objects.for_user(request.user, "readiness.requirements")
        .bureaus_and_institutions()
        .order_by("path")
    )
    org = next((o for o in orgs if str(o.uuid) == request.GET.get("org")), orgs[0] if orgs else None)
    if org is None:
        raise Http404
    course_form = CourseForm(request.POST if request.POST.get("form") == "course" else None)
    req_form = RequirementForm(
        request.POST if request.POST.get("form") == "requirement" else None, organization=org
    )
    if request.method == "POST":
        try:
            if request.POST.get("form") == "defaults":
                n = training.install_defaults(actor=request.user, bureau=org)
                messages.success(request, _("%(n)s default requirements added.") % {"n": n})
                return redirect(f"{request.path}?org={org.uuid}")
            form = course_form if request.POST.get("form") == "course" else req_form
            if form.is_valid():
                if form is course_form:
                    training.save_course(actor=request.user, organization=org, **form.cleaned_data)
                else:
                    training.save_requirement(actor=request.user, organization=org, **form.cleaned_data)
                messages.success(request, _("Saved."))
                return redirect(f"{request.path}?org={org.uuid}")
        except ValidationError as exc:
            add_service_errors(course_form if request.POST.get("form") == "course" else req_form, exc)
    ctx = {
        "orgs": orgs,
        "org": org,
        "courses": Course.objects.filter(organization_id__in=org.ancestor_ids).select_related("organization"),
        "requirements": Requirement.objects.filter(organization_id__in=org.ancestor_ids)
        .select_related("course", "post", "organization")
        .order_by("course__name"),
        "course_form": course_form,
        "req_form": req_form,
        "applies": AppliesTo,
    }
    return render(request, "readiness/requirements.html", ctx)
