"""Photo evidence on the phone (issue 15), at 360×740 with touch: the phone reads when (and where) a
photo was taken from its EXIF before shrinking it, sends the time, and sends the position only when
the person ticks 保留拍摄位置; the hazard shows 拍摄时间."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from PIL import Image

from shuangfang.hazards.models import Hazard

from .test_field_phone import GPS_IFD, phone_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def camera_photo(path, taken: dt.datetime) -> str:
    """A JPEG as a phone camera writes it: the local time it was taken and a GPS position."""
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif.get_ifd(0x8769)[0x9003] = taken.strftime("%Y:%m:%d %H:%M:%S")
    gps = exif.get_ifd(GPS_IFD)
    gps[1], gps[2], gps[3], gps[4] = "S", (33.0, 51.0, 36.0), "E", (151.0, 12.0, 0.0)
    Image.new("RGB", (2400, 1800), (60, 140, 90)).save(path, format="JPEG", quality=90, exif=exif)
    return str(path)


def report(page, base: str, photo: str, *, keep: bool) -> None:
    page.goto(f"{base}/hazards/report/")
    page.set_input_files("input[name=photos]", photo)
    page.wait_for_selector(".photo-preview img")
    keep_box = page.locator("input[name=keep_location]")
    assert keep_box.is_visible() and not keep_box.is_checked()  # asked, because the photo has a position
    if keep:
        keep_box.tap()
    page.fill("input[name=location]", "锅炉房")
    page.fill("textarea[name=description]", "压力表读数异常")


def test_the_time_a_photo_was_taken_travels_with_it_and_the_place_only_if_allowed(
    live_server, world, browser, shot, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    taken = timezone.localtime().replace(microsecond=0, tzinfo=None) - dt.timedelta(hours=2)
    photo = camera_photo(tmp_path / "IMG_0002.jpg", taken)
    errors: list[str] = []
    ctx, page = phone_as(browser, live_server.url, "cook_a", errors)

    report(page, live_server.url, photo, keep=False)
    shot(page, "field15-photo-evidence-keep-location")
    page.locator("#report-form button[type=submit]").tap()
    page.wait_for_selector("#hazard-status")
    caption = page.locator(".photo-taken").first
    assert "拍摄时间" in caption.inner_text()
    assert taken.strftime("%Y-%m-%d %H:%M") in caption.inner_text()
    assert "," not in caption.inner_text()  # no position shown
    shot(page, "field15-photo-evidence-hazard")
    first = Hazard.objects.get().photos.get()
    assert timezone.localtime(first.taken_at).replace(tzinfo=None) == taken
    assert first.latitude is None and first.longitude is None

    report(page, live_server.url, photo, keep=True)
    page.locator("#report-form button[type=submit]").tap()
    page.wait_for_selector("#hazard-status")
    second = Hazard.objects.order_by("-id").first().photos.get()  # type: ignore[union-attr]
    assert second.taken_at == first.taken_at
    assert (second.latitude, second.longitude) == (Decimal("-33.860000"), Decimal("151.200000"))
    ctx.close()
    assert errors == []
