"""Reporting without an account (issue 15): a visitor scans a QR poster on a 360×740 phone with
touch, sends a photo and a line, gets a follow-up code; the safety officer finds it in the triage
queue marked as public, confirms it into a hazard; the visitor's page then reads "being fixed"."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from PIL import Image
from playwright.sync_api import expect

from shuangfang.hazards.models import Hazard
from shuangfang.orgs.tests.factories import PASSWORD
from shuangfang.publicreports import services
from shuangfang.publicreports.models import Poster, PublicReport

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE_740 = {"width": 360, "height": 740}
DESKTOP_1280 = {"width": 1280, "height": 800}
COPY_TO = Path("/tmp/shots-publicreports")
GPS_IFD = 0x8825


def _shot(shot, page, name: str) -> None:
    path = shot(page, name)
    COPY_TO.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, COPY_TO / path.name)


def camera_photo(path: Path) -> str:
    """A phone photo with a GPS position and a script in its EXIF description."""
    img = Image.radial_gradient("L").resize((1200, 900)).convert("RGB")
    exif = Image.Exif()
    exif[0x010E] = "<script>alert(1)</script>"
    exif[GPS_IFD] = {1: "N", 2: (34.0, 47.0, 50.0), 3: "E", 4: (114.0, 18.0, 26.0)}
    img.save(path, format="JPEG", quality=90, exif=exif.tobytes())
    return str(path)


# long: the journey, read top to bottom: the visitor, the officer, the visitor again, the desk.
def test_a_visitor_reports_from_a_poster_and_follows_it_to_the_officers_queue(
    live_server, world, browser, shot, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    from shuangfang.risks.services import create_risk_point

    officer = world.users["safety_officer"]
    create_risk_point(actor=world.users["admin"], institution=world.inst_a, name="锅炉房")
    services.make_posters(actor=officer, institution=world.inst_a)
    poster = Poster.objects.get(risk_point__name="锅炉房")
    errors: list[str] = []

    # The visitor: no account, a phone with touch, the poster's URL (what the QR code holds).
    visitor_ctx = browser.new_context(
        viewport=PHONE_740, device_scale_factor=2, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    page = visitor_ctx.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{live_server.url}{poster.get_public_url()}")
    assert page.locator("h1").inner_text() == "报告安全隐患"
    assert "测试救助站" in page.content() and "锅炉房" in page.content()
    assert "/accounts/login" not in page.url
    page.set_input_files("input[name=photos]", camera_photo(tmp_path / "IMG_2001.jpg"))
    page.wait_for_selector(".photo-preview img")
    page.fill("textarea[name=text]", "锅炉房门口堆了纸箱，挡住了灭火器")
    _shot(shot, page, "publicreports-phone-1-form")
    page.locator("#public-report button[type=submit]").tap()
    page.wait_for_selector("#follow-code")
    code = page.locator("#follow-code").inner_text().strip()
    assert page.locator("#public-status").get_attribute("data-status") == "received"
    assert "已收到，正在核实" in page.content()
    _shot(shot, page, "publicreports-phone-2-follow-received")
    follow_url = page.url

    report = PublicReport.objects.get()
    assert report.shown_follow_code == code
    stored = report.photos.get()
    with default_storage.open(stored.original) as f:
        data = f.read()
    assert b"<script>" not in data
    with Image.open(io.BytesIO(data)) as img:
        assert not img.getexif(), "EXIF reached the store"

    # The officer, on a phone: "My hazards" points at the public reports waiting.
    officer_ctx = browser.new_context(
        viewport=PHONE_740, device_scale_factor=2, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    desk = officer_ctx.new_page()
    desk.on("pageerror", lambda e: errors.append(str(e)))
    desk.goto(f"{live_server.url}/hazards/mine/")
    desk.fill("input[name=username]", "officer_a")
    desk.fill("input[name=password]", PASSWORD)
    desk.click("#login-form button[type=submit]")
    desk.wait_for_selector(".hz-triage")
    assert "待处理的公众报告" in desk.locator(".hz-triage").inner_text()
    _shot(shot, desk, "publicreports-phone-3-officer-mine")
    desk.locator(".hz-triage a").tap()
    desk.wait_for_selector("#report-cards .hz-card")  # cards on a phone, not the desk's table
    assert "锅炉房" in desk.locator("#report-cards").inner_text()
    # The page's own stylesheet hides the desk's table: waited for, it may come after the cards.
    expect(desk.locator("#list-table .table-wrap")).to_be_hidden()
    _shot(shot, desk, "publicreports-phone-4-queue")
    desk.locator("#report-cards a.hz-card").first.tap()
    desk.wait_for_selector("#report-text")
    assert "公众" in desk.locator("h1").inner_text()
    desk.select_option("select[name=category]", "fire")
    _shot(shot, desk, "publicreports-phone-5-detail")
    desk.locator("form:has(input[name=do][value=confirm]) button[type=submit]").tap()
    desk.wait_for_selector("#report-hazard")
    hazard = Hazard.objects.get()
    assert hazard.origin == f"public-report:{report.uuid}" and hazard.photos.count() == 1
    assert hazard.number in desk.content()

    # The visitor opens the same page again: in plain words, nothing from inside.
    page.goto(follow_url)
    assert page.locator("#public-status").get_attribute("data-status") == "fixing"
    assert "正在整改" in page.content()
    assert hazard.number not in page.content() and "officer_a" not in page.content()
    _shot(shot, page, "publicreports-phone-6-follow-fixing")

    # At a desk: the posters to print.
    wide = browser.new_context(viewport=DESKTOP_1280, locale="zh-CN")
    wide_page = wide.new_page()
    wide_page.goto(f"{live_server.url}/publicreports/posters/")
    wide_page.fill("input[name=username]", "officer_a")
    wide_page.fill("input[name=password]", PASSWORD)
    wide_page.click("#login-form button[type=submit]")
    wide_page.wait_for_selector(".pr-posters")
    _shot(shot, wide_page, "publicreports-desk-posters")
    wide_page.goto(f"{live_server.url}/publicreports/?status=")
    _shot(shot, wide_page, "publicreports-desk-queue")
    for ctx in (visitor_ctx, officer_ctx, wide):
        ctx.close()
    assert errors == []
