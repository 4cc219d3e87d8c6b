"""Responsibility letters (责任书), layer by layer: bureau → institution head → department head → post
holder. A letter is generated for a year from a template with its parties and duties, and the
holder's risk points and their measures are listed from the risks app's inventory. Its content is
frozen in the row and hashed (SHA-256 over a canonical JSON); signing on the phone keeps the drawn
signature (PNG), the time and who, renders the signed PDF and keeps the PDF's SHA-256. A change of
content puts a signed letter back to "waiting for signature"; a revoked letter cannot be signed."""

from __future__ import annotations

import base64
import hashlib
import io
import json
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shuangfang.core import audit
from shuangfang.core.events import publish
from shuangfang.core.tenancy import require, scope_orgs
from shuangfang.core.workflow import Transition, Workflow
from shuangfang.orgs.models import Membership, Organization, OrgKind, User
from shuangfang.orgs.roles import Role

from .choices import LetterLevel, LetterStatus
from .models import Letter, LetterTemplate
from .training import institution_of


def visible(user):
    """Letters a user sees: their own, and all of the institutions where they track letters (the
    pages and the API)."""
    scope = scope_orgs(user, "readiness.status")
    qs = Letter.objects.all()
    if scope is None:
        return qs
    return qs.filter(Q(holder=user) | Q(organization__in=scope))


SIGNATURE_MAX_BYTES = 300_000
MAX_MEASURES = 8
CONTENT_FIELDS = (
    "title",
    "year",
    "level",
    "issuer",
    "holder_id",
    "holder_party",
    "principle",
    "duties",
    "risk_lines",
)


def content_hash(letter: Letter) -> str:
    """SHA-256 of what the holder signs: every content field, canonical JSON."""
    data = {f: getattr(letter, f) for f in CONTENT_FIELDS}
    raw = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(raw.encode()).hexdigest()


def sha256(data: bytes | memoryview | None) -> str:
    return hashlib.sha256(bytes(data or b"")).hexdigest()


def save_template(
    *, actor: User, organization: Organization, template: LetterTemplate | None = None, **fields
) -> LetterTemplate:
    require(actor, "readiness.letters", organization)
    if fields.get("level") not in LetterLevel.values:
        raise ValidationError(_("Choose the level of the letter."))
    if not (fields.get("title") or "").strip() or not (fields.get("duties") or "").strip():
        raise ValidationError(_("A template needs a title and its duties."))
    with transaction.atomic():
        template = template or LetterTemplate(organization=organization)
        for key, value in fields.items():
            setattr(template, key, value)
        template.save()
        audit.record(actor=actor, action="readiness.template_save", obj=template, organization=organization)
    return template


def templates_for(org: Organization):
    return LetterTemplate.objects.filter(organization_id__in=org.ancestor_ids, is_active=True)


# --- Generation ---------------------------------------------------------------------------------


def _holders(template: LetterTemplate, institution: Organization) -> list[tuple[User, str, str, Any]]:
    """(holder, issuer, holder's party, what their risk points are filtered by) for a level."""
    members = Membership.objects.active().filter(organization__path__startswith=institution.path)
    out = []
    if template.level == LetterLevel.INSTITUTION_HEAD:
        bureau = (
            template.organization if template.organization.kind != OrgKind.INSTITUTION else institution.parent
        )
        issuer = bureau.name if bureau is not None else institution.name
        for m in members.filter(role=Role.INSTITUTION_HEAD, organization=institution).select_related("user"):
            out.append((m.user, issuer, _("Head of %(inst)s") % {"inst": institution.name}, {"major": True}))
    elif template.level == LetterLevel.DEPARTMENT_HEAD:
        issuer = _("Head of %(inst)s") % {"inst": institution.name}
        for m in members.filter(role=Role.DEPARTMENT_HEAD).select_related("user", "organization"):
            out.append(
                (
                    m.user,
                    issuer,
                    _("Head of %(dept)s") % {"dept": m.organization.name},
                    {"department": m.organization},
                )
            )
    else:
        for m in members.filter(post__isnull=False).select_related("user", "organization", "post"):
            dept = m.organization if m.organization.kind == OrgKind.DEPARTMENT else None
            issuer = _("Head of %(dept)s") % {"dept": (dept or institution).name}
            out.append((m.user, issuer, f"{(dept or institution).name} · {m.post.name}", {"post": m.post}))
    return out


def risk_lines(institution: Organization, by: dict[str, Any]) -> list[dict[str, Any]]:
    """The risk points a holder answers for, each with its level and control measures (from the
    risks app's inventory): the post's, the department's, or the institution's major and
    significant ones for its head."""
    from shuangfang.risks.models import ControlMeasure, RiskPoint

    points = RiskPoint.objects.filter(organization=institution, is_active=True)
    if "post" in by:
        points = points.filter(post=by["post"])
    elif "department" in by:
        points = points.filter(department=by["department"])
    else:
        points = points.filter(inherent_level__in=[1, 2])
    chosen = list(points.order_by("number"))
    measures: dict[int, list[str]] = {}
    for m in ControlMeasure.objects.filter(factor__risk_point__in=chosen).order_by(
        "factor__risk_point", "id"
    ):
        measures.setdefault(m.factor.risk_point_id, []).append(m.description)
    return [
        {"point": f"{p.code} {p.name}", "level": p.level, "measures": measures.get(p.pk, [])[:MAX_MEASURES]}
        for p in chosen
    ]


def generate_letters(
    *, actor: User, template: LetterTemplate, institution: Organization, year: int
) -> list[Letter]:
    """One letter per holder of the template's level at ``institution`` for ``year`` (those who
    already have a live one keep it). Each holder is told there is a letter to sign."""
    institution = institution_of(institution)
    require(actor, "readiness.letters", institution)
    if not templates_for(institution).filter(pk=template.pk).exists():
        raise ValidationError(_("Choose a template of this institution or of its bureau."))
    if not 2000 <= year <= 2100:
        raise ValidationError(_("Choose a year."))
    made = []
    with transaction.atomic():
        live = set(
            Letter.objects.filter(template=template, year=year)
            .exclude(status=LetterStatus.REVOKED)
            .values_list("holder_id", flat=True)
        )
        for holder, issuer, party, by in _holders(template, institution):
            if holder.pk in live:
                continue
            live.add(holder.pk)
            made.append(_make(actor, template, institution, year, holder, issuer, party, by))
    return made


def _make(actor, template, institution, year, holder, issuer, party, by) -> Letter:
    letter = Letter(
        organization=institution,
        template=template,
        level=template.level,
        year=year,
        title=template.title,
        issuer=issuer,
        holder=holder,
        holder_party=party,
        principle=template.principle,
        duties=template.duties,
        risk_lines=risk_lines(institution, by),
        issued_at=timezone.now(),
    )
    letter.content_hash = content_hash(letter)
    letter.save()
    audit.record(actor=actor, action="readiness.letter_issue", obj=letter, organization=institution)
    publish(
        "readiness.letter_issued",
        organization_id=institution.pk,
        object_uuid=str(letter.uuid),
        title=_("A responsibility letter waits for your signature: %(title)s %(year)s")
        % {"title": letter.title, "year": year},
        url=reverse("readiness:letter", kwargs={"uuid": letter.uuid}),
        recipient_ids=[holder.pk],
        key=f"{letter.uuid}:{letter.content_hash[:12]}",
    )
    return letter


# --- Signing ------------------------------------------------------------------------------------


def check_signature(png: bytes) -> bytes:
    """A drawn signature: a PNG picture of sensible size with something drawn on it."""
    from PIL import Image, UnidentifiedImageError

    if not png or len(png) > SIGNATURE_MAX_BYTES or not png.startswith(b"\x89PNG\r\n\x1a\n"):
        raise ValidationError(_("Draw your signature in the box before signing."))
    try:
        with Image.open(io.BytesIO(png)) as img:
            if img.width * img.height > 4_000_000:
                raise ValidationError(_("Draw your signature in the box before signing."))
            if img.mode in ("RGBA", "LA") or "transparency" in img.info:
                drawn = img.convert("RGBA").getchannel("A").getbbox()  # something not transparent
            else:
                drawn = img.convert("L").point(lambda v: 255 if v < 128 else 0).getbbox()  # something dark
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError(_("Draw your signature in the box before signing.")) from None
    if drawn is None:
        raise ValidationError(_("Draw your signature in the box before signing."))
    return png


def signature_from_data_url(value: str) -> bytes:
    prefix = "data:image/png;base64,"
    if not (value or "").startswith(prefix):
        raise ValidationError(_("Draw your signature in the box before signing."))
    try:
        return base64.b64decode(value[len(prefix) :], validate=True)
    except ValueError:
        raise ValidationError(_("Draw your signature in the box before signing.")) from None


def render_letter_pdf(
    letter: Letter, *, signature: bytes | None, signed_at=None, signer: User | None = None
) -> bytes:
    from shuangfang.core.pdf import render_pdf

    sig = base64.b64encode(signature).decode() if signature else ""
    return render_pdf(
        "readiness/letter_pdf.html",
        {"letter": letter, "signature": sig, "signed_at": signed_at, "signer": signer},
    )


def _is_holder(letter: Letter, actor: User) -> bool:
    return actor.pk == letter.holder_id


def _check_content(letter: Letter, actor: Any, ctx: dict[str, Any]) -> None:
    if content_hash(letter) != letter.content_hash:
        raise ValidationError(
            _("The letter's text does not match its fingerprint; ask for it to be issued again.")
        )


def _stamp_signature(letter: Letter, actor: Any, ctx: dict[str, Any]) -> None:
    now = timezone.now()
    letter.signed_at, letter.signed_by = now, actor
    letter.signature_png = ctx["png"]
    letter.signed_hash = letter.content_hash
    letter.signed_pdf = render_letter_pdf(letter, signature=ctx["png"], signed_at=now, signer=actor)
    letter.pdf_sha256 = sha256(letter.signed_pdf)


def _stamp_amend(letter: Letter, actor: Any, ctx: dict[str, Any]) -> None:
    letter.duties = ctx["duties"]
    letter.risk_lines = ctx["risk_lines"]
    letter.content_hash = content_hash(letter)
    letter.signed_at = letter.signed_by = letter.signature_png = letter.signed_pdf = None
    letter.signed_hash = letter.pdf_sha256 = ""


def _stamp_revoke(letter: Letter, actor: Any, ctx: dict[str, Any]) -> None:
    letter.revoked_reason = ctx["reason"]


def _check_reason(letter: Letter, actor: Any, ctx: dict[str, Any]) -> None:
    if not (ctx.get("reason") or "").strip():
        raise ValidationError(_("Say why the letter is revoked (the holder changed post, …)."))


def _refusal(letter: Letter, row: Transition | None, action: str) -> str:
    if letter.status == LetterStatus.REVOKED:
        return _("This letter was revoked: it cannot be signed or changed.")
    if action == "sign":
        return _("This letter is already signed.")
    return _("Not possible for this letter now.")


FLOW: Workflow[Letter] = Workflow(
    Letter,
    [
        Transition(
            LetterStatus.ISSUED,
            "sign",
            LetterStatus.SIGNED,
            who=_is_holder,
            guard=_check_content,
            effects=[_stamp_signature],
            label=gettext_lazy("Sign"),
        ),
        Transition(
            [LetterStatus.ISSUED, LetterStatus.SIGNED],
            "amend",
            LetterStatus.ISSUED,
            who="readiness.letters",
            effects=[_stamp_amend],
            label=gettext_lazy("Change the text"),
        ),
        Transition(
            [LetterStatus.ISSUED, LetterStatus.SIGNED],
            "revoke",
            LetterStatus.REVOKED,
            who="readiness.letters",
            guard=_check_reason,
            effects=[_stamp_revoke],
            label=gettext_lazy("Revoke the letter"),
        ),
    ],
    audit_prefix="readiness.letter_",
    audited=("content_hash", "signed_at", "pdf_sha256"),
    lock=True,
    select_related=("organization", "holder"),
    refusal=_refusal,
)


def sign_letter(*, actor: User, letter: Letter, png: bytes) -> Letter:
    """The holder signs with the drawn signature ``png``."""
    FLOW.check(letter, "sign", actor)  # refuse a revoked or someone else's letter before the picture
    return FLOW.move(letter, "sign", actor=actor, png=check_signature(png))


def amend_letter(*, actor: User, letter: Letter, duties: str, note: str = "") -> Letter:
    """Change the duties (and list the risk points again): a signed letter needs a new signature."""
    if not (duties or "").strip():
        raise ValidationError(_("A letter needs its duties."))
    by = _by_for(letter)
    lines = risk_lines(letter.organization, by)
    return FLOW.move(letter, "amend", actor=actor, duties=duties.strip(), risk_lines=lines, note=note)


def _by_for(letter: Letter) -> dict[str, Any]:
    for holder, _issuer, party, by in _holders(letter.template, letter.organization):
        if holder.pk == letter.holder_id and party == letter.holder_party:
            return by
    return {"major": True} if letter.level == LetterLevel.INSTITUTION_HEAD else {"post": None}


def revoke_letter(*, actor: User, letter: Letter, reason: str) -> Letter:
    return FLOW.move(letter, "revoke", actor=actor, reason=(reason or "").strip()[:200], note=reason)


def renew_letter(*, actor: User, letter: Letter, reason: str) -> list[Letter]:
    """Revoke and issue again to whoever now holds the level (a person who changed post)."""
    with transaction.atomic():
        revoke_letter(actor=actor, letter=letter, reason=reason)
        return generate_letters(
            actor=actor, template=letter.template, institution=letter.organization, year=letter.year
        )


def verify(letter: Letter) -> bool:
    """The signed letter is intact: the text is the one signed and the PDF is the one kept."""
    return (
        letter.status == LetterStatus.SIGNED
        and letter.signed_hash == letter.content_hash == content_hash(letter)
        and bool(letter.signed_pdf)
        and sha256(letter.signed_pdf) == letter.pdf_sha256
    )


def tracking(letters) -> dict[str, int]:
    counts = {s.value: 0 for s in LetterStatus}
    for status in letters.values_list("status", flat=True):
        counts[status] += 1
    live = counts[LetterStatus.ISSUED] + counts[LetterStatus.SIGNED]
    counts["live"] = live
    counts["signed_pct"] = round(100 * counts[LetterStatus.SIGNED] / live) if live else 0
    return counts
