"""The self-check against the criteria: all situations answered, each 是 one major hazard (once,
however often the outbox runs), the bureau's view of who did it this year."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from shuangfang.core import outbox
from shuangfang.core.models import OutboxEvent
from shuangfang.criteria.models import SelfAssessment
from shuangfang.criteria.selfcheck import Reply, overview, run_selfcheck
from shuangfang.criteria.services import citable_for
from shuangfang.hazards.models import Hazard

pytestmark = pytest.mark.django_db

TZ = timezone.get_default_timezone()
DAY = dt.date(2026, 11, 20)


@pytest.fixture(autouse=True)
def elderly(world):
    world.inst_a.institution_type = "elderly_care"
    world.inst_a.save(update_fields=["institution_type"])
    with time_machine.travel(dt.datetime(2026, 11, 20, 10, 0, tzinfo=TZ), tick=False):
        yield


def replies(world, yes=("elderly-2023-4-2",)) -> dict[str, Reply]:
    return {
        c.code: Reply("yes", "消防验收不合格") if c.code in yes else Reply("no")
        for c in citable_for(world.inst_a, on=DAY)
    }


def test_each_yes_becomes_exactly_one_major_hazard_citing_the_criterion(world):
    officer = world.users["safety_officer"]
    a = run_selfcheck(actor=officer, institution=world.inst_a, done_on=DAY, replies=replies(world))
    assert a.found == 1 and a.answers.count() == 7  # the 7 elderly-care situations whose text was read
    assert "elderly-2023@2023-11-27 (incomplete)" in a.standards
    outbox.drain()
    outbox.drain()
    hazard = Hazard.objects.get()
    assert hazard.grade == "major" and hazard.criterion is not None
    assert hazard.criterion.code == "elderly-2023-4-2" and "消防验收不合格" in hazard.description
    assert (
        OutboxEvent.objects.filter(kind="hazard.criterion_cited").values("origin_key").distinct().count() == 1
    )
    # The same event handed to the consumer again (a replay) files nothing new.
    from shuangfang.events import SituationFound
    from shuangfang.hazards.consumers import hazard_from_selfcheck

    event = OutboxEvent.objects.filter(kind="criteria.situation_found").first()
    assert event is not None
    hazard_from_selfcheck("criteria.situation_found", SituationFound(**event.payload))
    assert Hazard.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda r: r.pop("elderly-2023-4-1"), "Answer every situation"),
        (lambda r: r.update({"elderly-2023-4-1": Reply("yes", "")}), "Say what was found"),
        (lambda r: r.update({"elderly-2023-4-1": Reply("maybe")}), "Answer every situation"),
        (lambda r: r.update({"nope-1": Reply("no")}), "not criteria in force"),
    ],
)
def test_bad_answers_save_nothing(world, change, reason):
    r = replies(world)
    change(r)
    with pytest.raises(ValidationError, match=reason):
        run_selfcheck(actor=world.users["safety_officer"], institution=world.inst_a, done_on=DAY, replies=r)
    assert not SelfAssessment.objects.exists() and not OutboxEvent.objects.filter(kind__startswith="criteria")


def test_who_may_run_it_and_the_future_is_refused(world):
    with pytest.raises(PermissionDenied):
        run_selfcheck(
            actor=world.users["staff"], institution=world.inst_a, done_on=DAY, replies=replies(world)
        )
    with pytest.raises(PermissionDenied):
        run_selfcheck(
            actor=world.users["outsider"], institution=world.inst_a, done_on=DAY, replies=replies(world)
        )
    with pytest.raises(ValidationError, match="future"):
        run_selfcheck(
            actor=world.users["safety_officer"],
            institution=world.inst_a,
            done_on=DAY + dt.timedelta(days=1),
            replies=replies(world),
        )


def test_an_institution_with_no_criterion_in_force_has_nothing_to_check(world):
    # A relief station: its standard's text was not obtained.
    world.inst_b.institution_type = "relief_station"
    world.inst_b.save(update_fields=["institution_type"])
    with pytest.raises(ValidationError, match="nothing to check"):
        run_selfcheck(actor=world.users["outsider"], institution=world.inst_b, done_on=DAY, replies={})


def test_the_bureau_sees_who_did_it_this_year_and_what_they_found(world, login):
    run_selfcheck(
        actor=world.users["safety_officer"], institution=world.inst_a, done_on=DAY, replies=replies(world)
    )
    rows = {r.institution.pk: r for r in overview(world.users["bureau_supervisor"], 2026)}
    last = rows[world.inst_a.pk].last
    assert last is not None and last.found == 1
    assert rows[world.inst_b.pk].last is None
    assert overview(world.users["bureau_supervisor"], 2025)[0].last is None
    page = login(world.users["bureau_supervisor"]).get(reverse("criteria:selfchecks")).content.decode()
    assert world.inst_a.name in page and world.inst_b.name in page


def test_the_page_saves_a_self_check(world, login):
    client = login(world.users["safety_officer"])
    page = client.get(reverse("criteria:selfcheck_new")).content.decode()
    assert "elderly-2023-4-1" in page and "crit-incomplete" in page
    data = {"done_on": DAY.isoformat(), "institution": str(world.inst_a.uuid)}
    for c in citable_for(world.inst_a, on=DAY):
        data[f"a_{c.pk}"] = "na"
    r = client.post(reverse("criteria:selfcheck_new"), data)
    assert r.status_code == 302
    assert SelfAssessment.objects.get().found == 0
