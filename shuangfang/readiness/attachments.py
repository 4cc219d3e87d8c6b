"""Drill photos and training materials as files: a drill's photos are pictures
(``core.photos.save_photo``: real type, size, a resized copy), a session's materials are PDFs (known
by their first bytes) or pictures (``core.uploads.check_pdf_or_image``). Stored by name under the
institution's folder and served only by ``views.files.attachment`` after the scope check."""

from __future__ import annotations

import uuid as uuid_lib

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _

from shuangfang.core import audit
from shuangfang.core.limits import check_length, max_chars
from shuangfang.core.photos import save_photo
from shuangfang.core.tenancy import require
from shuangfang.core.uploads import check_pdf_or_image
from shuangfang.orgs.models import User

from .choices import DrillStatus
from .models import Attachment, Drill, Session

# At most this many files on one drill or session (a product choice: enough for a drill's
# stages, not an album).
MAX_FILES = 30


def _title(title: str, upload) -> str:
    text = (title or "").strip() or str(getattr(upload, "name", "") or "")[:120]
    check_length(_("title"), text, max_chars(Attachment, "title"))
    return text


def _room(qs) -> None:
    if qs.count() >= MAX_FILES:
        raise ValidationError(_("At most %(n)d files can be attached here.") % {"n": MAX_FILES})


@transaction.atomic
def add_drill_photo(*, actor: User, drill: Drill, upload, title: str = "") -> Attachment:
    """A photo of the drill (not of a cancelled one)."""
    require(actor, "readiness.manage", drill.organization)
    if drill.status == DrillStatus.CANCELLED:
        raise ValidationError(_("The drill was cancelled: no photos can be added."))
    text = _title(title, upload)
    _room(Attachment.objects.filter(drill=drill))
    stored = save_photo(upload, folder=f"readiness/{drill.organization_id}")
    att = Attachment.objects.create(
        organization=drill.organization,
        drill=drill,
        title=text,
        stored_name=stored.original,
        display=stored.display,
        thumb=stored.thumb,
        uploaded_by=actor,
    )
    _audit(actor, att, drill)
    return att


@transaction.atomic
def add_session_material(*, actor: User, session: Session, upload, title: str = "") -> Attachment:
    """A material of the training session: a PDF or a picture."""
    require(actor, "readiness.manage", session.organization)
    text = _title(title, upload)
    _room(Attachment.objects.filter(session=session))
    fmt = check_pdf_or_image(upload)
    if fmt == "PDF":
        key = uuid_lib.uuid4().hex
        upload.seek(0)
        name = default_storage.save(
            f"readiness/{session.organization_id}/{key[:2]}/{key}.pdf", ContentFile(upload.read())
        )
        att = Attachment.objects.create(
            organization=session.organization,
            session=session,
            title=text,
            stored_name=name,
            is_pdf=True,
            uploaded_by=actor,
        )
    else:
        stored = save_photo(upload, folder=f"readiness/{session.organization_id}")
        att = Attachment.objects.create(
            organization=session.organization,
            session=session,
            title=text,
            stored_name=stored.original,
            display=stored.display,
            thumb=stored.thumb,
            uploaded_by=actor,
        )
    _audit(actor, att, session)
    return att


def _audit(actor: User, att: Attachment, owner) -> None:
    audit.record(
        actor=actor,
        action="readiness.attachment_add",
        obj=owner,
        organization=att.organization,
        after={"title": att.title},
    )
