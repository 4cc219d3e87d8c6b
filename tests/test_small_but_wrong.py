"""Small things a careful user tripped over, each as a class: a form offered (or opened by its URL)
only to be refused on submit; a zero shown as "—"; a third-party assessor offered as the person
responsible; QR codes pointing at the wrong port; lists exported without a sheet name, photos or
typed dates; a statistics page without an export."""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from shuangfang.core.vocabulary import CheckCategory, HazardGrade
from shuangfang.hazards import services, workflow
from shuangfang.hazards.forms import move_form_class
from shuangfang.hazards.tests.conftest import jpeg, soon

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }


def _rectifying(world, responsible="department_head"):
    h = services.report_hazard(
        actor=world.users["staff"],
        organization=world.inst_a,
        description="插座烧焦",
        source="snap",
        photos=[jpeg()],
    )
    return services.assign(
        actor=world.users["safety_officer"],
        hazard=h,
        grade=HazardGrade.GENERAL,
        category=CheckCategory.UTILITIES,
        responsible=world.users[responsible],
        measures="更换插座",
        deadline=soon(),
    )


def test_extension_decisions_are_offered_only_with_an_extension_pending(world, login):
    h = _rectifying(world)
    officer = world.users["safety_officer"]
    actions = {m.action for m in workflow.available(h, officer)}
    assert not actions & {"approve_extension", "refuse_extension"}
    client = login(officer)
    url = reverse("hazards:act", args=[h.uuid])
    assert client.get(url, {"do": "approve_extension"}).status_code == 403
    services.request_extension(actor=world.users["department_head"], hazard=h, until=soon(30), reason="缺件")
    h.refresh_from_db()
    assert {"approve_extension", "refuse_extension"} <= {m.action for m in workflow.available(h, officer)}
    assert client.get(url, {"do": "approve_extension"}).status_code == 200


def test_the_fixer_cannot_open_the_accept_form_by_its_url(world, login):
    h = _rectifying(world, responsible="safety_officer")
    officer = world.users["safety_officer"]
    services.submit_for_acceptance(actor=officer, hazard=h, fix_note="已换", photos=[jpeg()])
    client = login(officer)
    url = reverse("hazards:act", args=[h.uuid])
    assert client.get(url, {"do": "accept"}).status_code == 403
    assert client.get(url, {"do": "reject_back"}).status_code == 403
    assert login(world.users["institution_head"]).get(url, {"do": "accept"}).status_code == 200


def test_a_third_party_assessor_is_not_offered_as_the_person_responsible(world):
    from shuangfang.duty.forms import institution_people
    from shuangfang.risks.forms import MeasureForm

    assessor = world.users["assessor"]
    h = _rectifying(world)
    assign = move_form_class(workflow.MOVES["assign"], h)()
    assert assessor not in assign.fields["responsible"].queryset  # type: ignore[attr-defined]
    assert world.users["staff"] in assign.fields["responsible"].queryset  # type: ignore[attr-defined]
    assert assessor not in MeasureForm(institution=world.inst_a).fields["responsible"].queryset  # type: ignore[attr-defined]
    assert assessor not in institution_people(world.inst_a)
    with pytest.raises(ValidationError):
        services.assign(
            actor=world.users["safety_officer"],
            hazard=services.report_hazard(
                actor=world.users["staff"], organization=world.inst_a, description="门坏", source="snap"
            ),
            grade=HazardGrade.GENERAL,
            category=CheckCategory.UTILITIES,
            responsible=assessor,
            measures="修门",
            deadline=soon(),
        )


# A figure shown with |default:"—" hides a zero ("0.0 days" became "—"): numbers use
# default_if_none or an explicit test for None.
NUMERIC_DEFAULT = re.compile(
    r"\{\{\s*[\w.]*(avg|rate|count|days|total|score|points|number_of)[\w.]*\s*\|\s*default:\s*[\"'](—|-|)[\"']"
)


def test_no_figure_hides_a_zero_behind_a_dash():
    found = []
    for path in (ROOT / "shuangfang").rglob("templates/**/*.html"):
        for i, line in enumerate(path.read_text().splitlines(), 1):
            if NUMERIC_DEFAULT.search(line):
                found.append(f"{path.relative_to(ROOT)}:{i}")
    assert not found, found


def test_average_days_to_close_shows_zero(world, login, monkeypatch):
    from shuangfang.hazards import stats

    real = stats.compute

    def zero(qs, period):
        data = real(qs, period)
        data["closing"]["avg_days"] = 0.0
        return data

    monkeypatch.setattr(stats, "compute", zero)
    html = login(world.users["safety_officer"]).get(reverse("hazards:statistics")).content.decode()
    assert re.search(r"<b>0\.0</b>", html)


def test_without_site_url_the_links_follow_the_port():
    env = {k: v for k, v in os.environ.items() if k != "SITE_URL"}
    env.update(PORT="9137", SHUANGFANG_TESTING="1", DJANGO_SETTINGS_MODULE="shuangfang.config.settings")
    code = "import django; django.setup(); from django.conf import settings; print(settings.SITE_URL)"
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "http://127.0.0.1:9137"


def test_the_hazard_ledger_has_a_named_sheet_typed_dates_and_photo_links(world, login):
    h = _rectifying(world)
    client = login(world.users["safety_officer"])
    client.cookies["django_language"] = "en"
    response = client.get(reverse("hazards:list"), {"export": "xlsx"})
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    ws = wb.worksheets[0]
    assert ws.title != "Sheet1" and ws.title
    headers = [c.value for c in ws[1]]
    row = {headers[i]: c.value for i, c in enumerate(ws[2])}
    assert isinstance(row["Deadline"], dt.datetime | dt.date) and isinstance(row["Reported at"], dt.datetime)
    photo = h.photos.first()
    assert photo is not None and str(photo.uuid) in str(row["Photos"])


def test_the_statistics_page_exports_what_it_shows(world, login):
    _rectifying(world)
    client = login(world.users["safety_officer"])
    client.cookies["django_language"] = "en"
    page = client.get(reverse("hazards:statistics")).content.decode()
    assert "export=xlsx" in page
    response = client.get(reverse("hazards:statistics"), {"export": "xlsx"})
    body = b"".join(response.streaming_content)
    wb = load_workbook(io.BytesIO(body))
    assert len(wb.worksheets) == 7
    figures = {r[0]: r[1] for r in wb.worksheets[0].iter_rows(min_row=2, values_only=True)}
    assert figures["Reported"] == 1 and figures["Still open"] == 1
