"""The forms that replaced raw JSON and the shell, in the browser: a bureau supervisor edits a
library entry's measures (desktop and 360 px phone); the platform administrator opens a method's
revision form. Screenshots to look at; no console errors; nothing wider than the phone."""

from __future__ import annotations

import pytest

from shuangfang.risks.models import AssessmentMethod
from shuangfang.risks.tests.fixtures import library_entry

from .helpers import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _fresh_content_types():
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()


def test_library_entry_form_on_desktop_and_phone(live_server, world, desktop, phone, shot, browser_errors):
    from django.apps import apps

    from shuangfang.risks.seed import seed_library, seed_methods

    seed_methods(apps.get_model("risks", "AssessmentMethod"))
    seed_library(apps.get_model("risks", "LibraryEntry"))
    entry = library_entry(world)
    username = world.users["bureau_supervisor"].username
    for page, name in ((desktop, "desktop"), (phone, "phone")):
        errors = browser_errors(page)
        log_in(page, live_server.url, username)
        page.goto(f"{live_server.url}/risks/library/{entry.uuid}/edit/")
        page.wait_for_selector("textarea[name=f-0-measures]")
        if name == "phone":
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 360, f"page wider than the phone: {width}px"
        shot(page, f"risks-library-form-{name}")
        assert errors == []


def test_method_revision_form(live_server, world, desktop, shot, browser_errors):
    from django.apps import apps

    from shuangfang.risks.seed import seed_methods

    seed_methods(apps.get_model("risks", "AssessmentMethod"))
    lec = AssessmentMethod.objects.get(code="lec", is_current=True)
    errors = browser_errors(desktop)
    log_in(desktop, live_server.url, world.root.username)
    desktop.goto(f"{live_server.url}/risks/methods/{lec.uuid}/revise/")
    desktop.wait_for_selector("input[name=formula]")
    shot(desktop, "risks-method-revise-desktop")
    assert errors == []
