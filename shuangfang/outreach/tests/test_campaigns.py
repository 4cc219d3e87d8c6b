"""Campaigns: default seasons, a campaign ending before it starts refused, figures per station
counted against the patrols and encounters recorded (inside and outside the dates)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from shuangfang.outreach import campaigns, patrols
from shuangfang.outreach.campaign_models import Campaign

pytestmark = pytest.mark.django_db
CST = dt.timezone(dt.timedelta(hours=8))


def winter(w, **kw):
    data = {
        "name": "寒冬送温暖",
        "kind": "winter",
        "starts_on": dt.date(2026, 11, 1),
        "ends_on": dt.date(2027, 3, 15),
        "key_areas": "火车站\n人民路地下通道",
        "patrols_per_week": 3,
    }
    data.update(kw)
    return campaigns.save_campaign(actor=w.users["bureau_supervisor"], organization=w.bureau, data=data)


def test_default_seasons():
    assert campaigns.default_dates("winter", dt.date(2027, 1, 10)) == (
        dt.date(2026, 11, 1),
        dt.date(2027, 3, 15),
    )
    assert campaigns.default_dates("winter", dt.date(2027, 5, 1)) == (
        dt.date(2027, 11, 1),
        dt.date(2028, 3, 15),
    )
    assert campaigns.default_dates("summer", dt.date(2027, 5, 1)) == (
        dt.date(2027, 7, 1),
        dt.date(2027, 9, 30),
    )


def test_campaign_ending_before_it_starts_is_refused(world):
    with pytest.raises(ValidationError) as exc:
        winter(world, ends_on=dt.date(2026, 10, 1))
    assert "ends before it starts" in str(exc.value)
    assert not Campaign.objects.exists()
    with pytest.raises(ValidationError, match="bureau"):
        campaigns.save_campaign(actor=world.root, organization=world.inst_a, data={"kind": "winter"})


def _patrol(w, when, actions):
    with time_machine.travel(when, tick=False):
        p = patrols.start_patrol(actor=w.users["staff"], organization=w.inst_a, team="组")
        for a in actions:
            patrols.log_encounter(actor=w.users["staff"], patrol=p, data={"action": a})
        patrols.end_patrol(actor=w.users["staff"], patrol=p)


def test_figures_count_the_records_in_the_dates(world):
    c = winter(world)
    _patrol(world, dt.datetime(2026, 10, 31, 22, tzinfo=CST), ["refused"])  # before: not counted
    _patrol(world, dt.datetime(2026, 11, 1, 22, tzinfo=CST), ["persuaded", "supplies", "supplies"])  # night
    _patrol(world, dt.datetime(2026, 11, 3, 10, tzinfo=CST), ["refused"])
    _patrol(world, dt.datetime(2027, 3, 16, 10, tzinfo=CST), ["hospital"])  # after: not counted
    rows = campaigns.figures(c, today=dt.date(2026, 11, 7))
    assert [r.station for r in rows] == [world.inst_a]  # the elderly home is no relief station
    row = rows[0]
    assert (row.patrols, row.night_patrols, row.encounters) == (2, 1, 4)
    assert row.by_action == {"persuaded": 1, "supplies": 2, "hospital": 0, "police": 0, "refused": 1}
    assert row.per_week == 2.0 and not row.target_met  # 2 patrols in the first week, target 3


def test_campaign_page_shows_figures_and_refuses_bad_dates(world, login):
    c = winter(world)
    _patrol(world, dt.datetime(2026, 11, 2, 21, tzinfo=CST), ["supplies"])
    client = login(world.users["bureau_supervisor"])
    url = reverse("outreach:campaign", kwargs={"uuid": c.uuid})
    page = client.get(url).content.decode()
    assert world.inst_a.name in page and "人民路地下通道" in page
    r = client.post(
        url,
        {
            "name": "x",
            "kind": "winter",
            "starts_on": "2026-11-01",
            "ends_on": "2026-10-01",
            "patrols_per_week": "1",
        },
    )
    assert r.status_code == 400 and "ends before it starts" in r.content.decode()
    c.refresh_from_db()
    assert c.ends_on == dt.date(2027, 3, 15) and c.name == "寒冬送温暖"
