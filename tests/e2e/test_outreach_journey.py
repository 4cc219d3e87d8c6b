"""A night patrol on a 360 px phone: start it, log two encounters (the phone refuses its position:
nothing waits for it), register the person persuaded to come in at the station, end the patrol;
then the bureau's campaign page on a desktop counts them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from shuangfang.orgs.tests.factories import PASSWORD
from shuangfang.outreach import campaigns
from shuangfang.outreach.models import Encounter, Patrol
from shuangfang.relief.models import Case

from .conftest import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path("/tmp/shots/outreach")


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _login(browser, base, username, viewport, errors, **ctx_args):
    ctx = browser.new_context(viewport=viewport, device_scale_factor=1, locale="zh-CN", **ctx_args)
    page = ctx.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{base}/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("h1.greeting")
    return ctx, page


def _fits(page, width) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width, f"page overflows at {width} px"


def _encounter(page, action: str, place: str, **extra) -> None:
    page.check(f"input[name=action][value={action}]")
    page.fill("input[name=place]", place)
    for name, value in extra.items():
        page.fill(f"input[name={name}]", value)
    page.click("#encounter-form button[type=submit]")
    page.wait_for_selector(f"text={place}")


def test_night_patrol_with_two_encounters_on_a_phone(live_server, world, browser):
    errors: list[str] = []
    ctx, page = _login(browser, live_server.url, "cook_a", PHONE, errors, is_mobile=True, has_touch=True)
    page.goto(f"{live_server.url}/outreach/")
    page.fill("input[name=team]", "夜巡一组")
    page.fill("input[name=vehicle]", "豫A1234")
    _shot(page, "phone-1-start")
    page.click("#start-form button[type=submit]")
    page.wait_for_selector("#encounter-form")
    _fits(page, PHONE["width"])
    _encounter(page, "supplies", "人民路地下通道", supplies="棉被1床", description="男，约50岁")
    _encounter(page, "persuaded", "火车站北广场")
    _fits(page, PHONE["width"])
    _shot(page, "phone-2-two-encounters")
    # The phone gives no position: the patrol types where it is; the route lists it.
    page.fill("#route-typed input[name=where]", "解放路桥下")
    page.click("#route-typed button[type=submit]")
    page.wait_for_selector("ul.route >> text=解放路桥下")
    _fits(page, PHONE["width"])
    page.click("text=进站登记")
    page.wait_for_selector("text=火车站北广场")
    _shot(page, "phone-3-admit")
    page.click("#admit-form button[type=submit]")
    page.wait_for_selector("#case-status")
    assert "已登记" in page.inner_text("#case-status")
    page.goto(f"{live_server.url}/outreach/patrols/{Patrol.objects.get().uuid}/")
    page.click("#end-patrol")
    page.wait_for_selector("text=已结束")
    _shot(page, "phone-4-ended")
    patrol = Patrol.objects.get()
    assert patrol.ended_at is not None and patrol.encounters.count() == 2
    assert Encounter.objects.filter(latitude__isnull=True).count() == 2  # position refused: saved anyway
    case = Case.objects.get()
    assert "火车站北广场" in case.reason and "夜巡一组" in case.escort_detail
    assert not errors, errors
    ctx.close()

    today = patrol.started_at.date()
    campaigns.save_campaign(
        actor=world.users["bureau_supervisor"],
        organization=world.bureau,
        data={
            "name": "寒冬送温暖",
            "kind": "winter",
            "starts_on": today - dt.timedelta(days=3),
            "ends_on": today + dt.timedelta(days=60),
            "key_areas": "火车站北广场",
            "patrols_per_week": 7,
        },
    )
    ctx, page = _login(browser, live_server.url, "supervisor", {"width": 1280, "height": 900}, errors)
    page.goto(f"{live_server.url}/outreach/campaigns/")
    page.click('main a:has-text("寒冬送温暖")')
    page.wait_for_selector("#campaign-figures")
    row = page.inner_text("#campaign-figures tbody tr")
    assert world.inst_a.name in row
    _shot(page, "desktop-campaign")
    page.set_viewport_size(PHONE)
    _shot(page, "phone-5-campaign")
    assert not errors, errors
    ctx.close()


def test_night_patrols_planned_in_a_cold_wave_and_closed_management(live_server, world, browser):
    """The head declares a cold wave on the plans page; the gate runs closed management."""
    from shuangfang.outreach.plan_models import PatrolPlan

    shots = Path("/tmp/shots-outreach2")
    shots.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    ctx, page = _login(browser, live_server.url, "head_a", PHONE, errors, is_mobile=True, has_touch=True)
    page.goto(f"{live_server.url}/outreach/plans/")
    page.select_option("#weather-form select[name=weather]", "cold")
    today = dt.date.today()
    page.fill("#weather-form input[name=last_night]", (today + dt.timedelta(days=2)).isoformat())
    page.click("#weather-form button[type=submit]")
    page.wait_for_selector("#patrol-tasks")
    _fits(page, PHONE["width"])
    page.screenshot(path=str(shots / "phone-plans.png"), full_page=True)
    assert PatrolPlan.objects.get().kind == "extreme_night"
    page.goto(f"{live_server.url}/outreach/gate/")
    page.click("text=启动封闭式管理")
    page.fill("#closed-form input[name=reason]", "疫情防控")
    page.click("#closed-form button[type=submit]")
    page.wait_for_selector("#closed-period")
    page.fill("#staff-check input[name=person]", "王五")
    page.fill("#staff-check input[name=result]", "36.5℃")
    page.click("#staff-check button[type=submit]")
    page.wait_for_selector("#closed-period >> text=王五")
    page.fill("#visit-form input[name=visitor]", "访客甲")
    page.fill("#visit-form input[name=purpose]", "探访")
    page.click("#visit-form button[type=submit]")
    page.wait_for_selector("#visit-form .errorlist")
    errors[:] = [e for e in errors if "400 (Bad Request)" not in e]  # the refusal, answered 400
    _fits(page, PHONE["width"])
    page.screenshot(path=str(shots / "phone-gate-closed.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{live_server.url}/outreach/plans/")
    page.screenshot(path=str(shots / "desktop-plans.png"), full_page=True)
    assert not errors, errors
    ctx.close()
