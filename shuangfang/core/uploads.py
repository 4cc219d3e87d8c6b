"""Checks for uploaded files: size and real type (by content, not by the name the browser sent)."""

from __future__ import annotations

import time
import zipfile
from collections.abc import Iterator
from typing import Any

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
        with Image.open(upload) as img:  # reads the header only: the size is known before decoding
            fmt = img.format or ""
            check_pixels(img.size)
            img.verify()
    except Image.DecompressionBombError:
        raise _too_many_pixels() from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError(_("The file is not a picture (JPEG, PNG, WebP or GIF).")) from None
    finally:
        upload.seek(0)
    if fmt not in IMAGE_FORMATS:
        raise ValidationError(_("The file is not a picture (JPEG, PNG, WebP or GIF)."))
    return fmt


def _too_many_pixels() -> ValidationError:
    return ValidationError(
        _("The picture is larger than %(limit)s megapixels; take or export it at a smaller size.")
        % {"limit": settings.IMAGE_MAX_PIXELS // 1_000_000}
    )


def check_pixels(size: tuple[int, int]) -> None:
    """Refuse a picture above ``IMAGE_MAX_PIXELS`` (a 420 KB PNG can be 12,000 x 12,000 pixels:
    decoding it took 8.6 s and ~430 MB). Called on the header, before anything is decoded."""
    width, height = size
    if width * height > settings.IMAGE_MAX_PIXELS:
        raise _too_many_pixels()


def open_workbook(upload):
    """The workbook of an uploaded .xlsx (read-only), or a translated ``ValidationError``."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    check_spreadsheet(upload)
    try:
        return load_workbook(upload, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError, EOFError, SyntaxError):
        raise ValidationError(_("The file is not an Excel workbook (.xlsx).")) from None


def _too_many_rows(limit: int) -> ValidationError:
    return ValidationError(
        _("The sheet has more than %(n)d rows (blank rows count too). Split it into smaller files.")
        % {"n": limit}
    )


def sheet_rows(ws) -> Iterator[tuple[int, tuple[Any, ...]]]:
    """(row number, values) of every row of a sheet, blank ones included, within the import limits:
    ``IMPORT_MAX_ROWS`` rows below the header and ``IMPORT_MAX_SECONDS`` of reading (an xlsx of 2
    million blank rows held a web worker for a minute). A broken sheet is a ``ValidationError``."""
    limit = settings.IMPORT_MAX_ROWS
    if (ws.max_row or 0) > limit + 1:  # the sheet's own dimension, when it states one
        raise _too_many_rows(limit)
    deadline = time.monotonic() + settings.IMPORT_MAX_SECONDS
    rows = ws.iter_rows(values_only=True)
    n = 0
    while True:
        try:
            values = next(rows)
        except StopIteration:
            return
        except (zipfile.BadZipFile, KeyError, OSError, ValueError, EOFError, SyntaxError):
            raise ValidationError(_("The file is not an Excel workbook (.xlsx).")) from None
        n += 1
        if n > limit + 1:
            raise _too_many_rows(limit)
        if n % 200 == 0 and time.monotonic() > deadline:
            raise ValidationError(
                _("Reading the file took longer than %(s)d seconds. Split it into smaller files.")
                % {"s": settings.IMPORT_MAX_SECONDS}
            )
        yield n, values


PDF_MAGIC = b"%PDF-"


def check_pdf_or_image(upload, limit: int | None = None) -> str:
    """ "PDF" when the file starts like one (its first bytes, not its name), else the picture's
    format (checked as :func:`check_image`); raises on anything else."""
    check_size(upload, limit)
    head = upload.read(len(PDF_MAGIC))
    upload.seek(0)
    if head == PDF_MAGIC:
        return "PDF"
    try:
        return check_image(upload, limit)
    except ValidationError:
        raise ValidationError(_("Upload a PDF or a picture (JPEG, PNG, WebP or GIF).")) from None
