"""A cook logs in on a phone, sees where they belong, switches to English and back."""

import pytest

from shuangfang.orgs.tests.factories import PASSWORD

from . import helpers

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, base: str, username: str, password: str = PASSWORD) -> None:
    """Submit the login form without waiting for the home page (some journeys expect a refusal)."""
    helpers.log_in(page, base, username, password, wait=False)


def test_staff_logs_in_on_a_phone_sees_their_institution_and_switches_language(
    live_server, world, phone, shot, browser_errors
):
    errors = browser_errors(phone)
    phone.goto(f"{live_server.url}/")
    assert "登录" in phone.content()
    shot(phone, "foundation-phone-login-zh")

    phone.fill("input[name=username]", "cook_a")
    phone.fill("input[name=password]", "wrong password")
    phone.click("#login-form button[type=submit]")
    assert "请输入一个正确的" in phone.inner_text("body")

    log_in(phone, live_server.url, "cook_a")
    phone.wait_for_selector("h1.greeting")
    body = phone.inner_text("body")
    assert "您好" in body
    assert "测试救助站" in body
    assert "后勤科" in body
    assert "员工" in body
    assert "厨师" in body
    # nothing overflows sideways at 360 px
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    shot(phone, "foundation-phone-home-zh")

    phone.click("button[name=language][value=en]")
    phone.wait_for_selector("text=Where you belong")
    assert "Staff" in phone.inner_text("body")
    shot(phone, "foundation-phone-home-en")

    phone.click("button[name=language][value=zh-hans]")
    phone.wait_for_selector("text=我的单位")
    assert not errors, errors


def test_safety_officer_sees_people_on_desktop_but_not_another_institution(live_server, world, desktop, shot):
    log_in(desktop, live_server.url, "officer_a")
    desktop.wait_for_selector("h1.greeting")
    desktop.goto(f"{live_server.url}/orgs/people/")
    text = desktop.inner_text("body")
    assert "cook_a" in text
    assert "head_b" not in text
    shot(desktop, "foundation-desktop-people")
    response = desktop.goto(f"{live_server.url}/orgs/{world.inst_b.uuid}/")
    assert response is not None
    assert response.status == 404
    assert "未找到" in desktop.inner_text("body")
