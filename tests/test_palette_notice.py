"""A bureau's own colours: every level keeps its own colour's name (a green level is never called
蓝), and every page or document that shows levels says the colours differ from the national scheme:
the risk list and point page, both cards, the dashboards, the big screen and the reports."""

from __future__ import annotations

import pytest
from django.urls import reverse

from shuangfang.core import pdf
from shuangfang.reports.tests.helpers import stored_report
from shuangfang.risks import services
from shuangfang.risks.choices import NATIONAL_PALETTE, SEED_PALETTE, palette_for
from shuangfang.risks.tests.fixtures import risk_world

NOTICE = "使用自定色标"  # both the pages' and the documents' wording
GREEN = {1: "#d32f2f", 2: "#f57c00", 3: "#fbc02d", 4: "#43a047"}


@pytest.fixture
def custom(world):
    services.set_palette(actor=world.users["admin"], bureau=world.bureau, colours=SEED_PALETTE)
    return world


def test_a_custom_colour_is_not_given_a_national_name(world):
    services.set_palette(actor=world.users["admin"], bureau=world.bureau, colours=GREEN)
    palette = palette_for(world.inst_a)
    assert palette.name(4) == "" and palette.name(1) == "红"
    assert not palette.is_national
    services.set_palette(actor=world.users["admin"], bureau=world.bureau, colours=GREEN, names={4: "绿"})
    assert palette_for(world.inst_a).name(4) == "绿"
    services.set_palette(actor=world.users["admin"], bureau=world.bureau, colours=NATIONAL_PALETTE)
    assert palette_for(world.inst_a).name(4) == "蓝"


def test_the_palette_form_labels_levels_with_the_names_typed(world, login):
    client = login(world.users["admin"])
    data = {"bureau": world.bureau.pk, "preset": ""}
    for level, colour in GREEN.items():
        data[f"colour_{level}"] = colour
        data[f"name_{level}"] = "绿" if level == 4 else ""
    assert client.post(reverse("risks:palette"), data).status_code == 302
    palette = palette_for(world.inst_a)
    assert palette.name(4) == "绿" and palette.name(2) == "橙"


def _pages(world):
    rw = risk_world(world)
    report = stored_report(world.inst_a)
    return {
        "risk list": reverse("risks:index"),
        "risk point": reverse("risks:point", args=[rw.point.uuid]),
        "institution dashboard": reverse("dashboards:institution", args=[world.inst_a.uuid]),
        "bureau dashboard": reverse("dashboards:bureau", args=[world.bureau.uuid]),
        "big screen": reverse("dashboards:screen", args=[world.bureau.uuid]),
        "report": reverse("reports:detail", args=[report.uuid]),
    }


def test_every_page_showing_levels_carries_the_notice(custom, login):
    pages = _pages(custom)
    for who, names in (
        ("safety_officer", ["risk list", "risk point", "institution dashboard", "report"]),
        ("bureau_supervisor", ["bureau dashboard", "big screen"]),
    ):
        client = login(custom.users[who])
        for name in names:
            response = client.get(pages[name])
            assert response.status_code == 200, name
            assert NOTICE in response.content.decode(), f"no palette notice on the {name}"


def test_the_national_scheme_has_no_notice(world, login):
    client = login(world.users["safety_officer"])
    html = client.get(reverse("risks:point", args=[risk_world(world).point.uuid])).content.decode()
    assert NOTICE not in html


@pytest.mark.parametrize("kind", ["post", "emergency"])
def test_both_cards_carry_the_notice(custom, login, monkeypatch, kind):
    seen: list[str] = []

    def capture(html: str, **kw) -> bytes:
        seen.append(html)
        return b"%PDF-1.7"

    monkeypatch.setattr(pdf, "html_to_pdf", capture)
    client = login(custom.users["safety_officer"])
    point = risk_world(custom).point
    for url in (
        reverse("risks:point_card", args=[point.uuid]),
        reverse("risks:post_card", args=[custom.post_a.uuid]),
    ):
        response = client.get(url + f"?kind={kind}")
        assert response.status_code == 200, url
    assert len(seen) == 2 and all(NOTICE in html for html in seen)


def test_the_report_workbook_carries_the_notice(custom):
    import io

    from openpyxl import load_workbook

    from shuangfang.reports import render

    report = stored_report(custom.inst_a)
    data = render.xlsx(report.figures)
    cells = [
        c for row in load_workbook(io.BytesIO(data)).worksheets[0].iter_rows(values_only=True) for c in row
    ]
    assert any("自定" in str(c) for c in cells)
