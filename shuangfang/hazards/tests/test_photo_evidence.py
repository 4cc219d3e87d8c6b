"""Photo evidence on hazards (issue 15): the time a photo was taken is kept and shown, its position
only when the reporter allowed it, and the stored original loses its position otherwise."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
import time_machine
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from shuangfang.core.photos import GPS_IFD
from shuangfang.hazards.models import Hazard

from .conftest import jpeg

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 1, 11, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def camera_jpeg() -> SimpleUploadedFile:
    """A photo as a phone camera writes it: time and GPS position in its EXIF block."""
    exif = Image.Exif()
    exif.get_ifd(0x8769)[0x9003] = "2026:12:01 09:30:00"
    gps = exif.get_ifd(GPS_IFD)
    gps[1], gps[2], gps[3], gps[4] = "N", (31.0, 12.0, 36.0), "E", (121.0, 30.0, 0.0)
    buf = io.BytesIO()
    Image.new("RGB", (320, 240), (90, 90, 200)).save(buf, format="JPEG", exif=exif)
    return SimpleUploadedFile("IMG_0001.jpg", buf.getvalue(), content_type="image/jpeg")


def post_report(client, **extra):
    data = {
        "description": "消防通道堆放杂物",
        "location": "二楼走廊",
        "source": "snap",
        "photos": jpeg(),  # shrunk on the phone: no EXIF left
        **extra,
    }
    return client.post(reverse("hazards:report"), data)


def test_the_time_the_phone_read_is_kept_and_shown_on_the_hazard(world, login):
    client = login(world.users["staff"])
    with time_machine.travel(NOW, tick=False):
        response = post_report(
            client,
            organization=world.inst_a.pk,
            **{
                "photos-taken_at": "2026-12-01T09:30:00",
                "photos-latitude": "31.21",
                "photos-longitude": "121.5",
            },
        )
    assert response.status_code == 302
    photo = Hazard.objects.get().photos.get()
    assert photo.taken_at == NOW - dt.timedelta(minutes=90)
    assert photo.latitude is None  # sent, but the reporter did not allow it
    page = client.get(reverse("hazards:detail", args=[photo.hazard.uuid])).content.decode()
    assert "拍摄时间" in page and "2026-12-01 09:30" in page


def test_the_position_is_kept_when_the_reporter_allows_it(world, login):
    client = login(world.users["staff"])
    with time_machine.travel(NOW, tick=False):
        post_report(
            client,
            organization=world.inst_a.pk,
            keep_location="1",
            **{
                "photos-taken_at": "2026-12-01T09:30:00",
                "photos-latitude": "31.21",
                "photos-longitude": "121.5",
            },
        )
    photo = Hazard.objects.get().photos.get()
    assert (photo.latitude, photo.longitude) == (Decimal("31.210000"), Decimal("121.500000"))
    page = client.get(reverse("hazards:detail", args=[photo.hazard.uuid])).content.decode()
    assert "31.21000, 121.50000" in page


def test_a_future_time_is_not_evidence_and_the_report_is_still_taken(world, login):
    client = login(world.users["staff"])
    with time_machine.travel(NOW, tick=False):
        response = post_report(
            client, organization=world.inst_a.pk, **{"photos-taken_at": "2027-03-01T08:00:00"}
        )
    assert response.status_code == 302
    photo = Hazard.objects.get().photos.get()
    assert photo.taken_at is None
    page = client.get(reverse("hazards:detail", args=[photo.hazard.uuid])).content.decode()
    assert "拍摄时间" not in page


def test_an_original_sent_as_is_loses_its_position_but_keeps_its_time(world, login):
    client = login(world.users["staff"])
    with time_machine.travel(NOW, tick=False):
        post_report(client, organization=world.inst_a.pk, photos=camera_jpeg())
    photo = Hazard.objects.get().photos.get()
    assert photo.taken_at == NOW - dt.timedelta(minutes=90) and photo.latitude is None
    with default_storage.open(photo.original) as fh, Image.open(fh) as img:
        assert GPS_IFD not in img.getexif()
        assert img.getexif().get_ifd(0x8769)[0x9003] == "2026:12:01 09:30:00"


def test_the_api_takes_the_same_fields(world, client):
    from shuangfang.orgs import services as org_services

    _t, raw = org_services.issue_api_token(actor=world.users["staff"], name="t", scope="read_write")
    with time_machine.travel(NOW, tick=False):
        response = client.post(
            "/api/v1/hazards/hazards",
            {
                "institution": str(world.inst_a.uuid),
                "description": "配电箱门未关",
                "photos": [jpeg(), jpeg()],
                "photos-taken_at": ["2026-12-01T09:30:00+08:00", ""],
                "photos-latitude": ["31.21", ""],
                "photos-longitude": ["121.5", ""],
                "keep_location": "true",
            },
            headers={"Authorization": f"Bearer {raw}"},
        )
    assert response.status_code == 201, response.content
    first, second = Hazard.objects.get().photos.order_by("id")
    assert first.taken_at == NOW - dt.timedelta(minutes=90) and first.latitude == Decimal("31.210000")
    assert second.taken_at is None and second.latitude is None
