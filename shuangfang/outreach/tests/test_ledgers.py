"""The campaign report (PDF, Excel) per institution and key area; the information ledgers' exports,
audited, with masked numbers."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from shuangfang.core.models import AuditEntry
from shuangfang.outreach import campaigns, ledgers, patrols, register

from .test_campaigns import winter
from .test_register import add

pytestmark = pytest.mark.django_db
CST = dt.timezone(dt.timedelta(hours=8))


def _met(w, when, places):
    with time_machine.travel(when, tick=False):
        p = patrols.start_patrol(actor=w.users["staff"], organization=w.inst_a, team="一组")
        for place, action, supplies in places:
            patrols.log_encounter(
                actor=w.users["staff"],
                patrol=p,
                data={"action": action, "place": place, "supplies": supplies},
            )
    return p


def _sheet(content: bytes, index: int = 0) -> list[tuple]:
    wb = load_workbook(io.BytesIO(content), read_only=True)
    return [tuple(r) for r in wb.worksheets[index].iter_rows(values_only=True)]


def test_area_figures_count_encounters_by_key_area(world):
    c = winter(world)  # key areas include 人民路地下通道
    areas = c.areas()
    _met(
        world,
        dt.datetime(2026, 11, 2, 22, tzinfo=CST),
        [(f"{areas[0]}东口", "supplies", "棉被1"), ("别处", "refused", ""), ("", "persuaded", "")],
    )
    _met(world, dt.datetime(2026, 10, 30, 22, tzinfo=CST), [(areas[0], "refused", "")])  # before
    rows = {a.area: a for a in campaigns.area_figures(c)}
    first = rows[areas[0]]
    assert (first.encounters, first.supplies_given, first.by_action["supplies"]) == (1, 1, 1)
    other = list(rows.values())[-1]
    assert other.encounters == 2 and other.by_action["persuaded"] == 1


def test_campaign_report_pdf_and_excel_audited(world, login):
    c = winter(world)
    _met(world, dt.datetime(2026, 11, 2, 22, tzinfo=CST), [("人民路地下通道", "supplies", "棉被1")])
    client = login(world.users["bureau_supervisor"])
    with time_machine.travel(dt.datetime(2026, 11, 7, 10, tzinfo=CST), tick=False):
        pdf = client.get(reverse("outreach:campaign_report", kwargs={"uuid": c.uuid, "fmt": "pdf"}))
        xlsx = client.get(reverse("outreach:campaign_report", kwargs={"uuid": c.uuid, "fmt": "xlsx"}))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    per_station = _sheet(b"".join(xlsx.streaming_content))
    assert per_station[1][0] == world.inst_a.name and per_station[1][1] == 1  # one patrol
    assert AuditEntry.objects.filter(action="outreach.campaign_exported").count() == 2
    bad = client.get(reverse("outreach:campaign_report", kwargs={"uuid": c.uuid, "fmt": "doc"}))
    assert bad.status_code == 404


def test_station_ledgers_export_the_dates_asked_for(world, login):
    _met(
        world,
        dt.datetime(2026, 11, 2, 22, tzinfo=CST),
        [("广场", "supplies", "矿泉水2"), ("桥下", "refused", "")],
    )
    _met(world, dt.datetime(2026, 12, 2, 22, tzinfo=CST), [("广场", "supplies", "棉衣1")])
    head = login(world.users["institution_head"])
    q = f"?org={world.inst_a.uuid}&from=2026-11-01&to=2026-11-30"
    page = head.get(reverse("outreach:ledgers") + q)
    assert page.status_code == 200
    supplies = _sheet(
        b"".join(head.get(reverse("outreach:ledger_export", args=["supplies"]) + q).streaming_content)
    )
    assert [r[3] for r in supplies[1:]] == ["矿泉水2"]
    encounters = _sheet(
        b"".join(head.get(reverse("outreach:ledger_export", args=["encounters"]) + q).streaming_content)
    )
    assert len(encounters) == 3
    patrol_rows = _sheet(
        b"".join(head.get(reverse("outreach:ledger_export", args=["patrols"]) + q).streaming_content)
    )
    assert len(patrol_rows) == 2 and patrol_rows[1][4] == 2
    assert AuditEntry.objects.filter(action="outreach.ledger_exported").count() == 3
    bad = head.get(
        reverse("outreach:ledger_export", args=["patrols"]) + q.replace("from=2026-11-01", "from=2026-12-31")
    )
    assert bad.status_code == 400 and "before the start" in bad.content.decode()


def test_register_ledger_masks_numbers(world, login):
    add(world)
    sheet = _sheet(
        b"".join(
            login(world.users["bureau_supervisor"])
            .get(reverse("outreach:register_export") + f"?org={world.bureau.uuid}")
            .streaming_content
        )
    )
    row = sheet[1]
    assert row[1] == "登记甲" and "13800005678" not in row and row[6] == "138****5678"
    assert "99999919500101001X" not in row


def test_bureau_overview_counts_per_district_in_fixed_queries(world, login, django_assert_max_num_queries):
    """The bureau's page: the register, revisits, patrols, encounters and letters counted per
    district (the station here sits directly under the city bureau), only within the dates, with no
    names, in the same number of queries with one district or two."""
    from shuangfang.orgs import services as org_services
    from shuangfang.relief import letters
    from shuangfang.relief.tests.test_letters import draft, repeat_person

    with time_machine.travel(dt.datetime(2026, 10, 20, 10, tzinfo=CST), tick=False):
        add(world)
        register.add_person(
            actor=world.users["bureau_supervisor"],
            organization=world.district,
            fields={"name": "登记丙", "category": "dementia", "community": "虚构镇乙村"},
            assignee=None,
        )
    _met(
        world,
        dt.datetime(2026, 11, 2, 22, tzinfo=CST),
        [("广场", "supplies", "棉被1"), ("桥下", "refused", "")],
    )
    _met(world, dt.datetime(2026, 12, 2, 22, tzinfo=CST), [("广场", "supplies", "棉衣1")])  # after the dates
    with time_machine.travel(dt.datetime(2026, 11, 10, 10, tzinfo=CST), tick=False):
        letter = draft(world, repeat_person(world))
        letters.move(letter, "send", actor=world.users["staff"], method="post")
    lines = ledgers.bureau_overview(world.bureau, dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    own, district = lines
    assert own.own and own.node == world.bureau and district.node == world.district
    assert (own.on_register, own.patrols, own.encounters, own.letters) == (1, 1, 2, 1)
    assert (district.on_register, district.patrols, district.encounters, district.letters) == (1, 0, 0, 0)
    assert ledgers.overview_total(lines)["on_register"] == 2

    client = login(world.users["bureau_supervisor"])
    url = reverse("outreach:bureau_overview") + f"?org={world.bureau.uuid}&from=2026-11-01&to=2026-11-30"
    client.get(url)  # warm: the session's first read of the person and their roles
    with django_assert_max_num_queries(30) as one:
        page = client.get(url)
    assert page.status_code == 200 and "登记甲" not in page.content.decode()
    org_services.create_organization(
        actor=world.users["admin"], parent=world.bureau, name="测试二区民政局", kind="district_bureau"
    )
    client.get(url)  # warm again: the new district drops the cached scopes
    with django_assert_max_num_queries(30) as two:
        assert client.get(url).status_code == 200
    assert len(two.captured_queries) == len(one.captured_queries)
    bad = client.get(url.replace("from=2026-11-01", "from=2026-12-31"))
    assert bad.status_code == 400
