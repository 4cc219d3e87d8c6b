"""The safety officer scans an extinguisher's QR label on a 360 px phone, logs in, lands on the
item's page, records its monthly check (the inspection task of the extinguishers' monthly plan) and
reports a problem with it; on a desktop the ledger shows the flags and figures."""

import datetime as dt

import pytest
from django.utils import timezone

from shuangfang.equipment import services, video
from shuangfang.equipment.models import MaintenancePlan
from shuangfang.hazards.models import Hazard
from shuangfang.inspections.models import Plan, Record, Task
from shuangfang.inspections.plans import open_windows_now
from shuangfang.orgs.tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def extinguisher(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    from shuangfang.risks import services as risks

    officer = world.users["safety_officer"]
    point = risks.create_risk_point(actor=officer, institution=world.inst_a, name="宿舍楼二层走廊")
    today = timezone.localdate()
    item = services.register_equipment(
        actor=officer,
        organization=world.inst_a,
        kind="extinguisher_powder",
        name="二层走廊灭火器",
        risk_point=point,
        model="MFZ/ABC4",
        supplier="汴州消防器材有限公司",
        manufactured_on=today - dt.timedelta(days=400),
    )
    services.register_equipment(
        actor=officer,
        organization=world.inst_a,
        kind="extinguisher_water",
        name="厨房灭火器",
        manufactured_on=today.replace(year=today.year - 7),
    )
    # The monthly window (1st, 28 days) may be closed on the 29th–31st: this test's copy of the
    # plan covers the whole month, whatever day it runs.
    plan = MaintenancePlan.objects.get(
        organization=world.inst_a, kind="extinguisher_powder", check_code="ext-monthly"
    ).plan
    Plan.objects.filter(pk=plan.pk).update(
        rule={"month_day": 1, "time": "00:00", "window_minutes": 60 * 24 * 32}
    )
    Task.objects.filter(plan=plan).delete()
    plan.refresh_from_db()
    assert item.checkpoint is not None
    open_windows_now(plan, [item.checkpoint])
    rec = video.create_recorder(actor=officer, organization=world.inst_a, name="监控室 NVR", adapter="manual")
    video.create_camera(actor=officer, recorder=rec, channel=1, name="二层走廊", risk_point=point)
    return item


def test_officer_scans_the_label_and_records_the_monthly_check_on_a_phone(
    live_server, world, extinguisher, phone, shot, browser_errors
):
    errors = browser_errors(phone)
    page = phone
    page.goto(f"{live_server.url}{extinguisher.get_absolute_url()}")  # what the QR label holds
    page.fill("input[name=username]", "officer_a")
    page.fill("input[name=password]", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("h1:has-text('二层走廊灭火器')")
    main = page.inner_text("main")
    assert "SB-0001" in main and "干粉灭火器" in main and "报告此设备的问题" in main
    assert "现在要做的检查" in main
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    shot(page, "equipment-phone-item")

    page.click("a.task-card:has-text('月度检查')")
    page.wait_for_selector("#check-form")
    shot(page, "equipment-phone-monthly-check")
    page.click("#all-ok")
    page.click("form#check-form button[type=submit]")
    page.wait_for_selector("text=已提交")
    record = Record.objects.get()
    assert record.task is not None
    assert record.task.checkpoint == extinguisher.checkpoint and record.task.status == "done"
    assert record.items.count() == 4 and record.problem_count == 0

    page.goto(f"{live_server.url}{extinguisher.get_absolute_url()}")
    assert "月度检查" not in page.inner_text(".task-list") if page.locator(".task-list").count() else True
    page.click("a.report-btn")
    page.wait_for_selector("textarea[name=description]")
    assert "二层走廊灭火器" in page.inner_text("main")
    page.fill("textarea[name=description]", "压力表指针在红区")
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (800, 600), (200, 30, 30)).save(buf, format="JPEG")
    page.set_input_files(
        "input[name=photo]", files=[{"name": "g.jpg", "mimeType": "image/jpeg", "buffer": buf.getvalue()}]
    )
    page.wait_for_selector(".photo-btn.has-photo")
    shot(page, "equipment-phone-report")
    page.click("main form button[type=submit]")
    page.wait_for_url("**/hazards/*/")
    hazard = Hazard.objects.get()
    assert (
        hazard.location.startswith("SB-0001 二层走廊灭火器") and hazard.risk_point == extinguisher.risk_point
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert not errors, errors


def test_ledger_on_a_desktop(live_server, world, extinguisher, desktop, shot):
    from tests.e2e.test_foundation_journey import log_in

    log_in(desktop, live_server.url, "officer_a")
    desktop.wait_for_selector("h1.greeting")
    desktop.goto(f"{live_server.url}/equipment/")
    main = desktop.inner_text("main")
    assert "已超过使用年限：应报废" in main and "二层走廊灭火器" in main
    shot(desktop, "equipment-desktop-ledger")
    desktop.goto(f"{live_server.url}/equipment/cameras/")
    assert "二层走廊" in desktop.inner_text("main")
    shot(desktop, "equipment-desktop-cameras")


def test_bureau_sees_the_figures_by_institution_and_english_is_complete(
    live_server, world, extinguisher, desktop, phone, shot
):
    from tests.e2e.test_foundation_journey import log_in

    log_in(desktop, live_server.url, "supervisor")
    desktop.wait_for_selector("h1.greeting")
    desktop.goto(f"{live_server.url}/equipment/")
    desktop.click("details.by-institution summary")
    table = desktop.inner_text("details.by-institution")
    assert world.inst_a.name in table and world.inst_b.name in table
    shot(desktop, "equipment-desktop-bureau")

    log_in(phone, live_server.url, "cook_a")
    phone.wait_for_selector("h1.greeting")
    phone.click("button[name=language][value=en]")
    phone.wait_for_selector("html[lang=en]")
    phone.goto(f"{live_server.url}{extinguisher.get_absolute_url()}")
    main = phone.inner_text("main")
    assert "Dry-powder extinguisher" in main and "Report a problem with this" in main
    assert "Service life" in main and "Maintenance plan" in main and "Monthly check" in main
    assert "使用年限" not in main and "报告此设备的问题" not in main  # the citations stay as written
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    shot(phone, "equipment-phone-item-en")
