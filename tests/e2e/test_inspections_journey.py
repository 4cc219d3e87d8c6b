"""A cook scans the kitchen checkpoint's QR code on a phone, logs in, goes through the checklist,
marks one problem with a photo, is told about a missing required photo (nothing lost), submits, and
the problem is recorded and published as ``inspection.problem_found``."""

import io

import pytest
from PIL import Image

from shuangfang.core import events
from shuangfang.inspections import seed
from shuangfang.inspections.checklists import create_checklist, create_checkpoint
from shuangfang.inspections.models import Record, Task
from shuangfang.inspections.plans import create_plan, generate_tasks
from shuangfang.orgs.tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _jpeg() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (1200, 900), (180, 40, 40)).save(buf, format="JPEG")
    return buf.getvalue()


@pytest.fixture
def kitchen(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    seed.load(only_if_missing=True)  # transactional tests flush the migration's seed rows after each test
    officer = world.users["safety_officer"]
    checklist = create_checklist(
        actor=officer,
        organization=world.inst_a,
        name="厨房岗位检查",
        kind="post",
        category="food",
        library_codes=["C03", "C04", "C05", "C06", "A11", "B06", "A04", "A02", "B02", "E01"],
    )
    cp = create_checkpoint(
        actor=officer, organization=world.inst_a, name="厨房", building="综合楼", floor="1层"
    )
    create_plan(
        actor=officer,
        organization=world.inst_a,
        name="厨房每小时检查",
        checklist=checklist,
        frequency="hours",
        rule={"interval_hours": 1},
        assignee_kind="post",
        assignee_post=world.post_a,
        checkpoints=[cp],
    )
    generate_tasks(organizations=[world.inst_a])
    return {"checklist": checklist, "checkpoint": cp}


@pytest.fixture
def problems_published():
    return events.Published("inspection.problem_found", payloads=True)


def test_cook_scans_checks_reports_a_problem_with_a_photo_on_a_phone(
    live_server, world, kitchen, phone, shot, browser_errors, problems_published
):
    errors = browser_errors(phone)
    page = phone
    scan_url = f"{live_server.url}/inspections/checkpoints/{kitchen['checkpoint'].uuid}/"
    page.goto(scan_url)  # the QR code's address; not logged in yet
    page.fill("input[name=username]", "cook_a")
    page.fill("input[name=password]", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("#check-form")
    assert "厨房每小时检查" in page.inner_text("h1")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    shot(page, "inspections-phone-checklist")

    items = {i.source_ref: str(i.uuid) for i in kitchen["checklist"].items.all()}
    photo_input = page.locator(f"[data-item='{items['A04']}'] input[type=file]")
    assert photo_input.get_attribute("capture") == "environment"
    assert photo_input.get_attribute("accept") == "image/*"

    page.click("#all-ok")
    page.click(f"[data-item='{items['C04']}'] label:has(input[value=problem]) span")
    page.fill(f"input[name='note-{items['C04']}']", "冷藏柜温度 12 度")
    page.set_input_files(
        f"input[name='photo-{items['C04']}']",
        files=[{"name": "fridge.jpg", "mimeType": "image/jpeg", "buffer": _jpeg()}],
    )
    page.click("form#check-form button[type=submit]")
    # A04 (extinguishers) requires a photo: refused with a clear message, entries kept
    page.wait_for_selector(".form-errors")
    assert "需要照片" in page.inner_text(f"[data-item='{items['A04']}']")
    assert page.input_value(f"input[name='note-{items['C04']}']") == "冷藏柜温度 12 度"
    assert page.is_checked(f"[data-item='{items['C04']}'] input[value=problem]")
    assert page.is_checked(f"[data-item='{items['C03']}'] input[value=ok]")
    assert not Record.objects.exists()
    shot(page, "inspections-phone-missing-photo")

    photo = {"name": "p.jpg", "mimeType": "image/jpeg", "buffer": _jpeg()}
    page.set_input_files(f"input[name='photo-{items['C04']}']", files=[photo])
    for code in ("A04", "C03"):  # the items that require a photo
        page.set_input_files(f"input[name='photo-{items[code]}']", files=[photo])
    page.click("form#check-form button[type=submit]")
    page.wait_for_selector("text=已提交")
    body = page.inner_text("body")
    assert "有问题" in body and "冷藏柜温度 12 度" in body
    assert page.locator(".photos img").count() == 3
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    shot(page, "inspections-phone-submitted")

    record = Record.objects.get()
    assert record.problem_count == 1 and record.inspector == world.users["staff"]
    assert Task.objects.get(record=record).status == "done"
    assert len(problems_published) == 1
    assert problems_published[0]["origin"] == f"inspection-item:{record.items.get(result='problem').uuid}"
    assert problems_published[0]["photo_names"]

    # Back to the scan address: nothing more is due here now.
    page.goto(scan_url)
    assert "现在没有" in page.inner_text("main")
    assert not errors, errors


def test_officer_sees_the_ledger_with_missed_tasks_on_a_desktop(live_server, world, kitchen, desktop, shot):
    from shuangfang.inspections.models import Task as T
    from tests.e2e.test_foundation_journey import log_in

    T.objects.filter(status="open").update(status="missed")
    log_in(desktop, live_server.url, "officer_a")
    desktop.wait_for_selector("h1.greeting")
    desktop.goto(f"{live_server.url}/inspections/ledger/")
    assert "漏检" in desktop.inner_text("main") and "检查人" in desktop.inner_text("main")
    shot(desktop, "inspections-desktop-ledger")
    desktop.goto(f"{live_server.url}/inspections/plans/new/?template=night_fire_patrol")
    assert desktop.input_value("input[name=interval_hours]") == "2"
    shot(desktop, "inspections-desktop-plan-template")
