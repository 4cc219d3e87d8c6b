"""Safety reports in the browser: a safety officer generates the institution's quarterly report from
the period picker, reads it (charts drawn as SVG, Chinese labels), downloads the PDF; the bureau
supervisor reads the bureau's report with its institutions table. Screenshots of the page and of
the PDF pages (pdftoppm) go to var/screenshots/."""

from __future__ import annotations

import subprocess

import pytest

from shuangfang.reports import services
from shuangfang.reports.periods import parse, report_kind
from shuangfang.reports.tests.helpers import period_records

from .conftest import SHOTS
from .test_dashboards_journey import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _fresh_content_types():
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()


def _pdf_pages(data: bytes, name: str) -> list:
    SHOTS.mkdir(parents=True, exist_ok=True)
    pdf = SHOTS / f"{name}.pdf"
    pdf.write_bytes(data)
    subprocess.run(["pdftoppm", "-r", "80", "-png", str(pdf), str(SHOTS / name)], check=True)
    return sorted(SHOTS.glob(f"{name}-*.png"))


def test_generate_read_and_download(live_server, world, desktop, shot, browser_errors):
    period_records(world.inst_a, world.users["safety_officer"], post=world.post_a)
    period_records(world.inst_b, world.users["safety_officer"])
    errors = browser_errors(desktop)
    log_in(desktop, live_server.url, "officer_a")
    desktop.goto(f"{live_server.url}/reports/")
    desktop.wait_for_selector("form.rp-generate select[name=period]")
    desktop.select_option("select[name=period]", "2026-Q3")
    desktop.click("form.rp-generate button[type=submit]")
    # Generation is a background job: its page shows the progress, then takes the officer there
    # (here the worker runs at once, so the job page already offers the report).
    title = "h1:has-text('2026年第3季度安全季报')"
    desktop.wait_for_selector(f"#job a:has-text('打开'), {title}")
    if desktop.locator("#job").count():
        desktop.click("#job a:has-text('打开')")
    desktop.wait_for_selector(title)
    assert desktop.locator("#rp-levels svg.chart").count() == 1
    assert desktop.locator("#rp-trend svg.chart").count() == 1
    assert "主要负责人签字" in desktop.inner_text("#rp-signature")
    shot(desktop, "reports-institution-quarter-desktop")
    with desktop.expect_download() as download:
        desktop.click("a:has-text('下载 Excel')")
    assert download.value.suggested_filename.endswith(".xlsx")
    pdf = desktop.request.get(desktop.url + "pdf/")
    assert pdf.ok and pdf.body().startswith(b"%PDF")
    pages = _pdf_pages(pdf.body(), "reports-institution-quarter-pdf")
    assert len(pages) >= 2
    assert errors == []


def test_bureau_report_page_and_pdf(live_server, world, desktop, shot, browser_errors):
    period_records(world.inst_a, world.users["safety_officer"], post=world.post_a)
    period_records(world.inst_b, world.users["safety_officer"])
    period = parse("2026-10")
    report = services.generate(world.bureau, report_kind(period), period.start, actor=None)
    errors = browser_errors(desktop)
    log_in(desktop, live_server.url, "supervisor")
    desktop.goto(f"{live_server.url}/reports/")
    desktop.wait_for_selector("table.striped tbody tr")
    desktop.click("table.striped tbody tr:first-child td:first-child a")
    desktop.wait_for_selector("#rp-institutions table tbody tr")
    assert desktop.locator("#rp-institutions tbody tr").count() == 2
    shot(desktop, "reports-bureau-month-desktop")
    _pdf_pages(bytes(report.pdf), "reports-bureau-month-pdf")
    assert errors == []
