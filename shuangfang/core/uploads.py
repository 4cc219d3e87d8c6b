"""Checks for uploaded files: size and real type (by content, not by the name the browser sent)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

IMAGE_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}


def check_size(upload, limit: int | None = None) -> None:
    limit = limit or settings.UPLOAD_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        raise ValidationError(
            _("The file is %(size)s; the limit is %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)}
        )


def check_spreadsheet(upload) -> None:
    check_size(upload)
    head = upload.read(4)
    upload.seek(0)
    if head != b"PK\x03\x04":
        raise ValidationError(_("The file is not an Excel workbook (.xlsx)."))


def check_image(upload, limit: int | None = None) -> str:
    """Returns the image format; raises on anything that is not a JPEG/PNG/WebP/GIF picture."""
    from PIL import Image, UnidentifiedImageError

    check_size(upload, limit)
    try:
        with Image.open(upload) as img:
            fmt = img.format or ""
            img.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError(_("The file is not a picture (JPEG, PNG, WebP or GIF).")) from None
    finally:
        upload.seek(0)
    if fmt not in IMAGE_FORMATS:
        raise ValidationError(_("The file is not a picture (JPEG, PNG, WebP or GIF)."))
    return fmt
