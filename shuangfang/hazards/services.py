"""Every change to a hazard. Moves go through :func:`workflow.transition`; this module adds reporting
(numbering, idempotent origins), photos and the reminder sweep."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from shuangfang.core import audit
from shuangfang.core.limits import check_length, max_chars
from shuangfang.core.origins import Origin
from shuangfang.core.tenancy import require
from shuangfang.core.vocabulary import CheckCategory, HazardGrade

from .choices import OPEN_STATUSES, PhotoKind, Source, Status
from .counts import HAZARDS
from .models import Hazard, HazardCounter, HazardPhoto
from .workflow import add_photo, record_event, transition

# Reminders: how many days before the deadline the responsible person is told (data, not code).
REMIND_DAYS_BEFORE = 2


def next_number(organization, year: int) -> str:
    """``YH-2026-0042``: per institution and year, under a row lock (call inside a transaction)."""
    counter = HazardCounter.objects.select_for_update().filter(organization=organization, year=year).first()
    if counter is None:
        try:
            with transaction.atomic():
                HazardCounter.objects.create(organization=organization, year=year, last=0)
        except IntegrityError:
            pass  # another reporter created it first
        counter = HazardCounter.objects.select_for_update().get(organization=organization, year=year)
    HazardCounter.objects.filter(pk=counter.pk).update(last=F("last") + 1)
    counter.refresh_from_db(fields=["last"])
    return f"YH-{year}-{counter.last:04d}"


def report_hazard(
    *,
    actor,
    organization,
    description: str,
    source: str,
    photos: Sequence = (),
    location: str = "",
    category: str = "",
    grade: str | None = None,
    origin: str = "",
    title: str = "",
    department=None,
    risk_point=None,
    stored_photos: Sequence[tuple] = (),
    title_msg: dict | None = None,
    criterion_code: str = "",
) -> Hazard:
    """Register a hazard (any source). ``criterion_code``: the major-hazard criterion it meets (the
    grade is then major and the bureau is told); an unknown or uncitable code is refused.
    ``actor`` None: made by the system (a sensor alarm).
    The same non-empty ``origin`` twice returns the hazard already open for it. ``risk_point``: the
    risk point where it was found; ``stored_photos``: (original, display, thumb[, taken_at,
    latitude, longitude]) of photos another app already checked and stored (an inspection's problem
    photos); ``title_msg``:
    a system-made title as a message (``core.messages``), ``title`` being its Chinese rendering."""
    description = (description or "").strip()
    title = (title or "").strip()
    location = (location or "").strip()
    _check_lengths(title=title, description=description, location=location)
    if not title and description:
        title = description.splitlines()[0][:40]  # system-made title: may be cut
    institution, department = _institution_and_department(organization, department)
    if actor is not None:
        require(actor, "hazard.report", institution)
    _check_report(institution, description, source, category, grade, department, risk_point)
    criterion = cited(criterion_code, institution) if criterion_code else None
    if criterion is not None:
        if grade and grade != HazardGrade.MAJOR:
            raise ValidationError(_("A hazard that meets a major-hazard criterion is major."))
        grade = HazardGrade.MAJOR
    if risk_point is not None:
        location = location or f"{risk_point.code} {risk_point.name}"
    with transaction.atomic():
        if origin:
            existing = (
                Hazard.objects.select_for_update()
                .filter(organization=institution, origin=origin, status__in=OPEN_STATUSES)
                .first()
            )
            if existing is not None:
                return existing
        now = timezone.now()
        hazard = Hazard.objects.create(
            organization=institution,
            number=next_number(institution, timezone.localtime(now).year),
            title=title,
            title_msg=title_msg or {},
            description=description,
            location=location[: max_chars(Hazard, "location")],  # a risk point's code and name
            department=department,
            risk_point=risk_point,
            source=source,
            origin=origin[:80],  # system-made key (an alarm, an inspection item), never typed
            category=category or "",
            grade=grade or "",
            criterion=criterion,
            reporter=actor,
            reported_at=now,
        )
        _add_report_photos(hazard, actor, photos, stored_photos)
        _record_report(hazard, actor, criterion, source, origin, description)
        HAZARDS.move({}, HAZARDS.of([hazard]))  # the last write: see core.counters
    return hazard


def _record_report(hazard: Hazard, actor, criterion, source: str, origin: str, description: str) -> None:
    """The report's timeline and outbox rows (and the citation's, telling the bureau), its audit row."""
    record_event(
        hazard,
        "report",
        actor=actor,
        to_status=Status.REPORTED,
        note=description,
        data={"source": source, "origin": origin},
        publish="hazard.reported",
    )
    if criterion is not None:
        record_event(
            hazard,
            "cite_criterion",
            actor=actor,
            note=criterion.reference,
            data={"criterion": criterion.code},
            publish="hazard.criterion_cited",
        )
    audit.record(
        actor=actor,
        action="hazard.report",
        obj=hazard,
        organization=hazard.organization,
        after=audit.snapshot(
            hazard, ("number", "title", "source", "location", "category", "grade", "criterion")
        ),
        note="" if actor is not None else "system",
    )


def cited(code: str, institution, on: dt.date | None = None):
    """The criterion ``code`` names for ``institution`` today, or a translated ``ValidationError``."""
    from shuangfang.criteria.services import resolve

    return resolve(code, organization=institution, on=on)


def _check_lengths(**values: str) -> None:
    """Refuse texts longer than their documented limit (docs/security.md): never cut them."""
    for name, value in values.items():
        label = getattr(Hazard._meta.get_field(name), "verbose_name", name)
        check_length(label, value, max_chars(Hazard, name))


def _institution_and_department(organization, department):
    """The institution a hazard reported at ``organization`` belongs to, and its department (the
    reporting organization itself when it is a department and none was named)."""
    if organization is None or organization.institution_id is None:
        raise ValidationError(_("Choose the institution where the hazard is."))
    institution = organization.institution if organization.institution_id != organization.pk else organization
    if organization.kind == "department" and department is None:
        department = organization
    return institution, department


def _check_report(
    institution, description: str, source: str, category: str, grade, department, risk_point
) -> None:
    """Refuse a report the user can fix (translated ``ValidationError``); nothing is saved here."""
    if not description:
        raise ValidationError(_("Describe the hazard in a line."))
    if source not in Source.values:
        raise ValidationError(_("Unknown source."))
    if category and category not in CheckCategory.values:
        raise ValidationError(_("Unknown category."))
    if grade and grade not in HazardGrade.values:
        raise ValidationError(_("Unknown grade."))
    if department is not None and department.institution_id != institution.pk:
        raise ValidationError(_("The department must belong to this institution."))
    if risk_point is not None and risk_point.organization_id != institution.pk:
        raise ValidationError(_("The risk point belongs to another institution."))


def _add_report_photos(hazard: Hazard, actor, photos: Sequence, stored_photos: Sequence[tuple]) -> None:
    """The "before" photos: uploads (checked and stored here) and photos another app already stored
    (original, display, thumb[, taken_at, latitude, longitude])."""
    for upload in photos:
        add_photo(hazard, upload, kind=PhotoKind.BEFORE, actor=actor)
    for original, display, thumb, *evidence in stored_photos:
        taken_at, latitude, longitude = (*evidence, None, None, None)[:3]
        HazardPhoto.objects.create(
            hazard=hazard,
            kind=PhotoKind.BEFORE,
            original=original,
            display=display,
            thumb=thumb,
            uploaded_by=actor if getattr(actor, "pk", None) else None,
            taken_at=taken_at,
            latitude=latitude,
            longitude=longitude,
        )


# One service per move: thin names for views, the API and other apps.


def confirm_fix_now(*, actor, hazard: Hazard, photos: Sequence = (), note: str = "", **fields) -> Hazard:
    return transition(hazard, "confirm_fix_now", actor=actor, photos=photos, note=note, **fields)


def assign(*, actor, hazard: Hazard, note: str = "", **fields) -> Hazard:
    return transition(hazard, "assign", actor=actor, note=note, **fields)


def confirm_major(*, actor, hazard: Hazard, note: str = "", **fields) -> Hazard:
    return transition(hazard, "confirm_major", actor=actor, note=note, grade=HazardGrade.MAJOR, **fields)


def approve_plan(*, actor, hazard: Hazard, note: str = "", **fields) -> Hazard:
    """Set the five assurances (五落实) and start rectification of a major hazard."""
    return transition(hazard, "approve_plan", actor=actor, note=note, **fields)


def act(*, actor, hazard: Hazard, action: str, note: str = "", photos: Sequence = (), **fields) -> Hazard:
    """Any move by name (the pages and the API post one form per move)."""
    fields = {k: v for k, v in fields.items() if v not in (None, "")}
    if isinstance(fields.get("criterion"), str):
        fields["criterion"] = cited(fields["criterion"], hazard.organization)
    if action == "reject":
        fields["reject_reason"] = note
    if action == "submit" and not note:
        note = fields.get("fix_note", "")
    kind = PhotoKind.PROGRESS if action == "record_progress" else PhotoKind.AFTER
    return transition(hazard, action, actor=actor, note=note, photos=photos, photo_kind=kind, **fields)


def reject(*, actor, hazard: Hazard, reason: str) -> Hazard:
    return transition(hazard, "reject", actor=actor, note=reason, reject_reason=reason)


def mark_duplicate(*, actor, hazard: Hazard, original: Hazard | None, note: str = "") -> Hazard:
    return transition(hazard, "mark_duplicate", actor=actor, note=note, duplicate_of=original)


def record_progress(*, actor, hazard: Hazard, note: str, photos: Sequence = ()) -> Hazard:
    return transition(
        hazard, "record_progress", actor=actor, note=note, photos=photos, photo_kind=PhotoKind.PROGRESS
    )


def submit_for_acceptance(
    *, actor, hazard: Hazard, fix_note: str, photos: Sequence = (), **cause_fields: str
) -> Hazard:
    """``cause_fields``: ``cause`` and ``preventive_measures`` (四个不放过), when the fixer knows them."""
    fields = {k: v for k, v in cause_fields.items() if v}
    return transition(
        hazard, "submit", actor=actor, note=fix_note, fix_note=fix_note, photos=photos, **fields
    )


def accept(*, actor, hazard: Hazard, comment: str = "", **cause_fields: str) -> Hazard:
    """A hazard not fixed on the spot needs its ``cause`` and ``preventive_measures`` (四个不放过):
    on the hazard already, or given here."""
    fields = {k: v for k, v in cause_fields.items() if v}
    return transition(hazard, "accept", actor=actor, note=comment, **fields)


def reject_back(*, actor, hazard: Hazard, reason: str, deadline: dt.date | None = None) -> Hazard:
    if deadline:
        return transition(hazard, "reject_back", actor=actor, note=reason, deadline=deadline)
    return transition(hazard, "reject_back", actor=actor, note=reason)


def request_extension(*, actor, hazard: Hazard, until: dt.date | None, reason: str) -> Hazard:
    return transition(
        hazard, "request_extension", actor=actor, note=reason, extension_until=until, extension_reason=reason
    )


def decide_extension(*, actor, hazard: Hazard, approve: bool, note: str = "") -> Hazard:
    if approve:
        return transition(hazard, "approve_extension", actor=actor, note=note)
    return transition(hazard, "refuse_extension", actor=actor, note=note or _("Refused"))


def supervise(*, actor, hazard: Hazard, deadline: dt.date | None, requirements: str) -> Hazard:
    return transition(
        hazard,
        "supervise",
        actor=actor,
        note=requirements,
        supervision_deadline=deadline,
        supervision_note=requirements,
    )


def cite_criterion(*, actor, hazard: Hazard, code: str, note: str = "") -> Hazard:
    """The hazard meets the criterion ``code``: it becomes major and the bureau is told."""
    return transition(
        hazard, "cite_criterion", actor=actor, note=note, criterion=cited(code, hazard.organization)
    )


def request_downgrade(*, actor, hazard: Hazard, reason: str) -> Hazard:
    return transition(hazard, "request_downgrade", actor=actor, note=reason)


def decide_downgrade(*, actor, hazard: Hazard, approve: bool, reason: str) -> Hazard:
    """The bureau's decision on grading a hazard that cites a criterion below major (audited)."""
    return transition(
        hazard, "approve_downgrade" if approve else "refuse_downgrade", actor=actor, note=reason
    )


def comment(*, actor, hazard: Hazard, note: str) -> Hazard:
    return transition(hazard, "comment", actor=actor, note=note)


def send_reminders(today: dt.date | None = None) -> dict[str, int]:
    """Publish ``hazard.deadline_approaching`` / ``hazard.overdue`` / ``hazard.supervision_overdue``
    once per hazard and deadline (the overdue ones escalate: notifications opens an incident).
    Each reminder is claimed with a conditional update, so two sweeps never send it twice."""
    today = today or timezone.localdate()
    now = timezone.now()
    sent = {"deadline_approaching": 0, "overdue": 0, "supervision_overdue": 0}
    soon = Hazard.objects.filter(
        status__in=OPEN_STATUSES,
        deadline__gte=today,
        deadline__lte=today + dt.timedelta(days=REMIND_DAYS_BEFORE),
        reminded_due_at__isnull=True,
    ).exclude(status=Status.PENDING_ACCEPTANCE)
    late = Hazard.objects.filter(
        Q(status__in=OPEN_STATUSES) & ~Q(status=Status.PENDING_ACCEPTANCE),
        deadline__lt=today,
        reminded_overdue_at__isnull=True,
    )
    # A supervised hazard still open after the bureau's deadline (pending acceptance counts as
    # open here: the bureau asked for it closed).
    late_supervised = Hazard.objects.filter(
        status__in=OPEN_STATUSES,
        supervised=True,
        supervision_deadline__lt=today,
        reminded_supervision_at__isnull=True,
    )
    for qs, column, kind in (
        (soon, "reminded_due_at", "hazard.deadline_approaching"),
        (late, "reminded_overdue_at", "hazard.overdue"),
        (late_supervised, "reminded_supervision_at", "hazard.supervision_overdue"),
    ):
        for pk in qs.values_list("pk", flat=True).iterator():
            with transaction.atomic():
                claimed = Hazard.objects.filter(pk=pk, **{f"{column}__isnull": True}).update(**{column: now})
                if not claimed:
                    continue
                hazard = Hazard.objects.select_related("organization").get(pk=pk)
                record_event(hazard, kind.split(".", 1)[1], actor=None, publish=kind)
                sent[kind.split(".", 1)[1]] += 1
    return sent


def hazards_made_from(keys: list[str], user) -> dict[str, list[Origin]]:
    """The hazards filed under ``keys`` (e.g. an inspection's problem items) that ``user`` may see,
    as "Hazard YH-2026-0042 · <status>" with the hazard's link (core.origins.made_from)."""
    from django.urls import reverse

    found: dict[str, list[Origin]] = {}
    rows = (
        Hazard.objects.for_user(user, "hazard.view")
        .filter(origin__in=[k[:80] for k in keys])
        .order_by("id")
        .values_list("origin", "number", "uuid", "status")
    )
    for origin, number, uuid, status in rows:
        label = _("Hazard %(number)s · %(status)s") % {"number": number, "status": Status(status).label}
        found.setdefault(origin, []).append(Origin(label, reverse("hazards:detail", args=[uuid])))
    return found
