"""Offline capture on a 360×740 phone with touch (issue 15): a snap report and an inspection made
without the network wait in the phone's outbox (IndexedDB) and are sent when the connection
returns, exactly once however often the phone retries (idempotency keys); a queued inspection the
server refuses keeps its answers and photos and can be sent as a snap report instead."""

from __future__ import annotations

import pytest

from shuangfang.hazards.models import Hazard
from shuangfang.inspections.models import Record
from shuangfang.inspections.taskflow import my_tasks_now, sweep_missed

from . import test_field_phone
from .test_field_phone import phone_as, small_photo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
kitchen = test_field_phone.kitchen  # the fixture: a kitchen checklist, checkpoint and hourly plan

CACHE = "shuangfang-shell-v2"


def ready_for_offline(page, base: str, *paths: str) -> None:
    """The home page registered the worker and it has kept the field pages named."""
    page.goto(f"{base}/")
    page.wait_for_function("() => document.documentElement.dataset.sw === 'ready'")
    page.reload()  # the worker now controls the page: it gets the list of pages to keep
    page.wait_for_function("() => document.documentElement.dataset.sw === 'ready'")
    for path in paths:
        for _ in range(100):
            if page.evaluate(
                "([cache, path]) => caches.open(cache).then(c => c.match(path)).then(r => !!r)", [CACHE, path]
            ):
                break
            page.wait_for_timeout(200)
        else:
            raise AssertionError(f"{path} was not kept for offline use")


def lose_answers(page, path: str, times: int) -> list[int]:
    """The first ``times`` POSTs to ``path`` reach the server, but their answers are lost on the
    way back (the phone sees a network error and must retry). Returns the list of attempts."""
    attempts: list[int] = []

    def handle(route):
        if route.request.method != "POST":
            route.continue_()
            return
        attempts.append(1)
        response = route.fetch()
        if len(attempts) <= times:
            route.abort("connectionreset")
        else:
            route.fulfill(response=response)

    page.route(f"**{path}", handle)
    return attempts


def retry_now(page) -> None:
    page.evaluate("() => window.dispatchEvent(new Event('online'))")


def test_offline_snap_report_is_queued_then_sent_once(live_server, world, browser, shot, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    base = live_server.url
    errors: list[str] = []
    ctx, page = phone_as(browser, base, "cook_a", errors)
    ready_for_offline(page, base, "/hazards/report/")
    ctx.set_offline(True)
    taps = 0

    def tap(locator) -> None:
        nonlocal taps
        taps += 1
        locator.tap()

    page.goto(f"{base}/")
    tap(page.locator("a.quick:has-text('上报隐患')"))  # 1. 随手拍, offline: the kept form
    page.wait_for_selector("#report-form")
    with page.expect_file_chooser() as chooser:
        tap(page.locator("input[name=photos]"))  # 2. the shutter
    chooser.value.set_files(small_photo(tmp_path / "snap.jpg", (90, 90, 90)))
    page.wait_for_selector(".photo-preview img")
    page.fill("input[name=location]", "锅炉房")
    tap(page.locator("#report-form button[type=submit]"))  # 3. 上报
    assert taps <= 3
    page.wait_for_selector("#queue-notice")
    assert "联网后自动发送" in page.inner_text("#queue-notice")
    shot(page, "field-offline-snap-kept")
    page.wait_for_selector("#outbox:not([hidden]) .outbox-entry")  # the home page, from the cache
    assert "锅炉房" in page.inner_text("#outbox") and "1 张照片" in page.inner_text("#outbox")
    assert page.inner_text("#outbox-badge b") == "1"
    shot(page, "field-offline-outbox-waiting")
    assert not Hazard.objects.exists()

    attempts = lose_answers(page, "/hazards/report/", times=2)
    ctx.set_offline(False)  # the "online" event sends it; its answer is lost twice
    page.wait_for_function(
        "() => document.querySelectorAll('.outbox-entry').length === 1 && "
        "document.querySelector('.outbox-state').textContent.includes('等待')"
    )
    page.wait_for_function("() => !document.querySelector('.outbox-entry.state-sending')")
    while len(attempts) < 3:
        retry_now(page)
        page.wait_for_timeout(300)
    page.wait_for_selector(".outbox-sent a")
    assert len(attempts) >= 3
    assert page.locator(".outbox-entry").count() == 0
    assert page.locator("#outbox-badge").is_hidden()
    shot(page, "field-offline-outbox-sent")
    hazard = Hazard.objects.get()  # exactly one, however often the phone sent it
    assert hazard.location == "锅炉房" and hazard.photos.count() == 1
    assert hazard.description == "锅炉房：见照片。"
    page.tap(".outbox-sent a")
    page.wait_for_selector("#hazard-status")
    ctx.close()
    assert errors == []


def fill_inspection(page, kitchen, tmp_path) -> dict:
    items = {i.source_ref: str(i.uuid) for i in kitchen["checklist"].items.all()}
    box = page.locator(f"[data-item='{items['C04']}']")
    box.locator("label:has(input[value=problem]) span").tap()
    page.fill(f"input[name='note-{items['C04']}']", "冷藏柜温度 12 度")
    for code in ("C04", "A04", "C03"):
        page.set_input_files(
            f"input[name='photo-{items[code]}']", small_photo(tmp_path / f"{code}.jpg", (40, 90, 40))
        )
        page.locator(f"[data-item='{items[code]}'] .photo-preview img").wait_for()
    page.tap("#all-ok")
    page.locator("form#check-form button[type=submit]").tap()
    return items


def test_offline_inspection_is_queued_then_sent_once(live_server, world, kitchen, browser, shot, tmp_path):
    base = live_server.url
    errors: list[str] = []
    task = my_tasks_now(world.users["staff"]).first()
    cp = kitchen["checkpoint"]
    ctx, page = phone_as(browser, base, "cook_a", errors)
    ready_for_offline(page, base, f"/inspections/tasks/{task.uuid}/", f"/inspections/checkpoints/{cp.uuid}/")
    ctx.set_offline(True)
    page.goto(f"{base}/inspections/checkpoints/{cp.uuid}/")  # the QR code scanned in the basement
    page.wait_for_selector("#check-form")
    fill_inspection(page, kitchen, tmp_path)
    page.wait_for_selector("#outbox:not([hidden]) .outbox-entry")
    assert "3 张照片" in page.inner_text("#outbox")
    assert not Record.objects.exists()

    attempts = lose_answers(page, f"/inspections/tasks/{task.uuid}/", times=1)
    ctx.set_offline(False)
    page.wait_for_function("() => !document.querySelector('.outbox-entry.state-sending')")
    while len(attempts) < 2:
        retry_now(page)
        page.wait_for_timeout(300)
    page.wait_for_selector(".outbox-sent a")
    record = Record.objects.get()
    assert record.problem_count == 1
    assert sum(ri.photos.count() for ri in record.items.all()) == 3
    task.refresh_from_db()
    assert task.status == "done"
    ctx.close()
    assert errors == []


def test_a_refused_queued_inspection_keeps_everything_and_goes_as_a_snap_report(
    live_server,
    world,
    kitchen,
    browser,
    shot,
    tmp_path,
):
    base = live_server.url
    errors: list[str] = []
    task = my_tasks_now(world.users["staff"]).first()
    ctx, page = phone_as(browser, base, "cook_a", errors)
    ready_for_offline(page, base, f"/inspections/tasks/{task.uuid}/")
    ctx.set_offline(True)
    page.goto(f"{base}/inspections/tasks/{task.uuid}/")
    fill_inspection(page, kitchen, tmp_path)
    page.wait_for_selector("#outbox:not([hidden]) .outbox-entry")
    assert sweep_missed(now=task.window_end) >= 1  # the window ended while the phone was in the basement
    ctx.set_offline(False)
    page.wait_for_selector(".outbox-entry.state-refused")
    text = page.inner_text(".outbox-entry")
    assert "未被接受" in text and "漏检" in text and "3 张照片" in text
    shot(page, "field-offline-refused")
    assert not Record.objects.exists()
    page.locator(".outbox-entry button:has-text('改为随手拍上报')").tap()
    page.wait_for_selector(".outbox-sent a")
    assert page.locator(".outbox-entry").count() == 0
    hazard = Hazard.objects.get()
    assert hazard.photos.count() == 3
    assert "冷藏柜温度 12 度" in hazard.description and "检查未能提交" in hazard.description
    assert hazard.location == task.location
    ctx.close()
    assert errors == []
