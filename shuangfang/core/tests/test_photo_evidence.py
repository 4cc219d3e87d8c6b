"""Photo evidence (issue 15): the time a photo was taken is kept, its position only if allowed."""

import datetime as dt
import io
from decimal import Decimal

import pytest
import time_machine
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import QueryDict
from PIL import Image

from shuangfang.core.photos import GPS_IFD, attach_evidence, parse_taken_at, save_photo

NOW = "2026-12-01T03:00:00Z"  # 11:00 in Shanghai


def exif_jpeg(
    taken="2026:12:01 09:30:00", gps=True, offset=None, xmp=False, name="p.jpg"
) -> SimpleUploadedFile:
    img = Image.new("RGB", (400, 300), (40, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    if taken:
        exif.get_ifd(0x8769)[0x9003] = taken
    if offset:
        exif.get_ifd(0x8769)[0x9011] = offset
    if gps:
        g = exif.get_ifd(GPS_IFD)
        g[1], g[2], g[3], g[4] = "N", (31.0, 12.0, 36.0), "E", (121.0, 30.0, 0.0)
    buf = io.BytesIO()
    extra = {"xmp": b'<x:xmpmeta><rdf:Description exif:GPSLatitude="31,12.6N"/></x:xmpmeta>'} if xmp else {}
    img.save(buf, format="JPEG", exif=exif, **extra)
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/jpeg")


def plain_jpeg() -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (300, 200), (200, 30, 30)).save(buf, format="JPEG")
    return SimpleUploadedFile("shrunk.jpg", buf.getvalue(), content_type="image/jpeg")


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    return tmp_path


def stored_exif(name):
    with default_storage.open(name) as fh, Image.open(fh) as img:
        exif = img.getexif()
        return exif, exif.get_ifd(0x8769), exif.get_ifd(GPS_IFD), img.info


def scan(data: bytes) -> bytes:
    return data[data.index(b"\xff\xda") :]


@time_machine.travel(NOW, tick=False)
def test_the_taken_time_is_kept_and_the_position_removed_from_the_original(media):
    upload = exif_jpeg(xmp=True)
    sent = upload.read()
    upload.seek(0)
    stored = save_photo(upload, folder="t")
    assert stored.taken_at == dt.datetime(2026, 12, 1, 1, 30, tzinfo=dt.UTC)  # 09:30 in Shanghai
    assert stored.latitude is None and stored.longitude is None
    exif, sub, gps, info = stored_exif(stored.original)
    assert GPS_IFD not in exif and not gps and "xmp" not in info
    assert sub[0x9003] == "2026:12:01 09:30:00" and exif[0x010F] == "PhoneMaker"  # the rest stays
    with default_storage.open(stored.original) as fh:
        assert scan(fh.read()) == scan(sent)  # the picture itself is not re-encoded


@time_machine.travel(NOW, tick=False)
def test_the_position_stays_when_the_person_allows_it(media):
    stored = save_photo(exif_jpeg(), folder="t", keep_location=True)
    assert (stored.latitude, stored.longitude) == (Decimal("31.210000"), Decimal("121.500000"))
    _exif, _sub, gps, _info = stored_exif(stored.original)
    assert gps[1] == "N"


@time_machine.travel(NOW, tick=False)
def test_a_time_with_its_offset_is_read_with_it(media):
    stored = save_photo(exif_jpeg(taken="2026:12:01 08:00:00", offset="+05:00"), folder="t")
    assert stored.taken_at == dt.datetime(2026, 12, 1, 3, 0, tzinfo=dt.UTC)


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    "taken",
    [
        "2026:12:01 11:30:00",  # half an hour ahead of the server's clock
        "1970:01:01 08:00:00",  # a phone whose clock was reset
        "not a time at all",
        "",
    ],
)
def test_a_time_that_cannot_be_true_is_not_kept_and_the_photo_is(media, taken):
    stored = save_photo(exif_jpeg(taken=taken), folder="t")
    assert stored.taken_at is None
    assert default_storage.exists(stored.original)


@time_machine.travel(NOW, tick=False)
def test_a_few_minutes_of_clock_skew_are_allowed(media):
    assert save_photo(exif_jpeg(taken="2026:12:01 11:05:00"), folder="t").taken_at is not None


@time_machine.travel(NOW, tick=False)
def test_what_the_phone_read_before_shrinking_is_used_for_a_photo_without_exif(media):
    data = QueryDict(mutable=True)
    data.setlist("photos-taken_at", ["2026-12-01T09:30:00", "2027-01-01T00:00:00"])
    data.setlist("photos-latitude", ["31.21", "31.21"])
    data.setlist("photos-longitude", ["121.5", "121.5"])
    first, second = attach_evidence([plain_jpeg(), plain_jpeg()], data, "photos")
    a, b = save_photo(first, folder="t"), save_photo(second, folder="t")
    assert a.taken_at == dt.datetime(2026, 12, 1, 1, 30, tzinfo=dt.UTC)
    assert a.latitude is None  # not allowed: not kept even though it was sent
    assert b.taken_at is None  # in the future
    data["keep_location"] = "on"
    (allowed,) = attach_evidence([plain_jpeg()], data, "photos")
    assert save_photo(allowed, folder="t").latitude == Decimal("31.210000")


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("lat", "lng"),
    [("91", "121.5"), ("31.2", "-181"), ("0", "0"), ("NaN", "1"), ("31.2", ""), ("1e999", "2")],
)
def test_an_impossible_position_is_not_kept(media, lat, lng):
    data = QueryDict(mutable=True)
    data.update({"photos-latitude": lat, "photos-longitude": lng, "keep_location": "1"})
    (upload,) = attach_evidence([plain_jpeg()], data, "photos")
    stored = save_photo(upload, folder="t")
    assert stored.latitude is None and stored.longitude is None


def test_exif_and_iso_times_are_read():
    assert parse_taken_at("2026:12:01 09:30:00\x00") == parse_taken_at("2026-12-01T09:30:00")
    assert parse_taken_at("2026-12-01T09:30:00+08:00") == dt.datetime(2026, 12, 1, 1, 30, tzinfo=dt.UTC)
    assert parse_taken_at("2026-13-45T99:00:00") is None
    assert parse_taken_at("x" * 100) is None
