"""The field app on a cheap phone (issue 15), at 360×740 with touch: photos are shrunk on the phone
before they leave it, previews can be removed, and the location in EXIF does not reach the server."""

from __future__ import annotations

import io
import random

import pytest
from django.core.files.storage import default_storage
from django.core.signals import request_started
from django.test import Client
from PIL import Image

from shuangfang.hazards.models import Hazard
from shuangfang.inspections import seed
from shuangfang.inspections.checklists import create_checklist, create_checkpoint
from shuangfang.inspections.models import Record
from shuangfang.inspections.plans import create_plan, generate_tasks
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
    received: list[int] = []  # Content-Length of each report POST, as the server got it

    def on_request(sender, environ=None, **kwargs):
        if (
            environ
            and environ.get("REQUEST_METHOD") == "POST"
            and environ.get("PATH_INFO") == "/hazards/report/"
        ):
            received.append(int(environ.get("CONTENT_LENGTH") or 0))

    request_started.connect(on_request, weak=False)
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
    request_started.disconnect(on_request)
    assert len(received) == 1
    body = received[0]
    print(f"photo on the phone: {size_on_phone} bytes; request body sent: {body} bytes")
    assert 10_000 < body < 400_000, f"sent {body} bytes for a {size_on_phone}-byte photo"
    ctx.close()

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


@pytest.fixture
def kitchen(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    seed.load(only_if_missing=True)  # transactional tests flush the migration's seed rows
    officer = world.users["safety_officer"]
    checklist = create_checklist(
        actor=officer,
        organization=world.inst_a,
        name="厨房岗位检查",
        kind="post",
        category="food",
        library_codes=["C03", "C04", "A04", "B06"],
    )
    cp = create_checkpoint(
        actor=officer, organization=world.inst_a, name="厨房", building="综合楼", floor="1层"
    )
    create_plan(
        actor=officer,
        organization=world.inst_a,
        name="厨房每小时检查",
        checklist=checklist,
        frequency="hours",
        rule={"interval_hours": 1},
        assignee_kind="post",
        assignee_post=world.post_a,
        checkpoints=[cp],
    )
    generate_tasks(organizations=[world.inst_a])
    return {"checklist": checklist, "checkpoint": cp}


def small_photo(path, color) -> str:
    Image.new("RGB", (1200, 900), color).save(path, format="JPEG")
    return str(path)


def test_a_refused_inspection_keeps_every_answer_and_photo(
    live_server, world, kitchen, browser, shot, tmp_path
):
    errors: list[str] = []
    ctx, page = phone_as(browser, live_server.url, "cook_a", errors)
    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    page.goto(f"{live_server.url}/inspections/checkpoints/{kitchen['checkpoint'].uuid}/")
    page.wait_for_selector("#check-form")
    items = {i.source_ref: str(i.uuid) for i in kitchen["checklist"].items.all()}
    needs_photo = {
        code for code, uuid in items.items() if kitchen["checklist"].items.get(uuid=uuid).requires_photo
    }
    assert {"A04", "C03"} <= needs_photo and "C04" not in needs_photo

    def item(code: str):
        return page.locator(f"[data-item='{items[code]}']")

    # before anything is submitted, the items that need a photo say so, even when OK
    for code in needs_photo:
        assert "正常也要拍" in item(code).inner_text()
    assert "正常也要拍" not in item("C04").inner_text()
    # "什么问题？" only under an item marked as a problem
    note = page.locator(f"input[name='note-{items['C04']}']")
    assert not note.is_visible()
    item("C04").locator("label:has(input[value=problem]) span").tap()
    assert note.is_visible()
    assert not page.locator(f"input[name='note-{items['B06']}']").is_visible()
    note.fill("冷藏柜温度 12 度")
    page.set_input_files(
        f"input[name='photo-{items['C04']}']", small_photo(tmp_path / "f.jpg", (200, 40, 40))
    )
    page.set_input_files(
        f"input[name='photo-{items['A04']}']", small_photo(tmp_path / "e.jpg", (40, 40, 200))
    )
    item("A04").locator(".photo-preview img").wait_for()
    page.tap("#all-ok")
    page.locator("form#check-form button[type=submit]").tap()

    # C03 needs a photo: refused on the phone, nothing sent, everything kept
    page.wait_for_selector("#check-errors:not([hidden])")
    assert "此项需要照片" in item("C03").inner_text()
    assert posts == []
    assert page.input_value(f"input[name='note-{items['C04']}']") == "冷藏柜温度 12 度"
    assert page.is_checked(f"[data-item='{items['C04']}'] input[value=problem]")
    assert page.is_checked(f"[data-item='{items['B06']}'] input[value=ok]")
    for code in ("C04", "A04"):
        assert item(code).locator("input[type=file]").evaluate("i => i.files.length") == 1
        assert item(code).locator(".photo-preview img").count() == 1
    shot(page, "field15-inspection-refused-keeps-photos")

    page.set_input_files(
        f"input[name='photo-{items['C03']}']", small_photo(tmp_path / "c.jpg", (40, 160, 40))
    )
    item("C03").locator(".photo-preview img").wait_for()
    assert item("C03").locator(".item-error").is_hidden()
    page.locator("form#check-form button[type=submit]").tap()
    page.wait_for_selector("text=已提交")
    record = Record.objects.get()
    assert record.problem_count == 1
    assert sum(ri.photos.count() for ri in record.items.all()) == 3
    ctx.close()
    assert errors == []


def test_the_app_installs_manifest_icons_and_service_worker(live_server, world, browser, tmp_path):
    base = live_server.url
    errors: list[str] = []
    ctx, page = phone_as(browser, base, "cook_a", errors)
    href = page.get_attribute("link[rel=manifest]", "href")
    manifest = page.request.get(f"{base}{href}")
    assert manifest.ok and manifest.headers["content-type"] == "application/manifest+json"
    data = manifest.json()
    assert data["start_url"] == "/" and data["display"] == "standalone" and data["scope"] == "/"
    assert data["name"] and data["short_name"]
    sizes = set()
    for icon in data["icons"]:
        got = page.request.get(f"{base}{icon['src']}")
        assert got.ok and got.headers["content-type"] == "image/png"
        with Image.open(io.BytesIO(got.body())) as img:
            assert f"{img.width}x{img.height}" == icon["sizes"]
        sizes.add(icon["sizes"])
    assert {"192x192", "512x512"} <= sizes

    for path in ("/sw.js", href):  # the login page registers the worker too: no login asked
        assert Client().get(path).status_code == 200
    worker = page.request.get(f"{base}/sw.js")
    assert worker.ok and worker.headers["content-type"].startswith("text/javascript")
    # the page registered the worker for the whole site, and it keeps the shell's static files
    page.wait_for_function("() => document.documentElement.dataset.sw === 'ready'")
    scope = page.evaluate("navigator.serviceWorker.getRegistration().then(r => r && r.scope)")
    assert scope == f"{base}/"
    page.wait_for_function(
        "() => caches.open('shuangfang-shell-v2').then(c => c.keys()).then(k => "
        "k.some(r => r.url.endsWith('/static/core/app.css')))"
    )
    # offline, the home screen icon still opens the home page (the start URL)
    page.reload()
    page.wait_for_selector("h1.greeting")
    ctx.set_offline(True)
    page.goto(f"{base}/")
    assert page.locator("h1.greeting").is_visible()
    ctx.set_offline(False)
    ctx.close()
    assert errors == []


def test_snap_report_in_three_taps_with_the_place_of_the_last_scan(
    live_server, world, kitchen, browser, shot, tmp_path
):
    base = live_server.url
    errors: list[str] = []
    ctx, page = phone_as(browser, base, "cook_a", errors)
    page.goto(
        f"{base}/inspections/checkpoints/{kitchen['checkpoint'].uuid}/"
    )  # scanned the kitchen's QR code
    place = page.get_attribute("[data-remember-place]", "data-remember-place")
    assert place and "厨房" in place
    page.goto(f"{base}/")  # later: the app opened from the home screen
    page.wait_for_selector("h1.greeting")
    taps = 0

    def tap(locator) -> None:
        nonlocal taps
        taps += 1
        locator.tap()

    tap(page.locator("a.quick:has-text('上报隐患')"))  # 1. 随手拍
    page.wait_for_selector("#report-form")
    with page.expect_file_chooser() as chooser:
        tap(page.locator("input[name=photos]"))  # 2. the shutter
    chooser.value.set_files(small_photo(tmp_path / "snap.jpg", (90, 90, 90)))
    page.wait_for_selector(".photo-preview img")
    assert page.input_value("input[name=location]") == place
    shot(page, "field15-snap-3-taps")
    tap(page.locator("#report-form button[type=submit]"))  # 3. 上报
    page.wait_for_selector("#hazard-status")
    assert taps <= 3, f"the snap report took {taps} taps"
    hazard = Hazard.objects.get()
    assert hazard.location == place and hazard.photos.count() == 1
    assert hazard.description == f"{place}：见照片。"
    ctx.close()
    assert errors == []
