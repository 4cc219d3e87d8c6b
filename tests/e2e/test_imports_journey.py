"""The safety officer keeps the duty roster in Excel (issue 23): on a phone and on a desktop they
open the month's roster, download the template, upload a sheet with a mistake, read the row
errors on the job's page, upload the corrected sheet and see the roster follow it. The login page
offers scanning with WeCom and DingTalk when both are configured."""

from __future__ import annotations

import datetime as dt
import io
import shutil
from pathlib import Path

import pytest
from django.utils import timezone
from openpyxl import Workbook

from shuangfang.duty import services as duty
from shuangfang.orgs.tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
COPY = Path("/tmp/shots-deploy2")


def _copy(path: Path) -> None:
    if COPY.is_dir():
        shutil.copy(path, COPY / path.name)


def _sheet(tmp_path, name: str, rows) -> str:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    for row in rows:
        ws.append(row)
    out = tmp_path / name
    buf = io.BytesIO()
    wb.save(buf)
    out.write_bytes(buf.getvalue())
    return str(out)


def _log_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("h1.greeting")


@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_roster_import_journey(live_server, world, request, device, shot, browser_errors, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    page = request.getfixturevalue(device)
    errors = browser_errors(page)
    duty.save_shift(
        actor=world.root,
        organization=world.inst_a,
        members=[world.users["staff"], world.users["department_head"]],
        name="白班",
        start_time=dt.time(8, 0),
        duration_minutes=12 * 60,
        rotation_start=dt.date(2026, 1, 1),
        post=world.post_a,
    )
    base = live_server.url
    _log_in(page, base, world.users["safety_officer"].username)
    first = timezone.localdate().replace(day=1)
    page.goto(f"{base}/duty/institutions/{world.inst_a.uuid}/roster/?month={first:%Y-%m}")
    days = ((first + dt.timedelta(days=32)).replace(day=1) - first).days
    assert page.locator("table.duty-roster tbody tr").count() == days
    _copy(shot(page, f"roster-{device}"))
    page.get_by_role("button", name="从 Excel 导入").click()
    page.wait_for_selector("input[type=file]")
    _copy(shot(page, f"import-{device}"))
    head = world.users["department_head"].name
    bad = _sheet(tmp_path, "bad.xlsx", [["日期", "班次", "值班人"], [first.isoformat(), "夜班", head]])
    page.set_input_files("input[type=file]", bad)
    page.click("form[enctype='multipart/form-data'] button[type=submit]")
    page.wait_for_selector(".ops-bad")
    assert "夜班" in page.content()
    _copy(shot(page, f"import-errors-{device}"))
    good = _sheet(tmp_path, "good.xlsx", [["日期", "班次", "值班人"], [first.isoformat(), "白班", head]])
    page.go_back()
    page.set_input_files("input[type=file]", good)
    page.click("form[enctype='multipart/form-data'] button[type=submit]")
    page.wait_for_selector("text=已导入 1 行。")
    _copy(shot(page, f"import-done-{device}"))
    assert errors == []


def test_login_offers_the_work_apps(live_server, world, phone, shot, settings):
    settings.WECOM_CORP_ID, settings.WECOM_SECRET, settings.WECOM_AGENT_ID = "ww1", "s", "1000002"
    settings.DINGTALK_APP_KEY, settings.DINGTALK_APP_SECRET, settings.DINGTALK_AGENT_ID = "k", "s", "2"
    phone.goto(f"{live_server.url}/login/?workapp=unknown")
    assert phone.get_by_role("button", name="企业微信扫码登录").is_visible()
    assert phone.get_by_role("button", name="钉钉扫码登录").is_visible()
    assert phone.get_by_role("alert").is_visible()  # why the last scan logged nobody in
    _copy(shot(phone, "login-workapps-phone"))
