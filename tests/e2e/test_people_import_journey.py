"""An institution head imports their staff from Excel on a phone (issue 23): the people list's
从 Excel 导入, the upload, the job's page, 打开 to the initial passwords, shown once."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from shuangfang.orgs.models import User
from shuangfang.orgs.tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_people_import_shows_the_passwords_once(
    live_server, world, phone, shot, browser_errors, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    errors = browser_errors(phone)
    base = live_server.url
    phone.goto(f"{base}/")
    phone.fill("input[name=username]", world.users["institution_head"].username)
    phone.fill("input[name=password]", PASSWORD)
    phone.click("#login-form button[type=submit]")
    phone.wait_for_selector("h1.greeting")

    phone.goto(f"{base}/orgs/people/")
    phone.get_by_role("button", name="从 Excel 导入").click()
    phone.wait_for_selector("input[type=file]")
    shot(phone, "people-import-phone")
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["登录名", "姓名", "手机号", "邮箱", "部门", "角色", "岗位", "有效期至", "初始密码"])
    ws.append(["guard1", "门卫一", "13900000011", "", "", "员工", "", "", ""])
    ws.append(["guard2", "门卫二", "", "", "", "员工", "", "", ""])
    sheet = tmp_path / "people.xlsx"
    buf = io.BytesIO()
    wb.save(buf)
    sheet.write_bytes(buf.getvalue())
    phone.set_input_files("input[type=file]", str(sheet))
    phone.click("form[enctype='multipart/form-data'] button[type=submit]")
    phone.wait_for_selector("text=已导入 2 行。")
    shot(phone, "people-import-done-phone")

    phone.get_by_role("button", name="打开").click()
    phone.wait_for_selector("td.secret")
    shot(phone, "people-import-passwords-phone")
    password = phone.locator("td.secret").first.inner_text().strip()
    assert User.objects.get(username="guard1").check_password(password)
    phone.reload()
    phone.wait_for_selector("h1")
    assert phone.locator("td.secret").count() == 0 and "已经显示过" in phone.content()
    shot(phone, "people-import-passwords-gone-phone")
    assert errors == []
