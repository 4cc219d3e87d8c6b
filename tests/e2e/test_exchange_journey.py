"""Exchange with the outside (issue 22), looked at in a browser: the regulator upload's log for the
city bureau's administrator (phone and desktop), and an alarm rule citing a major-hazard criterion
set from the rules page on a phone."""

from __future__ import annotations

import pytest
from django.utils import timezone

from shuangfang.monitoring.models import AlarmRule
from shuangfang.orgs.tests.factories import PASSWORD
from shuangfang.webhooks.models import MemUpload

from .conftest import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = "/tmp/shots-criteriax"
DESK = {"width": 1280, "height": 800}


def _as(browser, base: str, username: str, viewport, errors: list[str]):
    ctx = browser.new_context(viewport=viewport, locale="zh-CN", has_touch=viewport == PHONE)
    page = ctx.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{base}/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("h1.greeting")
    return ctx, page


def test_upload_log_and_rule_criterion(live_server, world, browser, settings):
    from django.core.management import call_command

    from shuangfang.monitoring.catalogue import seed_rules

    call_command("load_criteria", verbosity=0)  # a browser test's database starts empty of seeds
    seed_rules(AlarmRule)  # idempotent: the default rules, flushed by an earlier browser test
    world.inst_a.institution_type = "elderly_care"
    world.inst_a.save(update_fields=["institution_type"])
    settings.MEM_UPLOAD_URL = "https://mem.example.gov.cn/api"
    now = timezone.now()
    MemUpload.objects.create(
        entity="object", rank=0, key=str(world.inst_a.uuid), body={"id": "x"}, digest="a", sent_at=now,
        attempts=1, last_code=200, last_answer='{"code":200}',
    )  # fmt: skip
    MemUpload.objects.create(
        entity="hazard", rank=4, key="5f1c0c1e-0000-4000-8000-000000000001", body={"id": "y", "deleted": 1},
        digest="b", attempts=3, last_code=200, last_answer="the answer is not JSON: <html>",
    )  # fmt: skip
    base = live_server.url
    errors: list[str] = []
    for name, viewport in (("phone", PHONE), ("desktop", DESK)):
        ctx, page = _as(browser, base, "admin_a", viewport, errors)
        page.goto(f"{base}/webhooks/mem/")
        assert "mem.example.gov.cn" in page.inner_text("main")
        assert page.inner_text("#count-failing") == "1"
        if viewport == PHONE:
            assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        page.screenshot(path=f"{SHOTS}/{name}-1-mem-log.png", full_page=True)
        ctx.close()
    ctx, page = _as(browser, base, "officer_a", PHONE, errors)
    page.goto(f"{base}/monitoring/rules/")
    row = page.locator("tr", has=page.locator("input[name=code]")).filter(has_text="烟").first
    row.locator("summary", has_text="重大事故隐患判定情形").click()
    row.locator("input[name=code]").fill("elderly-2023-4-2")
    page.screenshot(path=f"{SHOTS}/phone-2-rule-criterion-form.png", full_page=True)
    row.locator("form[action$='/criterion/'] button[type=submit]").click()
    page.wait_for_selector(".rule-criterion")
    assert "elderly-2023-4-2" in page.inner_text(".rule-criterion")
    page.screenshot(path=f"{SHOTS}/phone-3-rule-criterion-saved.png", full_page=True)
    ctx.close()
    assert AlarmRule.objects.get(organization=world.inst_a).criterion_code == "elderly-2023-4-2"
    assert not errors
