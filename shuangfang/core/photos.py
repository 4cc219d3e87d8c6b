"""Photos: checked (real type, size), original kept, a resized JPEG copy for display.

``save_photo(upload, folder=...)`` returns a :class:`StoredPhoto` with the storage names of both
files. Apps keep those names on their own model (e.g. a ``HazardPhoto`` row) and serve them through
a scoped view (never a public media URL), so tenancy also covers files.

Evidence (issue 15): when the photo was taken is kept (``StoredPhoto.taken_at``), where it was taken
only if the person allowed it. The time and position come from the file's own EXIF block, or, for a
photo the phone already shrank (which drops EXIF), from what the phone read before shrinking and sent
beside it as form fields (:func:`attach_evidence`). A time in the future or before 2000 (a phone
whose clock was reset) and an impossible position are not evidence and are not kept; the photo is.
Unless the location is allowed, the stored original loses its EXIF position and its XMP block.
"""

from __future__ import annotations

import datetime as dt
import io
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from PIL import Image, ImageOps

from .uploads import check_image

DISPLAY_MAX_PX = 1280
THUMB_MAX_PX = 320
EXT = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}

# How far ahead of the server's clock a phone's clock may be and its time still count as evidence.
CLOCK_SKEW = dt.timedelta(minutes=10)
EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)  # phones whose clock was reset say 1970 or 2000-01-01

EXIF_IFD, GPS_IFD = 0x8769, 0x8825
DATETIME_ORIGINAL, DATETIME_DIGITIZED, OFFSET_TIME_ORIGINAL = 0x9003, 0x9004, 0x9011
MICRO = Decimal("0.000001")


@dataclass(frozen=True)
class Evidence:
    """When and where a photo was taken, as far as it can be trusted (None: not known)."""

    taken_at: dt.datetime | None = None
    latitude: Decimal | None = None
    longitude: Decimal | None = None


@dataclass(frozen=True)
class StoredPhoto:
    original: str
    display: str
    thumb: str
    width: int
    height: int
    taken_at: dt.datetime | None = None
    latitude: Decimal | None = None
    longitude: Decimal | None = None


# --- evidence --------------------------------------------------------------------------------


def parse_taken_at(value: str | None, offset: str | None = None) -> dt.datetime | None:
    """An EXIF time ("2026:12:01 09:30:00") or an ISO one, with its offset if known, else read in
    the current time zone (a camera's clock is local time). None for anything else."""
    text = (value or "").strip().strip("\x00")
    if not text or len(text) > 40:
        return None
    if len(text) >= 19 and text[4] == ":" and text[7] == ":":  # the EXIF form
        text = f"{text[:4]}-{text[5:7]}-{text[8:10]}T{text[11:]}"
    try:
        when = parse_datetime(text)
    except ValueError:
        return None
    if when is None:
        return None
    if timezone.is_naive(when):
        off = (offset or "").strip().strip("\x00")
        parsed = parse_datetime(f"2000-01-01T00:00:00{off}") if off else None
        if parsed is not None and parsed.tzinfo is not None:
            return when.replace(tzinfo=parsed.tzinfo)
        try:
            return timezone.make_aware(when)
        except (ValueError, OverflowError):
            return None
    return when


def trusted_time(when: dt.datetime | None, now: dt.datetime | None = None) -> dt.datetime | None:
    if when is None:
        return None
    now = now or timezone.now()
    return when if EARLIEST <= when <= now + CLOCK_SKEW else None


def _coordinate(value, limit: int) -> Decimal | None:
    try:
        d = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    if not d.is_finite() or abs(d) > limit:
        return None
    return d.quantize(MICRO)


def trusted_position(latitude, longitude) -> tuple[Decimal | None, Decimal | None]:
    """Both coordinates in range, else neither; 0,0 is a receiver without a fix, not a place."""
    if latitude in (None, "") or longitude in (None, ""):
        return None, None
    lat, lng = _coordinate(latitude, 90), _coordinate(longitude, 180)
    if lat is None or lng is None or (lat == 0 and lng == 0):
        return None, None
    return lat, lng


def _degrees(dms, ref) -> float | None:
    try:
        d, m, s = (float(x) for x in dms)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    value = d + m / 60 + s / 3600
    return -value if str(ref).strip("\x00").upper() in ("S", "W") else value


def read_evidence(img: Image.Image) -> Evidence:
    """What the picture's own EXIF block says (not yet checked: see :func:`trusted_time`)."""
    try:
        exif = img.getexif()
        sub = exif.get_ifd(EXIF_IFD)
        gps = exif.get_ifd(GPS_IFD)
    except Exception:  # a broken EXIF block is no evidence, not a broken photo
        return Evidence()
    raw = sub.get(DATETIME_ORIGINAL) or sub.get(DATETIME_DIGITIZED)
    taken = parse_taken_at(raw, sub.get(OFFSET_TIME_ORIGINAL)) if isinstance(raw, str) else None
    lat = _degrees(gps.get(2), gps.get(1, "N")) if gps.get(2) else None
    lng = _degrees(gps.get(4), gps.get(3, "E")) if gps.get(4) else None
    latitude, longitude = trusted_position(lat, lng)
    return Evidence(taken, latitude, longitude)


def attach_evidence(files: Sequence, data, name: str) -> list:
    """Pairs each uploaded file of the form field ``name`` with what the phone read from the
    original before shrinking it (``core/photos.js``): the fields ``<name>-taken_at``,
    ``<name>-latitude`` and ``<name>-longitude``, one value per file in the same order, and the
    form's ``keep_location`` (the person allowed the position). Returns the files."""
    taken = data.getlist(f"{name}-taken_at")
    lats = data.getlist(f"{name}-latitude")
    lngs = data.getlist(f"{name}-longitude")
    keep = (data.get("keep_location") or "").lower() in ("1", "on", "true", "yes")

    def at(values: list, i: int) -> str:
        return values[i] if i < len(values) else ""

    out = list(files)
    for i, upload in enumerate(out):
        lat, lng = trusted_position(at(lats, i), at(lngs, i)) if keep else (None, None)
        upload.photo_evidence = Evidence(parse_taken_at(at(taken, i)), lat, lng)
        upload.keep_location = keep
    return out


def _chosen(own: Evidence, sent: Evidence | None, keep_location: bool) -> Evidence:
    sent = sent or Evidence()
    taken = trusted_time(own.taken_at) or trusted_time(sent.taken_at)
    if not keep_location:
        return Evidence(taken)
    if own.latitude is not None:
        return Evidence(taken, own.latitude, own.longitude)
    return Evidence(taken, *trusted_position(sent.latitude, sent.longitude))


# --- location stripped from the original -----------------------------------------------------

XMP_PREFIXES = (b"http://ns.adobe.com/xap/1.0/\x00", b"http://ns.adobe.com/xmp/extension/\x00")


def _jpeg_without_location(data: bytes, exif: Image.Exif) -> bytes | None:
    """The JPEG with its EXIF block rewritten without the GPS directory and any XMP block dropped
    (XMP can repeat the position); the picture data is copied byte for byte. None if the file's
    structure is not understood (the caller re-encodes instead)."""
    out, i = [data[:2]], 2
    while i + 4 <= len(data):
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if marker == 0xDA:  # start of scan: the picture itself follows, unchanged
            out.append(data[i:])
            return b"".join(out)
        length = int.from_bytes(data[i + 2 : i + 4], "big")
        segment = data[i : i + 2 + length]
        payload = segment[4:]
        if marker == 0xE1 and payload.startswith(b"Exif\x00\x00"):
            block = b"Exif\x00\x00" + exif.tobytes()
            segment = b"\xff\xe1" + (len(block) + 2).to_bytes(2, "big") + block if len(block) < 65533 else b""
        elif marker == 0xE1 and payload.startswith(XMP_PREFIXES):
            segment = b""
        out.append(segment)
        i += 2 + length
    return None


def _without_location(upload, img: Image.Image, fmt: str) -> ContentFile | None:
    """The original without its position, or None when it has none to remove."""
    try:
        exif = img.getexif()
        has_gps = GPS_IFD in exif
        if has_gps:
            exif.get_ifd(EXIF_IFD)  # loaded, so that it is written back
            del exif[GPS_IFD]
    except Exception:
        exif, has_gps = Image.Exif(), True  # unreadable: write none back
    has_xmp = "xmp" in img.info or "XML:com.adobe.xmp" in img.info
    if not has_gps and not has_xmp:
        return None
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    if fmt == "JPEG":
        kept = _jpeg_without_location(data, exif)
        if kept is not None:
            return ContentFile(kept)
    out = io.BytesIO()
    if fmt == "JPEG":
        img.save(out, format="JPEG", quality="keep", exif=exif)
    elif fmt == "PNG":
        img.save(out, format="PNG", exif=exif)
    elif fmt == "WEBP":
        img.save(out, format="WEBP", quality=90, exif=exif)
    else:
        img.save(out, format=fmt)
    return ContentFile(out.getvalue())


# --- storing ---------------------------------------------------------------------------------


def _resized(img: Image.Image, max_px: int) -> bytes:
    copy = img.copy()
    copy.thumbnail((max_px, max_px))
    if copy.mode not in ("RGB", "L"):
        copy = copy.convert("RGB")
    out = io.BytesIO()
    copy.save(out, format="JPEG", quality=82, optimize=True)
    return out.getvalue()


def save_photo(
    upload, *, folder: str, limit: int | None = None, keep_location: bool | None = None
) -> StoredPhoto:
    """Check and store an uploaded picture. Raises ``ValidationError`` for anything else.

    ``keep_location`` (default: what :func:`attach_evidence` recorded, else False): keep the
    position in the stored original and in the result; otherwise it is removed from both."""
    fmt = check_image(upload, limit)
    if keep_location is None:
        keep_location = bool(getattr(upload, "keep_location", False))
    key = uuid.uuid4().hex
    base = f"{folder.strip('/')}/{key[:2]}/{key}"
    upload.seek(0)
    with Image.open(upload) as raw:
        raw.load()  # decoded now: the file is read again below
        evidence = _chosen(read_evidence(raw), getattr(upload, "photo_evidence", None), keep_location)
        stripped = None if keep_location else _without_location(upload, raw, fmt)
        upload.seek(0)
        original = default_storage.save(f"{base}.{EXT[fmt]}", stripped or upload)
        img = ImageOps.exif_transpose(raw)  # phones store rotation in EXIF
        width, height = img.size
        display = default_storage.save(f"{base}-display.jpg", ContentFile(_resized(img, DISPLAY_MAX_PX)))
        thumb = default_storage.save(f"{base}-thumb.jpg", ContentFile(_resized(img, THUMB_MAX_PX)))
    return StoredPhoto(
        original=original,
        display=display,
        thumb=thumb,
        width=width,
        height=height,
        taken_at=evidence.taken_at,
        latitude=evidence.latitude,
        longitude=evidence.longitude,
    )


def delete_photos(names: Iterable[str]) -> None:
    """Delete every file :func:`save_photo` stored for each photo (the original, the display copy
    and the thumbnail), given the name of any of them: an app that keeps only the display name still
    erases the original when the photo must go (retention, PIPL Art. 19)."""
    for name in names:
        if not name:
            continue
        stem, _dot, _ext = name.rpartition(".")
        for suffix in ("-display", "-thumb"):
            stem = stem.removesuffix(suffix)
        originals = [f"{stem}.{ext}" for ext in sorted(set(EXT.values()))]
        for candidate in [*originals, f"{stem}-display.jpg", f"{stem}-thumb.jpg"]:
            if default_storage.exists(candidate):
                default_storage.delete(candidate)


def serve_file(name: str, *, download_name: str | None = None) -> FileResponse:
    """Stream a stored file; call only after the view checked the user may see its owner."""
    if not name or not default_storage.exists(name):
        raise Http404
    response = FileResponse(default_storage.open(name, "rb"), as_attachment=bool(download_name))
    if download_name:
        response["Content-Disposition"] = f'attachment; filename="{download_name}"'
    response["Cache-Control"] = "private, max-age=3600"
    return response
