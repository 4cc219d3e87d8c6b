"""A bureau supervisor filters the hazard list by one institution by typing part of its name, on a
phone and at a desk (issue 16: filter dropdowns that do not render hundreds of options)."""

from __future__ import annotations

import shutil

import pytest

from shuangfang.hazards import services

from .helpers import log_in as _login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS_COPY = "/tmp/shots-speedweb"


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_a_bureau_finds_an_institution_by_typing(live_server, world, request, shot, browser_errors, size):
    page = request.getfixturevalue(size)
    errors = browser_errors(page)
    in_a = services.report_hazard(
        actor=world.users["staff"], organization=world.inst_a, description="灭火器过期", source="snap"
    )
    in_b = services.report_hazard(
        actor=world.users["outsider"], organization=world.inst_b, description="插座烧焦", source="snap"
    )
    _login(page, live_server.url, world.users["bureau_supervisor"].username)
    page.goto(f"{live_server.url}/hazards/")
    page.click("details.filters-more > summary")
    box = page.locator("input[data-chooser]").first
    box.wait_for()  # the panel's form loads when it first opens
    assert box.is_visible()
    select = page.locator("select[name=organization]")
    assert select.locator("option").count() == 1  # nothing loaded before typing
    box.fill(world.inst_b.name[-3:])
    page.wait_for_function(
        "(name) => [...document.querySelectorAll('select[name=organization] option')]"
        ".some(o => o.textContent === name)",
        arg=world.inst_b.name,
    )
    assert page.url.endswith("/hazards/")  # typing alone neither filters nor moves the address
    shot(page, f"filter-chooser-{size}-typed")
    select.select_option(label=world.inst_b.name)
    page.wait_for_url(f"**/hazards/?**organization={world.inst_b.pk}**")
    page.wait_for_function(
        "(uuid) => !!document.querySelector('#list-table')?.innerHTML.includes(uuid)", arg=str(in_b.uuid)
    )
    assert str(in_a.uuid) not in page.locator("#list-table").inner_html()
    path = shot(page, f"filter-chooser-{size}-chosen")
    if size == "phone":
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, "page overflows at 360 px"
    # A reload keeps the choice: the select shows the chosen institution by name.
    page.reload()
    assert page.locator("select[name=organization] option:checked").inner_text() == world.inst_b.name
    assert not errors, errors
    import os

    os.makedirs(SHOTS_COPY, exist_ok=True)
    shutil.copy(path, SHOTS_COPY)
