"""A bureau inspector's spot checks on a 360 px phone: the quarter's plan gives them one task per
institution ("我的抽查"); they start the one of institution A, mark everything fine and submit;
the task is closed by that record and leaves the list; planning again on the bureau's page makes
nothing."""

from __future__ import annotations

import pytest

from shuangfang.inspections import seed
from shuangfang.inspections.checklists import create_checklist
from shuangfang.inspections.models import Record, Task
from shuangfang.orgs.tests.factories import PASSWORD
from shuangfang.readiness import bureau

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_bureau_inspector_sees_and_does_a_spot_check_on_a_phone(
    live_server, world, phone, shot, browser_errors, monkeypatch
):
    errors = browser_errors(phone)
    seed.load(only_if_missing=True)  # transactional tests flush the migration's seed rows
    supervisor = world.users["bureau_supervisor"]
    create_checklist(
        actor=supervisor,
        organization=world.bureau,
        name="民政局安全检查表",
        kind="bureau",
        category="rules",
        library_codes=["F01", "A05"],
    )
    monkeypatch.setattr(bureau, "_last_quarter_scores", lambda insts, start: {})
    bureau.save_spot_rule(
        actor=supervisor,
        bureau=world.bureau,
        per_quarter=1,
        low_score_below=60,
        low_score_per_quarter=2,
        source="局务会决定",
        inspector=supervisor,
    )
    assert len(bureau.plan_spot_tasks(world.bureau, actor=supervisor)) == 2
    task_a = Task.objects.get(organization=world.inst_a, place_key__startswith="spot:")

    page = phone
    page.goto(f"{live_server.url}/inspections/bureau/tasks/")
    page.fill("input[name=username]", supervisor.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_selector(".spot-card")
    assert "我的抽查" in page.inner_text("h1")
    cards = page.locator(".spot-card")
    assert cards.count() == 2
    assert {cards.nth(i).locator("strong").inner_text() for i in range(2)} == {
        world.inst_a.name,
        world.inst_b.name,
    }
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    shot(page, "spot-check-1-my-tasks-phone")

    page.locator(".spot-card", has_text=world.inst_a.name).locator("button[type=submit]").click()
    page.wait_for_selector("#check-form")
    page.click("#all-ok")
    page.click("form#check-form button[type=submit]")
    page.wait_for_selector("text=已提交")
    task_a.refresh_from_db()
    assert task_a.status == "done" and Record.objects.get(task=task_a).by_bureau == world.bureau

    page.goto(f"{live_server.url}/inspections/bureau/tasks/")
    page.wait_for_selector(".spot-card")
    assert page.locator(".spot-card").count() == 1
    assert world.inst_a.name not in page.inner_text(".task-list")
    shot(page, "spot-check-2-after-phone")

    # The bureau's plan page: the inspector named, the open task counted, planning again is a no-op.
    page.goto(f"{live_server.url}/readiness/bureau/")
    page.wait_for_selector("text=安排本季度抽查任务")
    page.click("button:has-text('安排本季度抽查任务')")
    page.wait_for_selector("text=本季度各机构的抽查已安排")
    shot(page, "spot-check-3-plan-page-phone")
    assert Task.objects.filter(place_key__startswith="spot:").count() == 2
    assert errors == []
