"""Patrol plans through the inspection plans' scheduling: a patrol started in the window does the
task; a window without a patrol is a missed task; night patrols only in a declared extreme-weather
period."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from shuangfang.core.models import OutboxEvent
from shuangfang.inspections.choices import TaskStatus
from shuangfang.inspections.models import Task
from shuangfang.inspections.plans import generate_tasks
from shuangfang.inspections.taskflow import sweep_missed
from shuangfang.outreach import patrol_plans, patrols

pytestmark = pytest.mark.django_db
CST = dt.timezone(dt.timedelta(hours=8))


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 1, day, hour, minute, tzinfo=CST)


def test_daily_patrol_done_by_a_patrol_and_missed_without_one(world):
    with time_machine.travel(at(12, 8), tick=False):
        pp = patrol_plans.create_daily_plan(
            actor=world.users["institution_head"], station=world.inst_a, time="09:00", hours=4
        )
        generate_tasks(now=at(12, 8))
    tasks = Task.objects.filter(plan=pp.plan).order_by("window_start")
    first = tasks.first()
    assert first is not None and first.window_start == at(12, 9)
    with time_machine.travel(at(12, 10), tick=False):
        p = patrols.start_patrol(actor=world.users["staff"], organization=world.inst_a, team="一组")
    first.refresh_from_db()
    assert p.task == first and first.status == TaskStatus.DONE
    # The next day nobody patrols: the sweep marks the task missed and tells the assignees.
    with time_machine.travel(at(13, 8), tick=False):
        generate_tasks(now=at(13, 8))
    with time_machine.travel(at(13, 14), tick=False):
        assert sweep_missed(now=at(13, 14)) == 1
    second = Task.objects.get(plan=pp.plan, window_start=at(13, 9))
    assert second.status == TaskStatus.MISSED
    assert OutboxEvent.objects.filter(
        kind="inspection.task_missed", payload__task_uuid=str(second.uuid)
    ).exists()


def test_patrol_outside_the_window_does_no_task(world):
    with time_machine.travel(at(12, 8), tick=False):
        pp = patrol_plans.create_daily_plan(
            actor=world.users["institution_head"], station=world.inst_a, time="09:00", hours=2
        )
    with time_machine.travel(at(12, 15), tick=False):
        p = patrols.start_patrol(actor=world.users["staff"], organization=world.inst_a, team="一组")
    assert p.task is None
    assert Task.objects.get(plan=pp.plan, window_start=at(12, 9)).status == TaskStatus.OPEN


def test_extreme_weather_night_patrols_only_in_the_period(world):
    with time_machine.travel(at(12, 12), tick=False):
        pp = patrol_plans.declare_extreme_weather(
            actor=world.users["institution_head"],
            station=world.inst_a,
            weather="cold",
            first_night=dt.date(2026, 1, 12),
            last_night=dt.date(2026, 1, 13),
        )
    for day in (12, 13, 14, 15):
        generate_tasks(now=at(day, 12))
    nights = list(Task.objects.filter(plan=pp.plan).order_by("window_start"))
    assert [t.window_start for t in nights] == [at(12, 20), at(13, 20)]
    assert nights[0].window_end == at(13, 6)
    with time_machine.travel(at(12, 23), tick=False):
        p = patrols.start_patrol(actor=world.users["staff"], organization=world.inst_a, team="夜巡")
    assert p.task == nights[0]
    sweep_missed(now=at(14, 12))
    assert [t.status for t in Task.objects.filter(plan=pp.plan).order_by("window_start")] == [
        TaskStatus.DONE,
        TaskStatus.MISSED,
    ]


def test_bad_weather_periods_refused(world):
    head = world.users["institution_head"]
    with time_machine.travel(at(12, 12), tick=False):
        with pytest.raises(ValidationError, match="before the first"):
            patrol_plans.declare_extreme_weather(
                actor=head,
                station=world.inst_a,
                weather="cold",
                first_night=dt.date(2026, 1, 14),
                last_night=dt.date(2026, 1, 13),
            )
        with pytest.raises(ValidationError, match="HH:MM"):
            patrol_plans.create_daily_plan(actor=head, station=world.inst_a, time="25:00")
        with pytest.raises(PermissionDenied):  # the elderly home: not its plan to make
            patrol_plans.create_daily_plan(actor=head, station=world.inst_b, time="09:00")
    assert not Task.objects.exists()


def test_campaign_counts_extreme_weather_patrols_due_and_done(world):
    from shuangfang.outreach import campaigns

    c = campaigns.save_campaign(
        actor=world.users["bureau_supervisor"],
        organization=world.bureau,
        data={
            "name": "寒冬送温暖",
            "kind": "winter",
            "starts_on": dt.date(2025, 11, 1),
            "ends_on": dt.date(2026, 3, 15),
        },
    )
    with time_machine.travel(at(12, 12), tick=False):
        pp = patrol_plans.declare_extreme_weather(
            actor=world.users["institution_head"],
            station=world.inst_a,
            weather="cold",
            first_night=dt.date(2026, 1, 12),
            last_night=dt.date(2026, 1, 14),
        )
    for day in (12, 13, 14):
        generate_tasks(now=at(day, 12))
    with time_machine.travel(at(12, 21), tick=False):
        patrols.start_patrol(actor=world.users["staff"], organization=world.inst_a, team="夜巡")
    with time_machine.travel(at(13, 22), tick=False):  # the 13th's night under way: due, not missed
        row = campaigns.figures(c, today=dt.date(2026, 1, 13))[0]
    assert (row.weather_due, row.weather_done, row.weather_missed) == (2, 1, 0)
    with time_machine.travel(at(14, 12), tick=False):
        sweep_missed(now=at(14, 12))
        row = campaigns.figures(c, today=dt.date(2026, 1, 14))[0]
    # Nights of the 12th and 13th have begun (one done, one missed); the 14th's has not.
    assert (row.weather_due, row.weather_done, row.weather_missed) == (2, 1, 1)
    assert Task.objects.filter(plan=pp.plan).count() == 3


def test_campaign_night_patrol_target_per_extreme_weather_night(world, login):
    """Nights 12-14 Jan declared (windows 20:00 → 06:00); target 2 patrols a night. Patrols: night
    of the 12th at 21:00 and 23:30 (2), night of the 13th at 02:00 on the 14th (1), plus 19:00 on the
    13th and 07:00 on the 14th (outside any window). At noon on the 14th: nights due 2, patrols on
    them 3, one night (the 13th) below target; with a target of 1 the target is met."""
    import io

    import openpyxl
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from shuangfang.outreach import campaigns

    boss = world.users["bureau_supervisor"]
    data = {
        "name": "寒冬送温暖",
        "kind": "winter",
        "starts_on": dt.date(2025, 11, 1),
        "ends_on": dt.date(2026, 3, 15),
    }
    c = campaigns.save_campaign(actor=boss, organization=world.bureau, data=data)
    assert c.night_patrols_per_weather_night == 1  # the default
    c = campaigns.save_campaign(
        actor=boss, organization=world.bureau, data={**data, "night_patrols_per_weather_night": 2}, campaign=c
    )
    client = login(boss)
    url = reverse("outreach:campaign", kwargs={"uuid": c.uuid})

    def page_queries() -> int:
        with time_machine.travel(at(14, 12), tick=False), CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    page_queries()  # the first request of the session does some one-off work
    before = page_queries()
    with time_machine.travel(at(12, 12), tick=False):
        patrol_plans.declare_extreme_weather(
            actor=world.users["institution_head"],
            station=world.inst_a,
            weather="cold",
            first_night=dt.date(2026, 1, 12),
            last_night=dt.date(2026, 1, 14),
        )
    for day in (12, 13, 14):
        generate_tasks(now=at(day, 12))
    for when in (at(12, 21), at(12, 23, 30), at(13, 19), at(14, 2), at(14, 7)):
        with time_machine.travel(when, tick=False):
            p = patrols.start_patrol(actor=world.users["staff"], organization=world.inst_a, team="夜巡")
            patrols.end_patrol(actor=world.users["staff"], patrol=p)
    with time_machine.travel(at(14, 12), tick=False):
        row = campaigns.figures(c, today=dt.date(2026, 1, 14))[0]
    assert (row.weather_due, row.weather_patrols, row.weather_short, row.weather_target_met) == (
        2,
        3,
        1,
        False,
    )
    assert page_queries() == before  # a fixed number of queries, however many nights and patrols
    with time_machine.travel(at(14, 12), tick=False):
        page = client.get(url).content.decode()
        assert "1 night below target" in page and "2 night patrols per extreme-weather night" in page
        sheet = openpyxl.load_workbook(
            io.BytesIO(
                b"".join(
                    client.get(reverse("outreach:campaign_report", args=[c.uuid, "xlsx"])).streaming_content
                )
            )
        ).worksheets[0]
        head = [cell.value for cell in sheet[1]]
        values = dict(zip(head, [cell.value for cell in sheet[2]], strict=True))
        assert (
            values["Patrols on extreme-weather nights"] == 3
            and values["Nights below the night-patrol target"] == 1
        )
        assert values["Night-patrol target met"] == "No"
        assert client.get(reverse("outreach:campaign_report", args=[c.uuid, "pdf"])).status_code == 200

    # A negative target is refused with the reason, nothing saved; 1 a night is met.
    with pytest.raises(ValidationError, match="cannot be negative"):
        campaigns.save_campaign(
            actor=boss,
            organization=world.bureau,
            data={**data, "night_patrols_per_weather_night": -1},
            campaign=c,
        )
    c.refresh_from_db()
    assert c.night_patrols_per_weather_night == 2
    r = client.post(url, {**data, "night_patrols_per_weather_night": "-1", "patrols_per_week": "3"})
    assert r.status_code == 400
    c.refresh_from_db()
    assert c.night_patrols_per_weather_night == 2
    c = campaigns.save_campaign(
        actor=boss, organization=world.bureau, data={**data, "night_patrols_per_weather_night": 1}, campaign=c
    )
    with time_machine.travel(at(14, 12), tick=False):
        row = campaigns.figures(c, today=dt.date(2026, 1, 14))[0]
    assert (row.weather_short, row.weather_target_met) == (0, True)


def test_route_positions_and_typed_places(world, login):
    from django.urls import reverse

    from shuangfang.outreach.plan_models import RoutePoint

    with time_machine.travel(at(12, 22), tick=False):
        p = patrols.start_patrol(actor=world.users["staff"], organization=world.inst_a, team="夜巡")
    client = login(world.users["staff"])
    url = reverse("outreach:patrol_route", kwargs={"uuid": p.uuid})
    with time_machine.travel(at(12, 22, 1), tick=False):
        assert (
            client.post(url, {"latitude": "34.75", "longitude": "113.62", "accuracy": "12"}).status_code
            == 204
        )
        # Too soon after the last position: not kept, not an error.
        assert client.post(url, {"latitude": "34.76", "longitude": "113.63"}).status_code == 204
        bad = client.post(url, {"latitude": "134.75", "longitude": "113.62"})
        assert bad.status_code == 400 and "outside the map" in bad.content.decode()
    with time_machine.travel(at(12, 22, 5), tick=False):
        assert client.post(url, {"latitude": "34.77", "longitude": "113.64"}).status_code == 204
        # The phone gives no position: a typed place.
        assert client.post(url, {"where": "人民路地下通道"}).status_code == 302
        assert client.post(url, {"where": " "}).status_code == 302  # refused with a message
    points = list(RoutePoint.objects.filter(patrol=p))
    assert [pt.place for pt in points] == ["", "", "人民路地下通道"]
    assert points[0].accuracy_m == 12
    page = client.get(reverse("outreach:patrol", kwargs={"uuid": p.uuid})).content.decode()
    assert "<polyline" in page and "人民路地下通道" in page
    patrols.end_patrol(actor=world.users["staff"], patrol=p)
    with pytest.raises(ValidationError, match="ended"):
        patrols.add_route_point(actor=world.users["staff"], patrol=p, place="x")
