"""The field app on a cheap phone (issue 15), at 360×740 with touch: photos are shrunk on the phone
before they leave it, previews can be removed, and the location in EXIF does not reach the server."""

from __future__ import annotations

import io
import random

import pytest
from django.core.files.storage import default_storage
from PIL import Image

from shuangfang.hazards.models import Hazard
from shuangfang.orgs.tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE_740 = {"width": 360, "height": 740}
GPS_IFD = 0x8825


def big_photo(path) -> str:
    """A 4000×3000 camera-like JPEG of about 3 MB carrying a GPS position in its EXIF."""
    rnd = random.Random(15)
    coarse = Image.frombytes("RGB", (160, 120), bytes(rnd.getrandbits(8) for _ in range(160 * 120 * 3)))
    img = Image.blend(
        coarse.resize((4000, 3000), Image.Resampling.BICUBIC),
        Image.effect_noise((4000, 3000), 20).convert("RGB"),
        0.12,
    )
    exif = Image.Exif()
    exif[GPS_IFD] = {1: "N", 2: (30.0, 15.0, 12.0), 3: "E", 4: (120.0, 10.0, 5.0)}
    img.save(path, format="JPEG", quality=92, exif=exif)
    return str(path)


def phone_as(browser, base: str, username: str, errors: list[str]):
    ctx = browser.new_context(
        viewport=PHONE_740, device_scale_factor=2, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    page = ctx.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{base}/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("h1.greeting")
    return ctx, page


def test_a_3_mb_photo_leaves_the_phone_under_400_kb_without_its_location(
    live_server, world, browser, shot, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    photo = big_photo(tmp_path / "IMG_0001.jpg")
    size_on_phone = (tmp_path / "IMG_0001.jpg").stat().st_size
    assert 2_500_000 < size_on_phone < 4_000_000
    errors: list[str] = []
    ctx, page = phone_as(browser, live_server.url, "cook_a", errors)
    sent: list[int] = []
    page.on(
        "request",
        lambda r: (
            sent.append(len(r.post_data_buffer or b""))
            if r.method == "POST" and r.url.endswith("/hazards/report/")
            else None
        ),
    )
    page.goto(f"{live_server.url}/hazards/report/")
    page.set_input_files("input[name=photos]", photo)
    page.wait_for_selector(".photo-preview img")
    # a second photo, then removed again: only one leaves the phone
    page.set_input_files("input[name=photos]", photo)
    page.wait_for_function("() => document.querySelectorAll('.photo-preview').length === 2")
    page.locator(".photo-remove").nth(1).tap()
    assert page.locator(".photo-preview").count() == 1
    assert page.evaluate("document.querySelector('input[name=photos]').files.length") == 1
    page.fill("input[name=location]", "厨房")
    page.fill("textarea[name=description]", "灭火器压力表指针在红区")
    shot(page, "field15-report-photo-prepared")
    page.locator("#report-form button[type=submit]").tap()
    page.wait_for_selector("#hazard-status")
    ctx.close()

    assert len(sent) == 1 and sent[0] < 400_000, f"sent {sent} bytes for a {size_on_phone}-byte photo"
    hazard = Hazard.objects.get()
    assert hazard.photos.count() == 1
    stored = hazard.photos.get()
    with default_storage.open(stored.original) as f:
        data = f.read()
    assert len(data) < 400_000
    with Image.open(io.BytesIO(data)) as img:
        assert max(img.size) == 1600
        assert not img.getexif().get_ifd(GPS_IFD), "the position in EXIF reached the server"
    assert errors == []
