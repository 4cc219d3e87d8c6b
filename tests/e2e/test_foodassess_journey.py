"""The bureau supervisor weighs a food indicator and caps rewards in the scheme (the live sum
counts the new rows), the institution's breakdown shows the food row; a cook takes rice out of
storage on a 360 px phone and sees what is left. Screenshots copied to /tmp/shots-foodassess/."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from shuangfang.assessment.models import ScoringScheme
from shuangfang.food.models import StockMove
from shuangfang.food.tests.helpers import kitchen_a

from .conftest import PHONE
from .test_dashboards_journey import _fresh_content_types, log_in  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
COPY = Path("/tmp/shots-foodassess")


def _snap(shot, page, name: str) -> None:
    path = shot(page, f"foodassess-{name}")
    COPY.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, COPY / path.name)


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], "page overflows at 360 px"


def test_scheme_with_food_indicator_and_caps(
    live_server, world, desktop, phone, shot, browser_errors, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    kitchen_a(world, photos=False)
    errors = browser_errors(desktop)
    log_in(desktop, live_server.url, "supervisor")
    desktop.goto(f"{live_server.url}/assessment/bureaus/{world.bureau.uuid}/scheme/")
    desktop.wait_for_selector("#weight-sum:has-text('100')")
    desktop.wait_for_selector("tr.group th:has-text('食品安全')")
    desktop.fill("input[name=weight_food_samples]", "10")
    desktop.wait_for_selector("#weight-sum.off:has-text('110')")
    desktop.fill("input[name=weight_completion]", "15")
    desktop.wait_for_selector("#weight-sum:has-text('100')")
    desktop.fill("input[name=bonus_cap]", "5")
    desktop.fill("input[name=penalty_cap]", "5")
    desktop.click("button[value=preview]")
    desktop.wait_for_selector("th:has-text('按上述权重')")
    _snap(shot, desktop, "scheme-desktop")
    desktop.click("button[value=save]")
    desktop.wait_for_selector(".msg-success")
    scheme = ScoringScheme.objects.get(is_current=True)
    assert scheme.bonus_cap == Decimal(5)
    assert {r.indicator: r.weight for r in scheme.rules.all()}["food_samples"] == 10

    desktop.goto(f"{live_server.url}/assessment/bureaus/{world.bureau.uuid}/")
    desktop.wait_for_selector("th:has-text('食品按规定留样')")
    _snap(shot, desktop, "table-desktop")
    desktop.goto(f"{live_server.url}/assessment/institutions/{world.inst_a.uuid}/")
    desktop.wait_for_selector("table.breakdown td:has-text('食品按规定留样')")
    _snap(shot, desktop, "breakdown-desktop")
    assert errors == []

    phone_errors = browser_errors(phone)
    log_in(phone, live_server.url, "supervisor")
    phone.goto(f"{live_server.url}/assessment/bureaus/{world.bureau.uuid}/scheme/")
    phone.wait_for_selector("#weight-sum:has-text('100')")
    _fits(phone)
    _snap(shot, phone, "scheme-phone")
    assert phone_errors == []


def test_cook_takes_food_out_of_storage_on_a_phone(
    live_server, world, phone, shot, browser_errors, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    ns = kitchen_a(world, photos=False)
    errors = browser_errors(phone)
    log_in(phone, live_server.url, "cook_a")
    phone.goto(f"{live_server.url}/food/kitchens/{ns.kitchen.uuid}/storage/")
    phone.wait_for_selector("table.stock")
    _fits(phone)
    _snap(shot, phone, "storage-phone")
    phone.click("a:has-text('领用 / 报废')")
    phone.wait_for_selector("input[name=quantity]")
    phone.fill("input[name=quantity]", "30")
    phone.click("main form button.fd-big")
    phone.wait_for_selector("text=仅剩")
    _snap(shot, phone, "stock-refused-phone")
    phone.fill("input[name=quantity]", "5")
    phone.click("main form button.fd-big")
    phone.wait_for_selector(".msg-success")
    phone.wait_for_selector("table.stock td:has-text('20')")
    _snap(shot, phone, "storage-after-phone")
    assert StockMove.objects.get().quantity == Decimal(5)
    # The refused quantity was answered 400 on purpose (the form with its reason).
    assert [e for e in errors if "status of 400" not in e] == []
