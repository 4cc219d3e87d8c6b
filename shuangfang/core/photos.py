"""Photos: checked (real type, size), original kept, a resized JPEG copy for display.

``save_photo(upload, folder=...)`` returns a :class:`StoredPhoto` with the storage names of both
files. Apps keep those names on their own model (e.g. a ``HazardPhoto`` row) and serve them through
a scoped view (never a public media URL), so tenancy also covers files.
"""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from PIL import Image, ImageOps

from .uploads import check_image

DISPLAY_MAX_PX = 1280
THUMB_MAX_PX = 320
EXT = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}


@dataclass(frozen=True)
class StoredPhoto:
    original: str
    display: str
    thumb: str
    width: int
    height: int


def _resized(img: Image.Image, max_px: int) -> bytes:
    copy = img.copy()
    copy.thumbnail((max_px, max_px))
    if copy.mode not in ("RGB", "L"):
        copy = copy.convert("RGB")
    out = io.BytesIO()
    copy.save(out, format="JPEG", quality=82, optimize=True)
    return out.getvalue()


def save_photo(upload, *, folder: str, limit: int | None = None) -> StoredPhoto:
    """Check and store an uploaded picture. Raises ``ValidationError`` for anything else."""
    fmt = check_image(upload, limit)
    key = uuid.uuid4().hex
    base = f"{folder.strip('/')}/{key[:2]}/{key}"
    upload.seek(0)
    original = default_storage.save(f"{base}.{EXT[fmt]}", upload)
    upload.seek(0)
    with Image.open(upload) as raw:
        img = ImageOps.exif_transpose(raw)  # phones store rotation in EXIF
        width, height = img.size
        display = default_storage.save(f"{base}-display.jpg", ContentFile(_resized(img, DISPLAY_MAX_PX)))
        thumb = default_storage.save(f"{base}-thumb.jpg", ContentFile(_resized(img, THUMB_MAX_PX)))
    return StoredPhoto(original=original, display=display, thumb=thumb, width=width, height=height)


def serve_file(name: str, *, download_name: str | None = None) -> FileResponse:
    """Stream a stored file; call only after the view checked the user may see its owner."""
    if not name or not default_storage.exists(name):
        raise Http404
    response = FileResponse(default_storage.open(name, "rb"), as_attachment=bool(download_name))
    if download_name:
        response["Content-Disposition"] = f'attachment; filename="{download_name}"'
    response["Cache-Control"] = "private, max-age=3600"
    return response
