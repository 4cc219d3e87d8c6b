"""The criteria library and the self-check at phone size, a criterion hazard and the webhook log at
desktop size (issue 22): incomplete standards say so, the self-check files a major hazard that shows
the criterion's text and source."""

from __future__ import annotations

import pytest

from shuangfang.core import outbox
from shuangfang.criteria.models import Standard
from shuangfang.hazards.models import Hazard
from shuangfang.orgs.tests.factories import PASSWORD

from .conftest import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = "/tmp/shots/criteria22"


def _as(browser, base: str, username: str, viewport, errors: list[str]):
    ctx = browser.new_context(viewport=viewport, locale="zh-CN")
    page = ctx.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{base}/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("h1.greeting")
    return ctx, page


def _snap(page, name: str) -> None:
    page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def test_library_selfcheck_and_hazard(live_server, world, browser):
    from django.core.management import call_command

    call_command("load_criteria", verbosity=0)  # a browser test's database starts empty of seeds
    world.inst_a.institution_type = "elderly_care"
    world.inst_a.save(update_fields=["institution_type"])
    base = live_server.url
    errors: list[str] = []
    ctx, page = _as(browser, base, "officer_a", PHONE, errors)
    page.goto(f"{base}/criteria/")
    assert "不完整" in page.inner_text("main")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    _snap(page, "phone-1-library")
    page.goto(f"{base}{Standard.objects.get(code='elderly-2023').get_absolute_url()}")
    _snap(page, "phone-2-standard")
    page.goto(f"{base}/criteria/selfchecks/new/")
    for radio in page.query_selector_all("input[type=radio][value=no]"):
        radio.check()
    page.check("fieldset:has(code:text('elderly-2023-4-2')) input[value=yes]")
    page.fill("fieldset:has(code:text('elderly-2023-4-2')) textarea", "消防验收不合格，未整改")
    _snap(page, "phone-3-selfcheck")
    page.click("main form button[type=submit]")
    page.wait_for_selector("text=发现的情形数")
    _snap(page, "phone-4-selfcheck-done")
    ctx.close()
    outbox.drain()
    hazard = Hazard.objects.get()
    ctx, page = _as(browser, base, "officer_a", {"width": 1280, "height": 900}, errors)
    page.goto(f"{base}{hazard.get_absolute_url()}")
    assert "经住房城乡建设、消防等部门检查" in page.inner_text("#hazard-criterion")
    _snap(page, "desktop-5-hazard-criterion")
    ctx.close()
    # On a phone the criterion's long source URLs wrap: the page does not run off the screen.
    ctx, page = _as(browser, base, "officer_a", PHONE, errors)
    page.goto(f"{base}{hazard.get_absolute_url()}")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    _snap(page, "phone-5-hazard-criterion")
    ctx.close()
    ctx, page = _as(browser, base, "officer_a", {"width": 1280, "height": 900}, errors)
    page.goto(f"{base}/criteria/")
    _snap(page, "desktop-6-library")
    ctx.close()
    ctx, page = _as(browser, base, "supervisor", {"width": 1280, "height": 900}, errors)
    page.goto(f"{base}/criteria/selfchecks/")
    _snap(page, "desktop-7-bureau-overview")
    ctx.close()
    assert not errors
