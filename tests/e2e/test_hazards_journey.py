"""The closed loop at phone size: staff snaps a hazard → officer confirms and assigns → staff uploads
the after-photo → another officer accepts → the ledger shows it closed."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone
from PIL import Image

from shuangfang.hazards.models import Hazard
from shuangfang.orgs.tests.factories import PASSWORD

from .conftest import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _jpeg(path, color):
    buf = io.BytesIO()
    Image.new("RGB", (800, 600), color).save(buf, format="JPEG")
    path.write_bytes(buf.getvalue())
    return str(path)


def _phone_as(browser, base: str, username: str, errors: list[str]):
    ctx = browser.new_context(
        viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    page = ctx.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{base}/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("h1.greeting")
    return ctx, page


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], "page overflows at 360 px"


def test_snap_assign_fix_accept_ledger(live_server, world, browser, shot, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    base = live_server.url
    errors: list[str] = []

    # 1. The cook snaps a hazard from the home page: photo, place, one line, submit.
    ctx, cook = _phone_as(browser, base, "cook_a", errors)
    cook.click("a.quick:has-text('上报隐患')")
    cook.wait_for_selector("#report-form")
    _fits(cook)
    shot(cook, "hazards-1-report-empty")
    cook.set_input_files("input[name=photos]", _jpeg(tmp_path / "before.jpg", (180, 60, 40)))
    cook.fill("input[name=location]", "厨房")
    cook.fill("textarea[name=description]", "灭火器压力表指针在红区")
    shot(cook, "hazards-1-report-filled")
    cook.click("#report-form button[type=submit]")
    cook.wait_for_selector("#hazard-status")
    year = timezone.localdate().year
    assert f"YH-{year}-0001" in cook.inner_text("h1")
    assert "待确认" in cook.inner_text("#hazard-status")
    _fits(cook)
    shot(cook, "hazards-1-reported")
    hazard = Hazard.objects.get()
    assert hazard.photos.count() == 1 and hazard.reporter_id == world.users["staff"].pk

    # 2. The safety officer confirms it and assigns rectification to the cook.
    octx, officer = _phone_as(browser, base, "officer_a", errors)
    officer.goto(f"{base}/hazards/mine/")
    officer.click("#queue-confirm a.hz-card")
    officer.click("#moves a:has-text('确认并限期整改')")
    officer.wait_for_selector("#move-form")
    officer.select_option("select[name=category]", "fire")
    officer.select_option("select[name=responsible]", label="cook_a")
    officer.fill("textarea[name=measures]", "更换灭火器并登记")
    # a deadline in the past is refused with a reason, and nothing changes
    officer.fill("input[name=deadline]", (timezone.localdate() - dt.timedelta(days=1)).isoformat())
    officer.click("#move-form button[type=submit]")
    officer.wait_for_selector(".form-errors")
    assert "期限不能早于今天" in officer.inner_text(".form-errors")
    shot(officer, "hazards-2-assign-refused")
    officer.fill("input[name=deadline]", (timezone.localdate() + dt.timedelta(days=3)).isoformat())
    _fits(officer)
    officer.click("#move-form button[type=submit]")
    officer.wait_for_selector("#hazard-status")
    assert "整改中" in officer.inner_text("#hazard-status")
    shot(officer, "hazards-2-assigned")

    # 3. The cook sees it under "my hazards", uploads the after-photo and submits for acceptance.
    cook.goto(f"{base}/hazards/mine/")
    assert "灭火器" in cook.inner_text("#my-rectify")
    shot(cook, "hazards-3-my-hazards")
    cook.click("#my-rectify a.hz-card")
    cook.click("#moves a:has-text('提交验收')")
    cook.wait_for_selector("#move-form")
    cook.set_input_files("input[name=photos]", _jpeg(tmp_path / "after.jpg", (40, 140, 60)))
    cook.fill("textarea[name=fix_note]", "已更换新灭火器")
    shot(cook, "hazards-3-submit")
    cook.click("#move-form button[type=submit]")
    cook.wait_for_selector("#my-waiting")
    hazard.refresh_from_db()
    assert hazard.status == "pending_acceptance" and hazard.fixed_by_id == world.users["staff"].pk

    # 4. Another officer (the head) accepts it; the cook, who fixed it, has no accept button.
    cook.goto(f"{base}/hazards/{hazard.uuid}/")
    assert "验收销号" not in cook.inner_text("body")
    hctx, head = _phone_as(browser, base, "head_a", errors)
    head.goto(f"{base}/hazards/mine/")
    head.click("#queue-accept a.hz-card")
    shot(head, "hazards-4-to-accept")
    head.click("#moves a:has-text('验收销号')")
    head.fill("textarea[name=note]", "现场复查合格")
    # 四个不放过: not fixed on the spot, so the cause and the measures against it are written down.
    head.fill("[name=cause]", "灭火器未按期检查")
    head.fill("[name=preventive_measures]", "每月巡查时核对压力表并登记")
    head.click("#move-form button[type=submit]")
    head.wait_for_selector("#hazard-status")
    assert "已销号" in head.inner_text("#hazard-status")
    timeline = head.inner_text("#timeline")
    for step in ("已上报", "确认并限期整改", "提交验收", "验收销号"):
        assert step in timeline
    _fits(head)
    shot(head, "hazards-4-closed")

    # 5. The ledger shows it closed.
    officer.goto(f"{base}/hazards/?status=closed")
    table = officer.inner_text("#list-table")
    assert f"YH-{year}-0001" in table and "已销号" in table
    shot(officer, "hazards-5-ledger")
    assert not errors, errors
    for c in (ctx, octx, hctx):
        c.close()
