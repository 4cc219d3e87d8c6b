"""The demo: courses due, a drill whose improvement became a hazard, letters partly signed, a
spot-check plan with an open and a done task."""

from django.core.management import call_command

from shuangfang.hazards.models import Hazard
from shuangfang.inspections.models import Record, Task
from shuangfang.inspections.taskflow import spot_key
from shuangfang.orgs.models import Organization
from shuangfang.readiness import letters, training
from shuangfang.readiness.models import Improvement, Letter, Meeting, SpotCheckRule


def test_demo_shows_readiness_and_is_idempotent(db):
    call_command("demo")
    call_command("demo")
    station = Organization.objects.get(name="汴州市救助管理站")
    imp = Improvement.objects.get(drill__organization=station)
    assert imp.hazard_uuid is not None
    assert Hazard.objects.filter(uuid=imp.hazard_uuid).count() == 1
    lines = training.status_lines(station)
    assert any(x.state in ("due", "overdue") for x in lines)
    counts = letters.tracking(Letter.objects.filter(organization=station))
    assert counts["signed"] == 3 and counts["issued"] > 0
    assert all(letters.verify(x) for x in Letter.objects.filter(status="signed"))
    city = Organization.objects.get(name="汴州市民政局")
    assert SpotCheckRule.objects.filter(organization=city).count() == 1
    # The spot-check plan's tasks for the bureau's inspector: some open, the home's done by the
    # bureau's inspection (the demo run twice made them once).
    rule = SpotCheckRule.objects.get(organization=city)
    spot = Task.objects.filter(plan__isnull=True, place_key=spot_key(city.pk))
    assert spot.filter(status="open", assignee_user=rule.inspector).exists()
    home = Organization.objects.get(name="汴州市第一养老院")
    (done,) = spot.filter(status="done")
    assert done.organization == home and Record.objects.get(task=done).by_bureau == city
    assert spot.filter(organization=home).count() == len(
        {(t.window_start, t.window_end) for t in spot.filter(organization=home)}
    )
    assert Meeting.objects.filter(organization=city).count() == 1
