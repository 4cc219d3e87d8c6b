"""Lists on a phone keep a few common filters in view and the rest behind 更多筛选 (issue 15): the
hazard list at 360 px, the panel loads when first opened, a filter chosen there filters the cards
and the panel stays open after a reload."""

from __future__ import annotations

import pytest

from shuangfang.hazards import services

from .test_filter_chooser import _login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_hazard_list_shows_common_filters_and_keeps_the_rest_behind_more(
    live_server, world, phone, shot, browser_errors
):
    errors = browser_errors(phone)
    officer = world.users["safety_officer"]
    fire = services.report_hazard(
        actor=officer, organization=world.inst_a, description="灭火器过期", source="snap", category="fire"
    )
    food = services.report_hazard(
        actor=officer, organization=world.inst_a, description="冰箱温度过高", source="snap", category="food"
    )
    _login(phone, live_server.url, officer.username)
    phone.goto(f"{live_server.url}/hazards/")
    assert phone.locator("form.filters-split input[name=q]").is_visible()
    assert phone.locator("form.filters-split select[name=status]").is_visible()
    assert phone.locator("select[name=category]").count() == 0  # not built until 更多 opens
    more = phone.locator("details.filters-more > summary")
    assert more.inner_text().strip() == "更多筛选"
    box = more.bounding_box()
    assert box is not None and box["height"] >= 44
    shot(phone, "field15-hazards-filters-closed")
    more.tap()
    category = phone.locator("select[name=category]")
    category.wait_for()
    category.select_option("fire")
    phone.wait_for_url("**/hazards/?**category=fire**")
    phone.wait_for_function(
        "(n) => !document.querySelector('#list-table').innerHTML.includes(n)", arg=food.number
    )
    assert fire.number in phone.locator("#list-table").inner_html()
    shot(phone, "field15-hazards-filters-more")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360, "page overflows at 360 px"
    phone.reload()
    assert phone.locator("details.filters-more").get_attribute("open") is not None
    assert phone.locator("select[name=category] option:checked").get_attribute("value") == "fire"
    assert not errors, errors
