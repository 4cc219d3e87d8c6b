"""A safety officer records a risk point with an LEC assessment and finds it on the four-colour map
in the right colour; the live page and the map also read on a phone."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from shuangfang.risks import services
from shuangfang.risks.models import AssessmentMethod, LibraryEntry, RiskPoint
from shuangfang.risks.seed import seed_library, seed_methods

from .helpers import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def seeded(db):
    """Transactional tests that ran before flushed the rows the data migration seeded: load them again."""
    seed_methods(AssessmentMethod)
    seed_library(LibraryEntry)


def _plan() -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (800, 500), (245, 245, 240)).save(buf, format="PNG")
    return SimpleUploadedFile("plan.png", buf.getvalue(), content_type="image/png")


def test_officer_adds_a_risk_point_with_lec_and_sees_it_red_on_the_map(
    live_server, world, seeded, desktop, phone, shot, browser_errors, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    floor = services.create_floor(
        actor=world.users["safety_officer"],
        institution=world.inst_a,
        building="综合楼",
        name="1F",
        plan=_plan(),
    )
    errors = browser_errors(desktop)
    base = live_server.url
    log_in(desktop, base, "officer_a")

    desktop.goto(f"{base}/risks/points/new/")
    desktop.fill("input[name=name]", "配电室")
    desktop.select_option("select[name=kind]", "place")
    desktop.select_option("select[name=floor]", label="综合楼 1F")
    desktop.click("main form button[type=submit]")
    desktop.wait_for_selector("#point-title")
    assert "FX-0001 配电室" in desktop.inner_text("#point-title")

    desktop.click("a[href$='/factors/new/']")
    desktop.fill("input[name=description]", "电气线路老化、过载")
    desktop.select_option("select[name=factor_class]", "things")
    desktop.check("input[value=火灾]")
    desktop.click("main form button[type=submit]")
    desktop.wait_for_load_state()
    shot(desktop, "risks-desktop-factor-submitted")
    desktop.wait_for_selector("#assess-form")
    desktop.click("a[href*='method=lec']")
    desktop.wait_for_selector("text=完全可以预料")
    desktop.check("input[name=scale_L][value='6']")
    desktop.check("input[name=scale_E][value='6']")
    desktop.check("input[name=scale_C][value='15']")
    assert desktop.inner_text("#score") == "540"
    assert "重大风险" in desktop.inner_text("#level")
    shot(desktop, "risks-desktop-assess-lec")
    desktop.click("#assess-form button[type=submit]")
    desktop.wait_for_selector("#point-title")
    assert "重大风险" in desktop.inner_text("body")
    shot(desktop, "risks-desktop-point")

    desktop.goto(f"{base}/risks/map/{floor.uuid}/")
    point = RiskPoint.objects.get(organization=world.inst_a, name="配电室")
    desktop.select_option("#place-point", value=str(point.uuid))
    box = desktop.locator("#plan-img").bounding_box()
    assert box is not None
    desktop.mouse.click(box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.4)
    marker = desktop.locator(".marker[data-code='FX-0001']")
    marker.wait_for()
    assert marker.get_attribute("data-level") == "1"
    colour = marker.evaluate("el => getComputedStyle(el).backgroundColor")
    assert colour == "rgb(211, 47, 47)"  # national red for a major risk
    shot(desktop, "risks-desktop-map")

    desktop.goto(f"{base}/risks/inventory/")
    assert "电气线路老化、过载" in desktop.inner_text("body")
    shot(desktop, "risks-desktop-inventory")
    assert not errors, errors

    log_in(phone, base, "cook_a")
    phone.goto(f"{base}/risks/")
    phone.click("text=配电室")
    phone.wait_for_selector("#point-title")
    assert "重大风险" in phone.inner_text("body")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    assert phone.locator("text=添加危险有害因素").count() == 0  # a cook reads, does not edit
    shot(phone, "risks-phone-point")
    phone.goto(f"{base}/risks/map/{floor.uuid}/")
    phone.locator(".marker[data-code='FX-0001']").wait_for()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    shot(phone, "risks-phone-map")
