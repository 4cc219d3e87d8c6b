"""Training: courses and requirements (data), the status derived per person (done, due, overdue),
sessions with QR sign-in and an optional quiz, certificates, and the daily reminder sweep.

A person's required courses come from the requirements of their institution and the bureaus above
it: everyone, their post, their role, the posts at risk points of a level (from the risks app's
inventory), and new staff. A course is done while its last completion (a session attended, and
passed when it had a quiz) is within ``valid_months``; it is due from ``DUE_SOON_DAYS`` before
then (or, never done, until ``due_within_days`` after joining) and overdue after."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shuangfang.core import audit
from shuangfang.core.events import publish
from shuangfang.core.tenancy import require, scope_orgs
from shuangfang.orgs.models import Membership, Organization, OrgKind, Post, User
from shuangfang.orgs.roles import Role

from . import defaults
from .choices import AppliesTo, SignInMethod, TrainingState
from .models import Attendance, Certificate, Course, Question, Requirement, Session


def add_months(day: dt.date, months: int) -> dt.date:
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def institution_of(org: Organization) -> Organization:
    if org.institution_id is None or org.institution is None:
        raise ValidationError(_("Training and drills belong to an institution."))
    return org.institution


# --- Courses and requirements -------------------------------------------------------------------


def save_course(*, actor: User, organization: Organization, course: Course | None = None, **fields) -> Course:
    require(actor, "readiness.requirements", organization)
    name = (fields.get("name") or "").strip()
    if not name:
        raise ValidationError(_("Name the course."))
    with transaction.atomic():
        if course is None:
            course = Course(organization=organization)
        for key, value in fields.items():
            setattr(course, key, value)
        course.name = name
        if Course.objects.filter(organization=organization, name=name).exclude(pk=course.pk).exists():
            raise ValidationError(_("There is already a course with this name."))
        course.save()
        audit.record(actor=actor, action="readiness.course_save", obj=course, organization=organization)
    return course


def save_requirement(
    *, actor: User, organization: Organization, requirement: Requirement | None = None, **fields
) -> Requirement:
    """A requirement of ``organization`` (a bureau: all its institutions; an institution: itself)."""
    require(actor, "readiness.requirements", organization)
    course: Course = fields["course"]
    if not organization.is_within(course.organization) and not course.organization.is_within(organization):
        raise ValidationError(_("Choose a course of this organisation or of a bureau above it."))
    applies = fields.get("applies_to")
    post: Post | None = fields.get("post")
    if applies == AppliesTo.POST and (post is None or not post.organization.is_within(organization)):
        raise ValidationError(_("Choose a post of this institution."))
    if applies == AppliesTo.ROLE and fields.get("role") not in Role.values:
        raise ValidationError(_("Choose a role."))
    if applies == AppliesTo.RISK_LEVEL and fields.get("risk_level") not in (1, 2, 3, 4):
        raise ValidationError(_("Choose a risk level."))
    with transaction.atomic():
        requirement = requirement or Requirement(organization=organization)
        for key, value in fields.items():
            setattr(requirement, key, value)
        requirement.save()
        audit.record(
            actor=actor, action="readiness.requirement_save", obj=requirement, organization=organization
        )
    return requirement


def install_defaults(*, actor: User, bureau: Organization) -> int:
    """The default courses and requirements (``defaults``) at a bureau, once; returns how many
    requirements were added."""
    require(actor, "readiness.requirements", bureau)
    added = 0
    with transaction.atomic():
        courses = {}
        for name, topic, months, source, confidence in defaults.COURSES:
            courses[name], _new = Course.objects.get_or_create(
                organization=bureau,
                name=name,
                defaults={"topic": topic, "valid_months": months, "source": source, "confidence": confidence},
            )
        for course_name, applies, post_name, role, level, within, source in defaults.REQUIREMENTS:
            course = courses[course_name]
            posts = [None] if applies != AppliesTo.POST else list(_posts_named(bureau, post_name))
            for post in posts:
                org = bureau if post is None else post.organization
                _req, new = Requirement.objects.get_or_create(
                    organization=org,
                    course=course,
                    applies_to=applies,
                    post=post,
                    defaults={
                        "role": role,
                        "risk_level": level,
                        "due_within_days": within,
                        "source": source,
                        "confidence": course.confidence,
                    },
                )
                added += int(new)
        audit.record(actor=actor, action="readiness.defaults", obj=bureau, organization=bureau)
    return added


def _posts_named(bureau: Organization, name: str):
    return Post.objects.filter(organization__path__startswith=bureau.path, name=name, is_active=True)


def courses_for(org: Organization):
    """The courses an organisation may use: its own and its bureaus'."""
    return Course.objects.filter(organization_id__in=org.ancestor_ids, is_active=True)


# --- Status -------------------------------------------------------------------------------------


@dataclass
class Line:
    person: User
    course: Course
    state: str
    due_on: dt.date | None
    done_on: dt.date | None
    reasons: list[str]

    @property
    def state_label(self) -> str:
        return str(TrainingState(self.state).label)


def _applies(req: Requirement, posts: set[int], roles: set[str], risky: dict[int, int]) -> bool:
    if req.applies_to in (AppliesTo.EVERY_POST, AppliesTo.NEW_STAFF):
        return True
    if req.applies_to == AppliesTo.POST:
        return req.post_id in posts
    if req.applies_to == AppliesTo.ROLE:
        return req.role in roles
    return any(risky.get(p, 99) <= (req.risk_level or 0) for p in posts)


def _reason(req: Requirement) -> str:
    if req.applies_to == AppliesTo.POST and req.post is not None:
        return f"{AppliesTo(req.applies_to).label}: {req.post.name}"
    if req.applies_to == AppliesTo.ROLE:
        return f"{AppliesTo(req.applies_to).label}: {Role(req.role).label}"
    if req.applies_to == AppliesTo.RISK_LEVEL:
        return f"{AppliesTo(req.applies_to).label} ≤ {req.risk_level}"
    return f"{AppliesTo(req.applies_to).label}"


def _posts_risk(institution_ids: list[int]) -> dict[int, int]:
    """Each post's most severe risk level (1 = major) among its active risk points, for the posts
    of the institutions (post ids are unique). One query."""
    from shuangfang.risks.models import RiskPoint

    out: dict[int, int] = {}
    rows = RiskPoint.objects.filter(
        organization_id__in=institution_ids, is_active=True, post__isnull=False
    ).values_list("post_id", "residual_level", "inherent_level")
    for post_id, residual, inherent in rows:
        level = residual or inherent
        if level:
            out[post_id] = min(out.get(post_id, 99), level)
    return out


def completions(people: list[User], courses: list[Course]) -> dict[tuple[int, int], dt.date]:
    """The latest completion of each (person, course): a session attended (and passed, when it had
    a quiz). One query."""
    out: dict[tuple[int, int], dt.date] = {}
    rows = (
        Attendance.objects.filter(person__in=people, session__course__in=courses)
        .exclude(passed=False)
        .values_list("person_id", "session__course_id", "session__starts_at", "session__pass_mark", "passed")
    )
    for person_id, course_id, starts_at, pass_mark, passed in rows:
        if pass_mark is not None and not passed:
            continue  # a quiz not answered yet
        day = timezone.localdate(starts_at)
        key = (person_id, course_id)
        if key not in out or out[key] < day:
            out[key] = day
    return out


def status_lines(
    institution: Organization, people: list[User] | None = None, on: dt.date | None = None
) -> list[Line]:
    """The training status of ``people`` (default: everyone of the institution) on ``on``."""
    return status_lines_many([institution], people=people, on=on)[institution.pk]


def status_lines_many(
    institutions: list[Organization], people: list[User] | None = None, on: dt.date | None = None
) -> dict[int, list[Line]]:
    """:func:`status_lines` of several institutions at once (by institution id): four queries
    whatever their number (memberships, requirements, risk points, completions)."""
    on = on or timezone.localdate()
    ids = [i.pk for i in institutions]
    out: dict[int, list[Line]] = {i: [] for i in ids}
    if not ids:
        return out
    members = list(
        Membership.objects.active(on)
        .filter(organization__institution_id__in=ids)
        .select_related("user", "organization")
        .order_by("user__name")
    )
    if people is not None:
        wanted = {p.pk for p in people}
        members = [m for m in members if m.user_id in wanted]
    by_person: dict[int, dict[int, list[Membership]]] = {i: defaultdict(list) for i in ids}
    for m in members:
        by_person[m.organization.institution_id][m.user_id].append(m)
    ancestors = {a for i in institutions for a in i.ancestor_ids}
    all_reqs = list(
        Requirement.objects.filter(organization_id__in=ancestors, is_active=True, course__is_active=True)
        .select_related("course", "post")
        .order_by("course__name")
    )
    risky = _posts_risk(ids)
    persons = list({m.user_id: m.user for m in members}.values())
    done = completions(persons, list({r.course for r in all_reqs})) if persons else {}
    for inst in institutions:
        up = set(inst.ancestor_ids)
        reqs = [r for r in all_reqs if r.organization_id in up]
        lines = out[inst.pk]
        for ms in by_person[inst.pk].values():
            person = ms[0].user
            posts = {m.post_id for m in ms if m.post_id}
            roles = {m.role for m in ms}
            joined = min(m.valid_from or timezone.localdate(m.created_at) for m in ms)
            needed: dict[int, list[Requirement]] = defaultdict(list)
            for r in reqs:
                if _applies(r, posts, roles, risky):
                    needed[r.course_id].append(r)
            for rs in needed.values():
                lines.append(_line(person, rs, joined, done.get((person.pk, rs[0].course_id)), on))
    return out


def _line(
    person: User, reqs: list[Requirement], joined: dt.date, done_on: dt.date | None, on: dt.date
) -> Line:
    course = reqs[0].course
    reasons = [_reason(r) for r in reqs]
    if done_on is not None:
        valid_until = add_months(done_on, course.valid_months) if course.valid_months else None
        if valid_until is None:
            return Line(person, course, TrainingState.DONE, None, done_on, reasons)
        if valid_until <= on:
            return Line(person, course, TrainingState.OVERDUE, valid_until, done_on, reasons)
        soon = (valid_until - on).days <= defaults.DUE_SOON_DAYS
        return Line(
            person, course, TrainingState.DUE if soon else TrainingState.DONE, valid_until, done_on, reasons
        )
    due_on = joined + dt.timedelta(days=min(r.due_within_days for r in reqs))
    state = TrainingState.OVERDUE if due_on < on else TrainingState.DUE
    return Line(person, course, state, due_on, None, reasons)


def summary(lines: list[Line]) -> dict[str, int]:
    out = {s.value: 0 for s in TrainingState}
    for line in lines:
        out[line.state] += 1
    total = len(lines)
    out["total"] = total
    out["done_pct"] = round(100 * out[TrainingState.DONE] / total) if total else 0
    return out


# --- Sessions -----------------------------------------------------------------------------------


def create_session(
    *, actor: User, institution: Organization, course: Course, questions=(), **fields
) -> Session:
    """A session of an institution; ``questions``: (text, options, right option from 1)."""
    institution = institution_of(institution)
    require(actor, "readiness.manage", institution)
    if not courses_for(institution).filter(pk=course.pk).exists():
        raise ValidationError(_("Choose a course of this institution or of its bureau."))
    if fields["ends_at"] <= fields["starts_at"]:
        raise ValidationError(_("A session must end after it starts."))
    pass_mark = fields.get("pass_mark")
    if pass_mark is not None and not 0 < pass_mark <= 100:
        raise ValidationError(_("The pass mark is a percentage from 1 to 100."))
    for _text, options, answer in questions:
        if len(options) < 2 or not 1 <= answer <= len(options):
            raise ValidationError(
                _("Each question needs at least two options and the number of the right one.")
            )
    with transaction.atomic():
        session = Session.objects.create(organization=institution, course=course, created_by=actor, **fields)
        Question.objects.bulk_create(
            Question(session=session, text=t, options=list(o), answer=a) for t, o, a in questions
        )
        audit.record(actor=actor, action="readiness.session_create", obj=session, organization=institution)
    return session


def _check_open(session: Session) -> None:
    if session.closed_at is not None:
        raise ValidationError(_("This session is closed: nothing more can be signed or answered."))


def check_member(institution: Organization, person: User) -> None:
    """Refuse someone who is not (today) a member of ``institution`` or its departments."""
    ok = (
        Membership.objects.active()
        .filter(user=person, organization__path__startswith=institution.path)
        .exists()
    )
    if not ok:
        raise ValidationError(
            _("%(person)s is not a member of %(institution)s: only its people attend its training.")
            % {"person": person, "institution": institution.name}
        )


def _attend(session: Session, person: User, method: str) -> tuple[Attendance, bool]:
    try:
        with transaction.atomic():
            return Attendance.objects.create(
                organization=session.organization,
                session=session,
                person=person,
                method=method,
                signed_at=timezone.now(),
            ), True
    except IntegrityError:
        return Attendance.objects.get(session=session, person=person), False


def sign_in(*, actor: User, session: Session, key: str) -> tuple[Attendance, bool]:
    """The participant's own QR sign-in; twice is once (returns whether it was new)."""
    require(actor, "readiness.view", session.organization)
    if key != session.sign_in_key:
        raise ValidationError(
            _("This sign-in code is not valid for the session; scan the code shown in the room.")
        )
    _check_open(session)
    check_member(session.organization, actor)
    with transaction.atomic():
        attendance, new = _attend(session, actor, SignInMethod.QR)
        if new:
            audit.record(
                actor=actor, action="readiness.sign_in", obj=attendance, organization=session.organization
            )
    return attendance, new


def mark_attendance(*, actor: User, session: Session, people: list[User]) -> int:
    """The trainer marks people present; all are checked before any is marked."""
    require(actor, "readiness.manage", session.organization)
    _check_open(session)
    for person in people:
        check_member(session.organization, person)
    added = 0
    with transaction.atomic():
        for person in people:
            _attendance, new = _attend(session, person, SignInMethod.TRAINER)
            added += int(new)
        audit.record(
            actor=actor,
            action="readiness.mark_attendance",
            obj=session,
            organization=session.organization,
            note=", ".join(p.username for p in people),
        )
    return added


def answer_quiz(*, actor: User, session: Session, answers: dict[int, int]) -> Attendance:
    """The participant's answers (question id → option from 1): score in percent, passed or not."""
    require(actor, "readiness.view", session.organization)
    _check_open(session)
    questions = list(session.questions.all())
    if not questions:
        raise ValidationError(_("This session has no quiz."))
    if any(q.pk not in answers for q in questions):
        raise ValidationError(_("Answer every question."))
    with transaction.atomic():
        attendance = Attendance.objects.select_for_update().filter(session=session, person=actor).first()
        if attendance is None:
            raise ValidationError(_("Sign in to the session before answering its quiz."))
        right = sum(1 for q in questions if answers[q.pk] == q.answer)
        attendance.score = round(100 * right / len(questions))
        attendance.passed = attendance.score >= (session.pass_mark or 0)
        attendance.save(update_fields=["score", "passed"])
        audit.record(actor=actor, action="readiness.quiz", obj=attendance, organization=session.organization)
    return attendance


def close_session(*, actor: User, session: Session) -> Session:
    require(actor, "readiness.manage", session.organization)
    with transaction.atomic():
        updated = Session.objects.filter(pk=session.pk, closed_at__isnull=True).update(
            closed_at=timezone.now()
        )
        if not updated:
            raise ValidationError(_("This session is already closed."))
        session.refresh_from_db(fields=["closed_at"])
        audit.record(
            actor=actor, action="readiness.session_close", obj=session, organization=session.organization
        )
    return session


def add_certificate(
    *, actor: User, institution: Organization, person: User, photo=None, **fields
) -> Certificate:
    from shuangfang.core.uploads import check_image

    require(actor, "readiness.manage", institution)
    if not (fields.get("name") or "").strip():
        raise ValidationError(_("Name the certificate."))
    if fields.get("expires_on") and fields["expires_on"] <= fields["issued_on"]:
        raise ValidationError(_("A certificate expires after it is issued."))
    check_member(institution, person)
    data, kind = None, ""
    if photo is not None:
        kind = check_image(photo)
        data = photo.read()
    with transaction.atomic():
        cert = Certificate.objects.create(
            organization=institution, person=person, photo=data, photo_type=kind, **fields
        )
        audit.record(actor=actor, action="readiness.certificate_add", obj=cert, organization=institution)
    return cert


@dataclass(frozen=True)
class CertificateLine:
    cert: Certificate
    state: str  # the training states' colours: overdue = expired, due = expires soon, done = valid
    state_label: str


def certificates_of(institution: Organization, people: list[User], on: dt.date) -> list[CertificateLine]:
    """The certificates of ``people`` at ``institution``, the soonest expiry first, each with its
    state on ``on``: expired, expiring within ``CERTIFICATE_REMIND_DAYS`` (when the reminder goes)
    or valid. One query; the photos are not read."""
    from django.db.models import F

    labels = {
        TrainingState.OVERDUE: _("Expired"),
        TrainingState.DUE: _("Expires soon"),
        TrainingState.DONE: _("Valid"),
    }
    soon = on + dt.timedelta(days=defaults.CERTIFICATE_REMIND_DAYS)
    out = []
    for cert in (
        Certificate.objects.filter(organization=institution, person__in=[p.pk for p in people])
        .select_related("person")
        .defer("photo")
        .order_by(F("expires_on").asc(nulls_last=True), "person__username", "name")
    ):
        if cert.expires_on is not None and cert.expires_on < on:
            state = TrainingState.OVERDUE
        elif cert.expires_on is not None and cert.expires_on <= soon:
            state = TrainingState.DUE
        else:
            state = TrainingState.DONE
        out.append(CertificateLine(cert, state, labels[state]))
    return out


def status_members(user: User, institution: Organization):
    """The active memberships under ``institution`` whose training status ``user`` sees (a
    department head: those of their department)."""
    scope = scope_orgs(user, "readiness.status")
    members = Membership.objects.active().filter(organization__path__startswith=institution.path)
    return members if scope is None else members.filter(organization__in=scope)


def may_see_certificate(user: User, cert: Certificate) -> bool:
    """Its holder, and whoever sees the holder's training status."""
    if cert.person_id == user.pk:
        return True
    return status_members(user, cert.organization).filter(user_id=cert.person_id).exists()


# --- Reminders ----------------------------------------------------------------------------------


def send_reminders(on: dt.date | None = None) -> int:
    """Daily: tell people of courses due soon or overdue and of certificates expiring. Each fact is
    published once (its origin names person, course, due date and state), so running the sweep
    again the same day, or twice by two workers, tells nobody twice. Returns how many were published."""
    from django.urls import reverse

    on = on or timezone.localdate()
    url = reverse("readiness:mine")
    count = 0
    for institution in Organization.objects.filter(kind=OrgKind.INSTITUTION, is_active=True):
        with transaction.atomic():
            for line in status_lines(institution, on=on):
                if line.state == TrainingState.DONE:
                    continue
                if (
                    line.state == TrainingState.DUE
                    and line.due_on
                    and (line.due_on - on).days > defaults.DUE_SOON_DAYS
                ):
                    continue
                kind = (
                    "readiness.training_overdue"
                    if line.state == TrainingState.OVERDUE
                    else "readiness.training_due"
                )
                publish(
                    kind,
                    organization_id=institution.pk,
                    object_uuid=str(line.course.uuid),
                    title=_reminder_title(line),
                    url=url,
                    recipient_ids=[line.person.pk],
                    roles=[Role.SAFETY_OFFICER] if line.state == TrainingState.OVERDUE else [],
                    key=f"{line.person.pk}:{line.course.pk}:{line.due_on}",
                )
                count += 1
            count += _certificate_reminders(institution, on, url)
    return count


def _reminder_title(line: Line) -> str:
    when = line.due_on.isoformat() if line.due_on else ""
    if line.state == TrainingState.OVERDUE:
        return _("Training overdue: %(course)s (%(person)s, since %(day)s)") % {
            "course": line.course.name,
            "person": line.person,
            "day": when,
        }
    return _("Training due: %(course)s (%(person)s, by %(day)s)") % {
        "course": line.course.name,
        "person": line.person,
        "day": when,
    }


def _certificate_reminders(institution: Organization, on: dt.date, url: str) -> int:
    soon = on + dt.timedelta(days=defaults.CERTIFICATE_REMIND_DAYS)
    certs = Certificate.objects.filter(organization=institution, expires_on__lte=soon).select_related(
        "person"
    )
    for cert in certs:
        publish(
            "readiness.certificate_expiring",
            organization_id=institution.pk,
            object_uuid=str(cert.uuid),
            title=_("Certificate %(name)s of %(person)s expires on %(day)s")
            % {"name": cert.name, "person": cert.person, "day": cert.expires_on.isoformat()},
            url=url,
            recipient_ids=[cert.person_id],
            roles=[Role.SAFETY_OFFICER],
            key=f"{cert.uuid}:{cert.expires_on}",
        )
    return len(certs)
