"""Every number on every dashboard (institution, bureau, district bureau, big screen) is a link, and
the list it opens shows exactly that many rows.

A count carries ``data-count`` on its link; rates and score points link to the records behind them
(not counted here). Numbers in table cells (``class="num"``) and in the score tile must be links.
The big screen draws its tables from the payload: each institution's numbers come with their links.
"""

from __future__ import annotations

import datetime as dt
import re
from html import unescape
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from shuangfang.dashboards.tests.records import fill

TODAY = dt.datetime(2026, 11, 18, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
COUNT_LINK = re.compile(
    r'<a [^>]*?href="([^"]+)"[^>]*?data-count="(\d+)"|<a [^>]*?data-count="(\d+)"[^>]*?href="([^"]+)"'
)


@pytest.fixture
def city(world):
    with time_machine.travel(TODAY, tick=True):
        fill(world.inst_a, world.users["safety_officer"], n=3, post=world.post_a)
        fill(world.inst_b, world.users["safety_officer"], n=2)
        yield world


def _rows(client, url: str) -> int:
    response = client.get(url)
    assert response.status_code == 200, url
    page = response.context["page_obj"]
    return page.paginator.count


def _count_links(html: str) -> list[tuple[str, int]]:
    out = []
    for m in COUNT_LINK.finditer(html):
        href = m.group(1) or m.group(4)
        n = m.group(2) or m.group(3)
        out.append((unescape(href), int(n)))
    return out


def _check(client, pairs: list[tuple[str, int]], where: str) -> None:
    wrong = {url: (n, got) for url, n in pairs if (got := _rows(client, url)) != n}
    assert not wrong, f"{where}: figure vs rows behind it: {wrong}"


def _unlinked_cells(html: str) -> list[str]:
    cells = re.findall(r'<td class="num"[^>]*>(.*?)</td>', html, flags=re.S)
    return [c for c in cells if re.search(r"\d", c) and "<a " not in c]


def _page(client, name: str, uuid) -> str:
    response = client.get(reverse(name, kwargs={"uuid": uuid}))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_number_of_the_institution_dashboard(city, login, language):
    with time_machine.travel(TODAY, tick=True):
        client = login(city.users["safety_officer"])
        client.cookies["django_language"] = language
        html = _page(client, "dashboards:institution", city.inst_a.uuid)
        pairs = _count_links(html)
        # Levels (4), points, reviews, six hazard and task counts, today (2), alarms (3), devices,
        # and each department's done / missed.
        assert len(pairs) >= 20, pairs
        assert sum(n for _u, n in pairs) > 0
        _check(client, pairs, "institution")
        assert not _unlinked_cells(html)


def test_the_score_parts_are_links(city, login):
    from shuangfang.assessment import dashboard

    with time_machine.travel(TODAY, tick=True):
        client = login(city.users["institution_head"])
        tile = dashboard.institution_tile(city.users["institution_head"], city.inst_a)
        html = _page(client, "dashboards:institution", city.inst_a.uuid)
    if tile is None:
        pytest.skip("no assessment scheme in force for the institution")
    parts = re.search(r'<ul class="dash-list">(.*?)</ul>', html, flags=re.S)
    assert parts is not None
    items = re.findall(r"<li>(.*?)</li>", parts.group(1), flags=re.S)
    assert len(items) == len(tile["score"].parts) >= 6
    assert all(i.startswith("<a ") for i in items), items


@pytest.mark.parametrize("which", ["bureau", "district"])
def test_every_number_of_the_bureau_dashboards(city, login, which):
    org = city.bureau if which == "bureau" else city.district
    with time_machine.travel(TODAY, tick=True):
        client = login(city.users["bureau_supervisor"])
        html = _page(client, "dashboards:bureau", org.uuid)
        pairs = _count_links(html)
        assert len(pairs) >= 12, pairs
        _check(client, pairs, which)
        assert not _unlinked_cells(html)


def test_every_number_of_the_big_screen(city, login):
    with time_machine.travel(TODAY, tick=True):
        client = login(city.users["bureau_supervisor"])
        html = _page(client, "dashboards:screen", city.bureau.uuid)
        pairs = _count_links(html) or []
        payload = client.get(f"/api/v1/dashboards/bureaus/{city.bureau.uuid}/screen").json()
        totals = [(payload["links"][k], payload["totals"][k]) for k in payload["links"]]
        rows = [(i["links"][k], i[k]) for i in payload["institutions"] for k in i["links"]]
        assert len(rows) == 8 * len(payload["institutions"]) >= 16
        _check(client, totals + rows + pairs, "big screen")
        for key in ("open", "overdue", "open_major", "alarms_active", "devices_offline"):
            assert f'<a href="{payload["links"][key]}"><b id="t-{key}">'.replace("&", "&amp;") in html
        for key in ("today_done", "today_total"):
            assert f'href="{payload["links"][key]}" id="t-{key}"'.replace("&", "&amp;") in html
