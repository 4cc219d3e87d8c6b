"""Pages: the visitor's (no login: what they can and cannot see, refusals with a clear page) and the
officer's (queue with flat query counts, decisions, photos scoped, posters as one-page PDFs)."""

from __future__ import annotations

import re
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from shuangfang.hazards.models import Hazard
from shuangfang.publicreports import services
from shuangfang.publicreports.choices import Status
from shuangfang.publicreports.models import PublicReport
from shuangfang.publicreports.public_views import DEVICE_COOKIE

from .factories import jpeg, poster_at, report_at

pytestmark = pytest.mark.django_db


def visitor(address: str = "203.0.113.5") -> Client:
    return Client(REMOTE_ADDR=address, HTTP_ACCEPT_LANGUAGE="en")


def open_and_send(client: Client, poster, **data):
    form = client.get(reverse("publicreports:report", args=[poster.code]))
    assert form.status_code == 200
    return client.post(reverse("publicreports:report", args=[poster.code]), {"text": "", "phone": "", **data})


# --- the visitor ---------------------------------------------------------------------------------


def test_a_visitor_without_an_account_reports_and_follows(world, point):
    poster = poster_at(world.inst_a, point)
    client = visitor()
    page = client.get(reverse("publicreports:report", args=[poster.code.lower()]))
    assert page.status_code == 200
    html = page.content.decode()
    assert world.inst_a.name in html and "厨房" in html
    assert "no-store" in page["Cache-Control"] and page["Referrer-Policy"] == "same-origin"
    assert DEVICE_COOKIE in page.cookies
    sent = client.post(
        reverse("publicreports:report", args=[poster.code]),
        {"text": "灶台旁边的灭火器过期了", "phone": "", "photos": [jpeg()]},
    )
    report = PublicReport.objects.get()
    assert sent.status_code == 302 and sent["Location"].startswith(
        reverse("publicreports:follow", args=[report.follow_code])
    )
    follow = client.get(sent["Location"])
    text = follow.content.decode()
    assert follow.status_code == 200
    assert report.shown_follow_code in text and "Received: we are checking it" in text
    assert "Thank you. Your report was received." in text
    again = client.get(sent["Location"]).content.decode()  # the URL kept: no thank-you twice
    assert "Thank you" not in again and "Received: we are checking it" in again
    assert "灶台旁边的灭火器过期了" not in text  # not even the visitor's own words are echoed


def test_the_follow_up_page_never_shows_internal_details(world, officer):
    report = report_at(world.inst_a, text="二楼走廊应急灯不亮")
    hazard = services.confirm(actor=officer, report=report, note="内部备注：联系物业")
    other = report_at(world.inst_a, text="另一位访客的报告：地面湿滑")
    text = visitor().get(reverse("publicreports:follow", args=[report.follow_code])).content.decode()
    assert "Being fixed" in text
    for secret in (
        hazard.number,
        "内部备注",
        officer.name,
        officer.username,
        "另一位访客",
        other.follow_code,
        str(report.uuid),
        str(hazard.uuid),
        "/hazards/",
        "/publicreports/" + str(report.uuid),
    ):
        assert secret not in text, secret


def test_an_anonymous_visitor_cannot_open_officer_pages(world):
    report = report_at(world.inst_a, photo=True)
    client = visitor()
    for url in (
        reverse("publicreports:queue"),
        reverse("publicreports:detail", args=[report.uuid]),
        reverse("publicreports:photo", args=[report.photos.get().uuid]),
        reverse("publicreports:posters"),
        reverse("publicreports:poster_pdf", args=[report.poster.uuid]),
        reverse("hazards:list"),
    ):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login")), url


def test_a_wrong_follow_up_code_says_so_and_guessing_is_limited(world, settings):
    settings.PUBLIC_REPORT_PER_ADDRESS = 1  # ten look-ups an hour per address
    client = visitor("198.51.100.77")
    for _i in range(10):
        assert client.get(reverse("publicreports:follow", args=["ABCDE-FGHJK"])).status_code == 404
    limited = client.get(reverse("publicreports:follow", args=["ABCDE-FGHJK"]))
    assert limited.status_code == 429 and "Too many look-ups" in limited.content.decode()
    lookup = client.get(reverse("publicreports:follow_lookup"), {"code": "abcde fghjk"})
    assert lookup.status_code == 302 and lookup["Location"].endswith("/f/ABCDEFGHJK/")


def test_a_switched_off_poster_gets_a_clear_page(world, officer):
    poster = poster_at(world.inst_a)
    services.switch_poster(actor=officer, poster=poster, on=False)
    client = visitor()
    page = client.get(reverse("publicreports:report", args=[poster.code]))
    assert page.status_code == 410 and "switched off" in page.content.decode()
    assert client.post(reverse("publicreports:report", args=[poster.code]), {"text": "x"}).status_code == 410
    assert not PublicReport.objects.exists()


def test_an_unknown_poster_code_is_a_404_page(world):
    page = visitor().get(reverse("publicreports:report", args=["NOPE2345"]))
    assert page.status_code == 404 and "Unknown QR code" in page.content.decode()


def test_a_post_without_the_phones_cookie_is_refused(world):
    poster = poster_at(world.inst_a)
    response = visitor().post(reverse("publicreports:report", args=[poster.code]), {"text": "flood"})
    assert response.status_code == 400 and "Open the page again" in response.content.decode()
    assert not PublicReport.objects.exists()


def test_a_flood_from_one_address_gets_429_and_earlier_reports_stay(world, settings):
    settings.PUBLIC_REPORT_PER_ADDRESS = 3
    settings.PUBLIC_REPORT_COOLING_SECONDS = 0
    poster = poster_at(world.inst_a)
    for i in range(3):
        assert open_and_send(visitor("198.51.100.9"), poster, text=f"报告 {i}").status_code == 302
    response = open_and_send(visitor("198.51.100.9"), poster, text="第四次")
    assert response.status_code == 429 and "Too many reports" in response.content.decode()
    assert response["Retry-After"]
    assert PublicReport.objects.count() == 3


def test_the_same_phone_cools_off_and_keeps_what_it_typed(world):
    poster = poster_at(world.inst_a)
    client = visitor()
    assert open_and_send(client, poster, text="第一次").status_code == 302
    again = client.post(reverse("publicreports:report", args=[poster.code]), {"text": "第二次：还在漏水"})
    assert again.status_code == 429
    html = again.content.decode()
    assert "seconds" in html and "第二次：还在漏水" in html  # the text is still in the form
    assert PublicReport.objects.count() == 1


def test_bad_uploads_get_a_clear_message(world):
    poster = poster_at(world.inst_a)
    fake = SimpleUploadedFile("a.jpg", b"<?php echo 1; ?>", content_type="image/jpeg")
    response = open_and_send(visitor(), poster, text="看图", photos=[fake])
    assert response.status_code == 400 and "not a picture" in response.content.decode()
    assert not PublicReport.objects.exists()


def test_the_visitor_page_in_chinese(world):
    poster = poster_at(world.inst_a)
    page = Client(HTTP_ACCEPT_LANGUAGE="zh-hans").get(reverse("publicreports:report", args=[poster.code]))
    html = page.content.decode()
    assert "无需" in html


# --- the officer ---------------------------------------------------------------------------------


def test_the_queue_shows_reports_marked_public_and_its_queries_do_not_grow(
    world, login, django_assert_max_num_queries
):
    client = login(world.users["safety_officer"])
    report_at(world.inst_a, photo=True)
    url = reverse("publicreports:queue") + "?status=received"
    with django_assert_max_num_queries(50) as few:
        assert client.get(url).status_code == 200
    for _i in range(6):
        report_at(world.inst_a, photo=True)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url)
    assert page.content.decode().count("/publicreports/") >= 7
    assert client.get(reverse("publicreports:queue")).status_code == 302  # lands on "to triage"
    export = client.get(url + "&export=xlsx")
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxml")


def test_the_queue_of_an_outsider_shows_none_of_institution_a(world, login):
    report_at(world.inst_a, text="甲机构的报告")
    page = login(world.users["outsider"]).get(reverse("publicreports:queue") + "?status=")
    assert page.status_code == 200 and "甲机构的报告" not in page.content.decode()


def test_my_hazards_points_the_officer_to_the_public_reports(world, login):
    report_at(world.inst_a)
    report_at(world.inst_a)
    page = login(world.users["safety_officer"]).get(reverse("hazards:mine")).content.decode()
    assert "待处理的公众报告" in page and reverse("publicreports:queue") in page
    staff_page = login(world.users["staff"]).get(reverse("hazards:mine")).content.decode()
    assert "待处理的公众报告" not in staff_page


def test_the_officer_confirms_from_the_page(world, login):
    report = report_at(world.inst_a, photo=True)
    client = login(world.users["safety_officer"])
    detail = client.get(reverse("publicreports:detail", args=[report.uuid]))
    assert detail.status_code == 200 and "公众" in detail.content.decode()  # officers read Chinese
    photo = report.photos.get()
    assert client.get(reverse("publicreports:photo", args=[photo.uuid]) + "?size=thumb").status_code == 200
    done = client.post(
        reverse("publicreports:act", args=[report.uuid]),
        {"do": "confirm", "description": "", "category": "fire", "existing": "", "note": ""},
    )
    assert done.status_code == 302
    report.refresh_from_db()
    hazard = Hazard.objects.get()
    assert report.status == Status.CONFIRMED and report.hazard == hazard and hazard.category == "fire"
    page = client.get(reverse("hazards:detail", args=[hazard.uuid])).content.decode()
    assert "公众报告（二维码海报）" in page


def test_bad_decisions_are_refused_with_the_reason(world, login):
    report = report_at(world.inst_a)
    client = login(world.users["safety_officer"])
    url = reverse("publicreports:act", args=[report.uuid])
    no_reason = client.post(url, {"do": "reject", "reason": ""})
    assert no_reason.status_code == 400
    unknown = client.post(url, {"do": "confirm", "existing": "YH-1999-9999"})
    assert unknown.status_code == 400 and "本机构没有编号为 YH-1999-9999 的隐患" in unknown.content.decode()
    assert client.post(url, {"do": "explode"}).status_code == 404
    report.refresh_from_db()
    assert report.status == Status.RECEIVED and not Hazard.objects.exists()


def test_merge_and_reject_from_the_page(world, login):
    first, second, third = report_at(world.inst_a), report_at(world.inst_a), report_at(world.inst_a)
    client = login(world.users["safety_officer"])
    assert (
        client.post(
            reverse("publicreports:act", args=[second.uuid]), {"do": "merge", "into": str(first.uuid)}
        ).status_code
        == 302
    )
    assert (
        client.post(
            reverse("publicreports:act", args=[third.uuid]), {"do": "reject", "reason": "not_genuine"}
        ).status_code
        == 302
    )
    second.refresh_from_db()
    third.refresh_from_db()
    assert second.duplicate_of == first and third.status == Status.REJECTED


def _page_sizes(pdf: bytes) -> list[tuple[float, float]]:
    """The MediaBox of every page (WeasyPrint packs the page objects in compressed streams)."""
    boxes = []
    for m in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            data = zlib.decompress(m.group(1))
        except zlib.error:
            continue
        boxes += re.findall(rb"/MediaBox\s*\[([^\]]+)\]", data)
    return [(float(b.split()[2]), float(b.split()[3])) for b in boxes]


@pytest.mark.parametrize(("size", "width", "height"), [("a4", 595, 842), ("a5", 420, 595)])
def test_posters_print_on_one_page_of_a4_or_a5(world, login, point, size, width, height):
    client = login(world.users["safety_officer"])
    assert (
        client.post(
            reverse("publicreports:posters_make"), {"institution": str(world.inst_a.uuid)}
        ).status_code
        == 302
    )
    page = client.get(reverse("publicreports:posters")).content.decode()
    assert "厨房" in page
    poster = poster_at(world.inst_a, point)
    pdf = client.get(reverse("publicreports:poster_pdf", args=[poster.uuid]), {"size": size})
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    sizes = _page_sizes(pdf.content)
    assert len(sizes) == 1, sizes  # one page
    assert abs(sizes[0][0] - width) < 2 and abs(sizes[0][1] - height) < 2
    assert (
        client.get(reverse("publicreports:poster_pdf", args=[poster.uuid]), {"size": "a3"}).status_code == 404
    )


def test_the_poster_holds_the_chinese_text_and_the_code(world, point):
    from django.template.loader import render_to_string

    poster = poster_at(world.inst_a, point)
    html = render_to_string(
        "publicreports/poster_pdf.html",
        {
            "poster": poster,
            "institution": world.inst_a,
            "size": "a5",
            "url": "https://x/p/" + poster.code,
            "qr": "",
        },
    )
    assert world.inst_a.name in html and "位置：厨房" in html and "扫码" in html and poster.code in html


def test_switching_a_poster_off_from_the_page(world, login):
    poster = poster_at(world.inst_a)
    client = login(world.users["safety_officer"])
    assert (
        client.post(reverse("publicreports:poster_switch", args=[poster.uuid]), {"on": "0"}).status_code
        == 302
    )
    poster.refresh_from_db()
    assert not poster.is_active
    assert visitor().get(reverse("publicreports:report", args=[poster.code])).status_code == 410
