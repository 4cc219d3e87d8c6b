"""Every change to QR posters and public reports.

Visitors call :func:`submit_report` (no account: ``actor`` is absent, the sender's address and the
phone's cookie are what abuse control counts). Officers move a report with :data:`FLOW` through
:func:`confirm`, :func:`merge` and :func:`reject`; confirming files a hazard through
``hazards.services.report_hazard``, and from then on the visitor's follow-up page follows that hazard
(:func:`public_status`).
"""

from __future__ import annotations

import io
import re
import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from shuangfang.core import audit, events, messages
from shuangfang.core.limits import check_length
from shuangfang.core.photos import StoredPhoto, save_photo
from shuangfang.core.tenancy import require
from shuangfang.core.uploads import check_image, check_size
from shuangfang.core.vocabulary import Severity
from shuangfang.core.workflow import Transition, Workflow
from shuangfang.hazards.choices import FINAL_STATUSES, Source
from shuangfang.hazards.choices import Status as HazardStatus

from .choices import PublicStatus, RejectReason, Status
from .models import Poster, PublicPhoto, PublicReport

# Codes people may have to type: no 0/O, 1/I/L.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
POSTER_CODE_LENGTH = 8
FOLLOW_CODE_LENGTH = 10  # 31^10 ≈ 8·10^14: not guessable, and wrong guesses are limited per address
TEXT_MAX = 1000
PHOTO_MAX_PX = 3000  # the kept "original" (re-encoded without EXIF) is at most this on its longest side
PHONE_RE = re.compile(r"^\+?[0-9][0-9 \-]{4,18}$")


def _code(length: int) -> str:
    return "".join(secrets.choice(ALPHABET) for _i in range(length))


def normalise_code(raw: str) -> str:
    """What a person typed (lower case, dashes, spaces) as the stored code."""
    return re.sub(r"[\s\-]", "", raw or "").upper()[:20]


# --- abuse control ------------------------------------------------------------------------------


class Limited(ValidationError):
    """Refused by a rate limit or the cooling-off: the page says when to try again."""


def _key(scope: str, ident: str) -> str:
    return "publicreports:" + scope + ":" + salted_hmac("publicreports", ident).hexdigest()[:32]


def _bump(scope: str, ident: str) -> int:
    """Count one attempt in the current window (shared cache: every web process sees it)."""
    key = _key(scope, ident)
    if cache.add(key, 1, settings.PUBLIC_REPORT_WINDOW):
        return 1
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr
        cache.set(key, 1, settings.PUBLIC_REPORT_WINDOW)
        return 1


def sender_hash(address: str) -> str:
    """A keyed hash of the sender's address: kept on the report instead of the address."""
    return salted_hmac("publicreports.sender", address or "-").hexdigest()[:16]


def cooling_wait(device: str) -> int:
    """Seconds this phone must still wait before its next report (0: it may send)."""
    if not device:
        return 0
    until = cache.get(_key("cool", device))
    return 0 if until is None else max(0, int(float(until) - time.time() + 0.999))


def _start_cooling(device: str) -> None:
    seconds = settings.PUBLIC_REPORT_COOLING_SECONDS
    if device and seconds:
        cache.set(_key("cool", device), time.time() + seconds, seconds + 1)


def check_limits(poster: Poster, *, address: str, device: str) -> None:
    """Refuse (:class:`Limited`) a phone still cooling off, an address or a poster over its count of
    attempts in the window. Each attempt counts, refused ones too (a flood of bad uploads costs the
    server as much as good ones)."""
    wait = cooling_wait(device)
    if wait:
        raise Limited(
            _("You sent a report a moment ago. You can send another in %(n)d seconds.") % {"n": wait}
        )
    if _bump("address", address or "-") > settings.PUBLIC_REPORT_PER_ADDRESS:
        raise Limited(
            _("Too many reports were sent from your network in the last hour. Please try again later.")
        )
    if _bump("poster", poster.code) > settings.PUBLIC_REPORT_PER_POSTER:
        raise Limited(
            _("This poster has received too many reports in the last hour. Please try again later.")
        )


def follow_attempt(address: str) -> bool:
    """Count one look-up of a follow-up code; False once an address made too many (guessing)."""
    return _bump("follow", address or "-") <= settings.PUBLIC_REPORT_PER_ADDRESS * 10


# --- photos -------------------------------------------------------------------------------------


def check_photos(photos: Sequence) -> None:
    """Every photo before any is stored: how many, the size of each, a real picture within the pixel
    limit. Refused with the reason; nothing is kept."""
    if len(photos) > settings.PUBLIC_REPORT_MAX_PHOTOS:
        raise ValidationError(_("Send at most %(n)d photos.") % {"n": settings.PUBLIC_REPORT_MAX_PHOTOS})
    for upload in photos:
        check_size(upload, settings.PUBLIC_REPORT_PHOTO_MAX_BYTES)
        check_image(upload, settings.PUBLIC_REPORT_PHOTO_MAX_BYTES)


def _without_metadata(upload) -> ContentFile:
    """The picture re-encoded as a JPEG from its pixels only: no EXIF (GPS, camera, text hidden in
    a comment or a maker note), no ICC profile, no PNG text chunks. Rotation is applied first."""
    from PIL import Image, ImageOps

    upload.seek(0)
    with Image.open(upload) as raw:
        img = ImageOps.exif_transpose(raw)
        img.thumbnail((PHOTO_MAX_PX, PHOTO_MAX_PX))
        if img.mode not in ("RGB", "L"):
            img = img.convert("RGB")
        out = io.BytesIO()
        img.save(out, format="JPEG", quality=88)  # no exif=, no icc_profile=: nothing but pixels
    return ContentFile(out.getvalue(), name="photo.jpg")


def _store_photos(photos: Sequence) -> list[StoredPhoto]:
    return [
        save_photo(_without_metadata(p), folder="publicreports", limit=settings.PUBLIC_REPORT_PHOTO_MAX_BYTES)
        for p in photos
    ]


def _delete_files(stored: Sequence[StoredPhoto]) -> None:
    for s in stored:
        for name in (s.original, s.display, s.thumb):
            default_storage.delete(name)


# --- reports from visitors ----------------------------------------------------------------------


def active_poster(code: str) -> Poster | None:
    """The poster of ``code`` (switched off or not); None for an unknown code."""
    return (
        Poster.objects.select_related("organization", "risk_point").filter(code=normalise_code(code)).first()
    )


def check_report(text: str, phone: str, photos: Sequence) -> tuple[str, str]:
    """The text and phone as kept, or the reason the report is refused (nothing is stored)."""
    text = (text or "").strip()
    phone = (phone or "").strip()
    check_length(_("What you saw"), text, TEXT_MAX)
    if phone and not PHONE_RE.match(phone):
        raise ValidationError(_("Write the phone number with digits only, or leave it empty."))
    if not text and not photos:
        raise ValidationError(_("Take a photo or write a line about what you saw."))
    check_photos(photos)
    return text, phone


def submit_report(
    *,
    poster: Poster,
    text: str = "",
    phone: str = "",
    photos: Sequence = (),
    address: str = "",
    device: str = "",
) -> PublicReport:
    """A visitor's report from ``poster`` (no account). Refused, with nothing stored, when the poster
    is off, a limit is reached or the input is wrong; then all or nothing."""
    if not poster.is_active:
        raise ValidationError(_("This poster has been switched off."))
    check_limits(poster, address=address, device=device)
    text, phone = check_report(text, phone, photos)
    stored = _store_photos(photos)
    try:
        with transaction.atomic():
            report = _create_report(poster, text, phone, address)
            PublicPhoto.objects.bulk_create(
                [
                    PublicPhoto(
                        report=report,
                        original=s.original,
                        display=s.display,
                        thumb=s.thumb,
                        width=s.width,
                        height=s.height,
                    )
                    for s in stored
                ]
            )
            _tell_officers(report)
            audit.record(
                actor=None,
                action="publicreport.submit",
                obj=report,
                organization=report.organization,
                after={"poster": poster.code, "photos": len(stored)},
                note="public",
            )
    except BaseException:
        _delete_files(stored)
        raise
    _start_cooling(device)
    return report


messages.register({"publicreport.received": gettext_lazy("A visitor reported a problem: %(where)s")})


def _tell_officers(report: PublicReport) -> None:
    """The institution's safety officers hear of the report once (the outbox and ``notify`` keep one
    per report): the place and the link to triage it, nothing of the visitor."""
    place, org = report.poster.place, report.organization.name
    events.publish(
        "publicreport.received",
        organization_id=report.organization_id,
        object_uuid=str(report.uuid),
        **messages.title_fields("publicreport.received", where=f"{org} · {place}" if place else org),
        url=report.get_absolute_url(),
        severity=Severity.WARNING,
        roles=["safety_officer"],
    )


def _create_report(poster: Poster, text: str, phone: str, address: str) -> PublicReport:
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return PublicReport.objects.create(
                    organization=poster.organization,
                    poster=poster,
                    follow_code=_code(FOLLOW_CODE_LENGTH),
                    text=text,
                    phone=phone,
                    sender=sender_hash(address),
                )
        except IntegrityError:  # the same follow-up code drawn twice: draw again
            continue
    raise RuntimeError("no free follow-up code")


def report_by_code(code: str) -> PublicReport | None:
    code = normalise_code(code)
    if len(code) != FOLLOW_CODE_LENGTH:
        return None
    return (
        PublicReport.objects.select_related(
            "poster__risk_point", "organization", "hazard__duplicate_of", "duplicate_of__hazard"
        )
        .filter(follow_code=code)
        .first()
    )


@dataclass(frozen=True)
class Shown:
    """What the follow-up page may show: plain words and a step (1 received, 2 fixing, 3 fixed)."""

    status: PublicStatus
    step: int

    @property
    def label(self) -> str:
        return str(self.status.label)


def public_status(report: PublicReport) -> Shown:
    """The visitor's words for ``report``: a merged report follows the one it was merged into, a
    confirmed one follows its hazard (and that hazard's original, when it was a duplicate)."""
    seen = 0
    while report.status == Status.MERGED and report.duplicate_of_id and seen < 5:
        report = report.duplicate_of  # type: ignore[assignment]
        seen += 1
    if report.status == Status.REJECTED:
        return Shown(PublicStatus.NO_ACTION, 3)
    if report.status != Status.CONFIRMED or report.hazard is None:
        return Shown(PublicStatus.RECEIVED, 1)
    hazard = report.hazard
    if hazard.status == HazardStatus.DUPLICATE and hazard.duplicate_of is not None:
        hazard = hazard.duplicate_of
    if hazard.status == HazardStatus.CLOSED:
        return Shown(PublicStatus.FIXED, 3)
    if hazard.status in FINAL_STATUSES:
        return Shown(PublicStatus.NO_ACTION, 3)
    return Shown(PublicStatus.FIXING, 2)


# --- the officer's triage -----------------------------------------------------------------------


def _stamp(report: PublicReport, actor, context: dict) -> None:
    report.decided_at = timezone.now()
    report.decided_by = actor
    report.note = str(context.get("note") or "")


def _set_hazard(report: PublicReport, actor, context: dict) -> None:
    report.hazard = context["hazard"]


def _check_merge(report: PublicReport, actor, context: dict) -> None:
    into = context.get("into")
    if into is None:
        raise ValidationError(_("Choose the report this one repeats."))
    if into.pk == report.pk:
        raise ValidationError(_("A report cannot repeat itself."))
    if into.organization_id != report.organization_id:
        raise ValidationError(_("Merge only reports of the same institution."))
    if into.status not in (Status.RECEIVED, Status.CONFIRMED):
        raise ValidationError(_("Merge into a report that is still open or confirmed."))


def _set_duplicate(report: PublicReport, actor, context: dict) -> None:
    report.duplicate_of = context["into"]


def _check_reason(report: PublicReport, actor, context: dict) -> None:
    if context.get("reason") not in RejectReason.values:
        raise ValidationError(_("Choose why the report is not taken up."))


def _set_reason(report: PublicReport, actor, context: dict) -> None:
    report.reject_reason = context["reason"]


FLOW: Workflow[PublicReport] = Workflow(
    PublicReport,
    [
        Transition(
            {Status.RECEIVED},
            "confirm",
            Status.CONFIRMED,
            who="publicreport.triage",
            effects=(_stamp, _set_hazard),
            label=gettext_lazy("Confirm as a hazard"),
        ),
        Transition(
            {Status.RECEIVED},
            "merge",
            Status.MERGED,
            who="publicreport.triage",
            guard=_check_merge,
            effects=(_stamp, _set_duplicate),
            label=gettext_lazy("Merge as a duplicate"),
        ),
        Transition(
            {Status.RECEIVED},
            "reject",
            Status.REJECTED,
            who="publicreport.triage",
            guard=_check_reason,
            effects=(_stamp, _set_reason),
            label=pgettext_lazy("public report", "Reject"),
        ),
    ],
    audit_prefix="publicreport.",
    audited=("reject_reason", "hazard", "duplicate_of", "note"),
    lock=True,
)


def confirm(
    *,
    actor,
    report: PublicReport,
    description: str = "",
    category: str = "",
    grade: str | None = None,
    existing=None,
    note: str = "",
):
    """Take the report into the normal loop: a new hazard (photos, place and risk point of the
    poster; origin ``public-report:<uuid>``), or ``existing``, a hazard of the same institution
    already known. Returns the hazard."""
    from shuangfang.hazards.services import report_hazard

    FLOW.check(report, "confirm", actor)
    with transaction.atomic():
        if existing is not None:
            if existing.organization_id != report.organization_id:
                raise ValidationError(_("The hazard belongs to another institution."))
            if existing.status in (HazardStatus.REJECTED, HazardStatus.DUPLICATE):
                raise ValidationError(_("Choose a hazard that was not rejected or marked as a duplicate."))
            hazard = existing
        else:
            poster = report.poster
            hazard = report_hazard(
                actor=actor,
                organization=report.organization,
                description=(
                    description or report.text or _("Reported by a visitor: see the photos.")
                ).strip(),
                source=Source.SNAP,
                category=category,
                grade=grade,
                risk_point=poster.risk_point,
                origin=f"public-report:{report.uuid}",
                stored_photos=[(p.original, p.display, p.thumb) for p in report.photos.all()],
            )
        FLOW.move(report, "confirm", actor=actor, hazard=hazard, note=note)
    return hazard


def merge(*, actor, report: PublicReport, into: PublicReport, note: str = "") -> PublicReport:
    """``report`` repeats ``into`` (the first of a chain, when ``into`` was merged itself)."""
    seen = 0
    while into.status == Status.MERGED and into.duplicate_of_id and seen < 5:
        into = into.duplicate_of  # type: ignore[assignment]
        seen += 1
    return FLOW.move(report, "merge", actor=actor, into=into, note=note)


def reject(*, actor, report: PublicReport, reason: str, note: str = "") -> PublicReport:
    return FLOW.move(report, "reject", actor=actor, reason=reason, note=note)


# --- posters ------------------------------------------------------------------------------------


def make_posters(*, actor, institution) -> int:
    """One poster for ``institution`` and one for each of its active risk points (those missing);
    returns how many were made. Safe to run twice."""
    from shuangfang.risks.models import RiskPoint

    require(actor, "publicreport.triage", institution)
    have = set(Poster.objects.filter(organization=institution).values_list("risk_point_id", flat=True))
    points = RiskPoint.objects.filter(organization=institution, is_active=True).order_by("code")
    wanted = [None, *points]
    made = 0
    with transaction.atomic():
        for point in wanted:
            if (point.pk if point else None) in have:
                continue
            poster = _new_poster(actor, institution, point)
            audit.record(
                actor=actor,
                action="publicreport.poster_made",
                obj=poster,
                organization=institution,
                after={"code": poster.code, "risk_point": point.name if point else ""},
            )
            made += 1
    return made


def _new_poster(actor, institution, point) -> Poster:
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return Poster.objects.create(
                    organization=institution,
                    risk_point=point,
                    code=_code(POSTER_CODE_LENGTH),
                    created_by=actor,
                )
        except IntegrityError:
            if Poster.objects.filter(organization=institution, risk_point=point).exists():
                raise ValidationError(_("Someone made this poster meanwhile; reload the page.")) from None
    raise RuntimeError("no free poster code")


def switch_poster(*, actor, poster: Poster, on: bool) -> Poster:
    """Switch a poster on or off: a switched-off code answers with a page saying so, and takes no report."""
    require(actor, "publicreport.triage", poster.organization)
    with transaction.atomic():
        changed = Poster.objects.filter(pk=poster.pk, is_active=not on).update(
            is_active=on, switched_off_at=None if on else timezone.now()
        )
        if changed:
            poster.refresh_from_db(fields=["is_active", "switched_off_at"])
            audit.record(
                actor=actor,
                action="publicreport.poster_on" if on else "publicreport.poster_off",
                obj=poster,
                organization=poster.organization,
            )
    return poster
