"""Relief casework in the browser: the reception desk on a tablet (800 × 1280) registers, checks,
keeps items, screens and admits a help-seeker; an escort checks in from a phone (360 px) on the
way home and hands over with a photo of the receipt."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from django.utils import timezone
from PIL import Image

from shuangfang.orgs.tests.factories import PASSWORD
from shuangfang.relief import trips
from shuangfang.relief.models import Case, CheckIn
from shuangfang.relief.tests.helpers import admitted, fake_id

from .conftest import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
TABLET = {"width": 800, "height": 1280}
SHOTS = Path("/tmp/shots/relief")


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _login(browser, base, username, viewport, errors, **ctx_args):
    ctx = browser.new_context(viewport=viewport, device_scale_factor=1, locale="zh-CN", **ctx_args)
    page = ctx.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{base}/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("h1.greeting")
    return ctx, page


def _fits(page, width) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width, f"page overflows at {width} px"


def test_reception_desk_on_a_tablet(live_server, world, browser, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    errors: list[str] = []
    ctx, page = _login(browser, live_server.url, "cook_a", TABLET, errors)
    page.goto(f"{live_server.url}/relief/")
    page.click("#register")
    page.wait_for_selector("#register-form")
    number = fake_id(dt.date(1975, 8, 1), 7)
    page.fill("input[name=name]", "测试接待")
    page.select_option("select[name=sex]", "male")
    page.select_option("select[name=id_type]", "resident_id")
    page.fill("input[name=id_number]", number[:-1] + ("1" if number[-1] != "1" else "2"))  # a typo
    page.fill("input[name=hukou_place]", "虚构省虚构县")
    page.select_option("select[name=escort_unit]", "police")
    page.fill("input[name=escort_detail]", "虚构派出所 民警王某")
    page.click("#register-form button[type=submit]")
    page.wait_for_selector(".field-error")
    assert "校验位" in page.inner_text(".field-error")
    _fits(page, TABLET["width"])
    _shot(page, "reception-1-check-digit")
    page.fill("input[name=id_number]", number)
    page.click("#register-form button[type=submit]")
    page.wait_for_selector("#case-status")
    assert "已登记" in page.inner_text("#case-status")
    assert number not in page.content() and number[:3] in page.inner_text("#id-number")  # masked
    _shot(page, "reception-2-registered")
    # Security check: a phone found, kept with a receipt.
    page.select_option("select[name=check-method]", "both")
    page.select_option("select[name=check-result]", "items")
    page.fill("textarea[name=check-items]", "手机一部")
    page.click("#do-check")
    page.wait_for_selector("#act-screen")
    page.click("summary:has-text('代管物品')")
    page.fill("input[name=item-description]", "手机")
    page.click("#add-item")
    page.wait_for_selector("#items")
    assert "手机" in page.inner_text("#items")
    page.select_option("select[name=screen-health]", "healthy")
    page.click("#do-screen")
    page.wait_for_selector("#act-admit")
    page.fill("input[name=admit-zone]", "男区")
    page.fill("input[name=admit-bed]", "12")
    page.click("#do-admit")
    page.wait_for_function("() => document.querySelector('#case-status').innerText.includes('在站')")
    _fits(page, TABLET["width"])
    _shot(page, "reception-3-admitted")
    assert "物品代管单" in page.inner_text("#documents")
    # The phone goes back to its owner, who signs on the screen.
    page.check("#items input[type=checkbox]")
    box = page.locator("#signature").bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + 30)
    page.mouse.down()
    page.mouse.move(box["x"] + 120, box["y"] + 80, steps=8)
    page.mouse.move(box["x"] + 220, box["y"] + 40, steps=8)
    page.mouse.up()
    _shot(page, "reception-3b-signature")
    page.click("#return-items")
    page.wait_for_function("() => document.querySelector('#items').innerText.includes('已归还')")
    page.goto(f"{live_server.url}/relief/")
    assert "测试接待" in page.inner_text("#still-here + .table-wrap")
    _shot(page, "reception-4-still-here")
    case = Case.objects.get(person__name="测试接待")
    assert case.status == "in_station" and case.items.count() == 1 and case.escort_unit == "police"
    assert case.items.get().return_signature  # drawn on the screen
    assert [e for e in errors if "status of 400" not in e] == []  # the typo answered 400, nothing else
    ctx.close()


def _jpeg(path):
    buf = io.BytesIO()
    Image.new("RGB", (640, 480), (200, 200, 190)).save(buf, format="JPEG")
    path.write_bytes(buf.getvalue())
    return str(path)


def test_escort_checks_in_and_hands_over_on_a_phone(live_server, world, browser, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    from shuangfang.risks.models import AssessmentMethod
    from shuangfang.risks.seed import seed_methods

    seed_methods(AssessmentMethod)  # a transactional test starts without the migration's rows
    staff = world.users["staff"]
    case = admitted(world, name="测试返乡", seq=8)
    trip = trips.prepare(
        actor=staff,
        organization=world.inst_a,
        case_list=[case],
        staff=[staff, world.users["department_head"]],
        destination="虚构县救助管理站",
        route="G4",
        vehicle="豫A·虚构01",
        planned_at=timezone.now(),
        likelihood=2,
        severity=2,
        supplies="药品、饮用水",
    )
    trips.move(trip, "approve", actor=world.users["institution_head"])
    trips.move(trip, "depart", actor=staff)
    errors: list[str] = []
    ctx, page = _login(
        browser,
        live_server.url,
        "cook_a",
        PHONE,
        errors,
        is_mobile=True,
        has_touch=True,
        geolocation={"latitude": 34.7466, "longitude": 113.6254},
        permissions=["geolocation"],
    )
    page.goto(f"{live_server.url}/relief/trips/{trip.uuid}/")
    page.wait_for_selector("#checkin-form")
    _fits(page, PHONE["width"])
    _shot(page, "escort-1-en-route")
    page.fill("input[name=ci-note]", "服务区休息，状态良好")
    page.click("#checkin")
    page.wait_for_selector("#checkins")
    assert "34.7466" in page.inner_text("#checkins")
    row = CheckIn.objects.get()
    assert row.by == staff and row.latitude is not None
    _shot(page, "escort-2-checked-in")
    page.fill("input[name=hand_over-receiving_party]", "虚构县救助管理站 王某")
    page.set_input_files("input[name=hand_over-receipt]", _jpeg(tmp_path / "receipt.jpg"))
    page.click("#do-hand_over")
    page.wait_for_function("() => document.querySelector('#trip-status').innerText.includes('已交接')")
    _fits(page, PHONE["width"])
    _shot(page, "escort-3-handed-over")
    case.refresh_from_db()
    assert case.status == "departed" and case.departure_mode == "escorted"
    assert errors == []
    ctx.close()


def test_bureau_sees_figures_not_names_on_a_desktop(live_server, world, browser):
    admitted(world, name="测试统计", seq=9)
    errors: list[str] = []
    ctx, page = _login(browser, live_server.url, "supervisor", {"width": 1366, "height": 900}, errors)
    page.goto(f"{live_server.url}/relief/statistics/")
    page.wait_for_selector("#figures")
    assert "测试统计" not in page.content()
    _shot(page, "bureau-statistics-desktop")
    assert page.goto(f"{live_server.url}/relief/").status == 404
    assert [e for e in errors if "404" not in e] == []
    ctx.close()
    ctx, page = _login(browser, live_server.url, "cook_a", PHONE, errors, is_mobile=True, has_touch=True)
    page.goto(f"{live_server.url}/relief/")
    page.wait_for_selector("#still-here")
    assert "测试统计" in page.inner_text("#still-here + .table-wrap")
    _shot(page, "staff-still-here-phone")
    ctx.close()
