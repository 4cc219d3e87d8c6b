"""Services: a visitor's report (all or nothing, photos cleaned), the officer's three decisions, the
visitor's plain status following the hazard, posters made once and switched off, the limits."""

from __future__ import annotations

import datetime as dt
import io
import zoneinfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from shuangfang.core.audit import AuditEntry
from shuangfang.core.vocabulary import CheckCategory, HazardGrade
from shuangfang.hazards import services as hazards
from shuangfang.hazards.choices import Source
from shuangfang.hazards.models import Hazard, HazardPhoto
from shuangfang.publicreports import services
from shuangfang.publicreports.choices import PublicStatus, RejectReason, Status
from shuangfang.publicreports.models import Poster, PublicPhoto, PublicReport

from .factories import jpeg, poster_at

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 12, 1, 10, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))


def status_of(code: str) -> PublicStatus:
    """What the visitor's follow-up page says for ``code``."""
    found = services.report_by_code(code)
    assert found is not None
    return services.public_status(found).status


def send(poster, *, text="走廊灯坏了", photos=(), address="203.0.113.7", device="phone-1", phone=""):
    return services.submit_report(
        poster=poster, text=text, phone=phone, photos=list(photos), address=address, device=device
    )


def test_a_visitor_report_lands_in_the_queue_with_a_follow_up_code(world, point):
    poster = poster_at(world.inst_a, point)
    report = send(poster, photos=[jpeg()], phone="138 0000 0000")
    assert report.status == Status.RECEIVED
    assert report.organization == world.inst_a
    assert len(report.follow_code) == services.FOLLOW_CODE_LENGTH
    assert set(report.follow_code) <= set(services.ALPHABET)
    assert report.photos.count() == 1
    assert report.sender and "203.0.113.7" not in report.sender  # a keyed hash, not the address
    assert services.public_status(report).status == PublicStatus.RECEIVED
    entry = AuditEntry.objects.get(action="publicreport.submit")
    assert entry.actor is None and entry.organization == world.inst_a and entry.object_id == str(report.pk)


def test_a_report_needs_a_photo_or_a_line(world):
    poster = poster_at(world.inst_a)
    with pytest.raises(ValidationError, match="photo or write a line"):
        send(poster, text="   ")
    assert send(poster, text="", photos=[jpeg()]).text == ""
    assert PublicReport.objects.count() == 1


def test_a_bad_phone_number_is_refused_and_nothing_is_kept(world):
    with pytest.raises(ValidationError, match="digits"):
        send(poster_at(world.inst_a), phone="<script>")
    assert not PublicReport.objects.exists()


def test_a_switched_off_poster_takes_no_report(world, officer):
    poster = poster_at(world.inst_a)
    services.switch_poster(actor=officer, poster=poster, on=False)
    with pytest.raises(ValidationError, match="switched off"):
        send(poster)
    assert not PublicReport.objects.exists()
    services.switch_poster(actor=officer, poster=poster, on=True)
    assert send(poster).pk


def test_only_an_officer_of_the_institution_switches_a_poster(world):
    poster = poster_at(world.inst_a)
    for who in ("staff", "outsider"):
        with pytest.raises(PermissionDenied):
            services.switch_poster(actor=world.users[who], poster=poster, on=False)
    poster.refresh_from_db()
    assert poster.is_active


# --- photos ---------------------------------------------------------------------------------------


def test_a_40_mb_photo_is_refused_and_nothing_is_stored(world):
    big = SimpleUploadedFile(
        "big.jpg", b"\xff\xd8\xff" + b"\0" * (40 * 1024 * 1024), content_type="image/jpeg"
    )
    with pytest.raises(ValidationError, match="limit"):
        send(poster_at(world.inst_a), photos=[jpeg(), big])
    assert not PublicReport.objects.exists() and not PublicPhoto.objects.exists()
    assert not default_storage.exists("publicreports") or not any(default_storage.listdir("publicreports"))


def test_a_file_that_is_not_a_picture_is_refused(world):
    fake = SimpleUploadedFile("photo.jpg", b"MZ\x90\x00 this is a program", content_type="image/jpeg")
    with pytest.raises(ValidationError, match="not a picture"):
        send(poster_at(world.inst_a), photos=[fake])
    assert not PublicReport.objects.exists()


def test_too_many_pixels_are_refused_before_decoding(world, settings):
    settings.IMAGE_MAX_PIXELS = 1_000_000
    with pytest.raises(ValidationError, match="megapixels"):
        send(poster_at(world.inst_a), photos=[jpeg(size=(1200, 1000))])


def test_too_many_photos_are_refused(world, settings):
    settings.PUBLIC_REPORT_MAX_PHOTOS = 2
    with pytest.raises(ValidationError, match="at most 2"):
        send(poster_at(world.inst_a), photos=[jpeg(), jpeg(), jpeg()])


def _exif_with_script_and_gps() -> bytes:
    exif = Image.Exif()
    exif[0x010E] = "<script>alert('x')</script>"  # ImageDescription
    exif[0x013B] = "<img src=x onerror=alert(1)>"  # Artist
    exif[0x8825] = {1: "N", 2: (34.0, 47.0, 50.0), 3: "E", 4: (114.0, 18.0, 26.0)}  # GPS
    return exif.tobytes()


def test_exif_is_stripped_so_a_script_or_a_position_in_it_never_travels(world):
    upload = jpeg(size=(320, 240), exif=_exif_with_script_and_gps())
    assert b"<script>" in upload.read()
    upload.seek(0)
    report = send(poster_at(world.inst_a), photos=[upload])
    p = report.photos.get()
    for name in (p.original, p.display, p.thumb):
        with default_storage.open(name, "rb") as fh:
            data = fh.read()
        assert b"<script>" not in data and b"onerror" not in data
        with Image.open(io.BytesIO(data)) as img:
            assert not img.getexif(), name
            assert img.format == "JPEG"
    assert (p.width, p.height) == (320, 240)


def test_a_rotated_phone_photo_is_kept_upright(world):
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    report = send(poster_at(world.inst_a), photos=[jpeg(size=(400, 300), exif=exif.tobytes())])
    p = report.photos.get()
    assert (p.width, p.height) == (300, 400)


# --- abuse control --------------------------------------------------------------------------------


def test_one_phone_cools_off_between_reports(world):
    poster = poster_at(world.inst_a)
    with time_machine.travel(T0, tick=False) as clock:
        send(poster, device="phone-1")
        with pytest.raises(services.Limited, match="120 seconds"):
            send(poster, device="phone-1", address="203.0.113.8")
        send(poster, device="phone-2", address="203.0.113.9")  # another phone is not held up
        clock.shift(121)
        send(poster, device="phone-1", address="203.0.113.8")
    assert PublicReport.objects.count() == 3


def test_a_flood_from_one_address_is_limited_and_what_came_before_is_kept(world, settings):
    settings.PUBLIC_REPORT_PER_ADDRESS = 5
    poster = poster_at(world.inst_a)
    for i in range(5):
        send(poster, device=f"phone-{i}", address="198.51.100.20")
    with pytest.raises(services.Limited, match="your network"):
        send(poster, device="phone-new", address="198.51.100.20")
    assert PublicReport.objects.count() == 5
    send(poster, device="phone-other", address="198.51.100.21")
    assert PublicReport.objects.count() == 6


def test_a_poster_takes_at_most_its_count_per_hour(world, settings):
    settings.PUBLIC_REPORT_PER_POSTER = 3
    poster, other = poster_at(world.inst_a), poster_at(world.inst_b)
    for i in range(3):
        send(poster, device=f"d{i}", address=f"198.51.100.{i}")
    with pytest.raises(services.Limited, match="This poster"):
        send(poster, device="d9", address="198.51.100.9")
    send(other, device="d10", address="198.51.100.10")


def test_refused_uploads_count_as_attempts(world, settings):
    settings.PUBLIC_REPORT_PER_ADDRESS = 2
    poster = poster_at(world.inst_a)
    fake = SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")
    for _i in range(2):
        with pytest.raises(ValidationError, match="not a picture"):
            send(poster, photos=[fake], address="198.51.100.30")
    with pytest.raises(services.Limited):
        send(poster, address="198.51.100.30")


# --- triage ---------------------------------------------------------------------------------------


def test_confirming_files_one_hazard_with_the_photos_and_the_status_follows_it(world, officer, point):
    report = send(poster_at(world.inst_a, point), text="厨房燃气软管老化开裂", photos=[jpeg(), jpeg()])
    hazard = services.confirm(actor=officer, report=report, category=CheckCategory.UTILITIES)
    report.refresh_from_db()
    assert report.status == Status.CONFIRMED and report.hazard == hazard
    assert hazard.source == Source.SNAP and hazard.origin == f"public-report:{report.uuid}"
    assert hazard.risk_point == point and hazard.description == "厨房燃气软管老化开裂"
    assert HazardPhoto.objects.filter(hazard=hazard).count() == 2
    assert hazard.reporter == officer  # the visitor has no account; their phone stays here
    assert services.public_status(report).status == PublicStatus.FIXING

    hazards.assign(
        actor=officer,
        hazard=hazard,
        grade=HazardGrade.GENERAL,
        category=CheckCategory.UTILITIES,
        responsible=world.users["staff"],
        measures="更换软管",
        deadline=dt.date.today() + dt.timedelta(days=3),
    )
    hazards.submit_for_acceptance(
        actor=world.users["staff"],
        hazard=hazard,
        fix_note="已更换",
        photos=[jpeg()],
        cause="老化",
        preventive_measures="每月检查",
    )
    assert status_of(report.follow_code) == PublicStatus.FIXING
    hazards.accept(actor=world.users["institution_head"], hazard=hazard)
    assert status_of(report.shown_follow_code.lower()) == PublicStatus.FIXED


def test_a_report_is_confirmed_once_even_when_two_officers_click(world, officer):
    report = send(poster_at(world.inst_a))
    same = PublicReport.objects.get(pk=report.pk)
    services.confirm(actor=officer, report=report)
    with pytest.raises(ValidationError):
        services.confirm(actor=world.users["institution_head"], report=same)
    assert Hazard.objects.filter(origin=f"public-report:{report.uuid}").count() == 1
    assert Hazard.objects.count() == 1


def test_confirming_into_a_known_hazard_files_none(world, officer):
    known = hazards.report_hazard(
        actor=officer, organization=world.inst_a, description="安全出口堵塞", source=Source.ROUTINE
    )
    report = send(poster_at(world.inst_a))
    assert services.confirm(actor=officer, report=report, existing=known) == known
    assert Hazard.objects.count() == 1
    other = hazards.report_hazard(
        actor=world.users["outsider"], organization=world.inst_b, description="x", source=Source.ROUTINE
    )
    second = send(poster_at(world.inst_a), device="phone-2", address="203.0.113.99")
    with pytest.raises(ValidationError, match="another institution"):
        services.confirm(actor=officer, report=second, existing=other)
    second.refresh_from_db()
    assert second.status == Status.RECEIVED


def test_a_rejected_hazard_reads_as_checked(world, officer):
    report = send(poster_at(world.inst_a))
    hazard = services.confirm(actor=officer, report=report)
    hazards.reject(actor=officer, hazard=hazard, reason="现场核实不存在")
    assert status_of(report.follow_code) == PublicStatus.NO_ACTION


def test_merged_reports_follow_the_first_one(world, officer):
    poster = poster_at(world.inst_a)
    first = send(poster, device="a", address="203.0.113.1")
    second = send(poster, device="b", address="203.0.113.2")
    third = send(poster, device="c", address="203.0.113.3")
    services.merge(actor=officer, report=second, into=first)
    services.merge(actor=officer, report=third, into=second)  # a chain ends at the first
    third.refresh_from_db()
    assert third.duplicate_of == first
    hazard = services.confirm(actor=officer, report=first)
    hazards.confirm_fix_now(
        actor=officer, hazard=hazard, grade=HazardGrade.GENERAL, category=CheckCategory.FIRE,
        fix_note="已清理", photos=[jpeg()],
    )  # fmt: skip
    hazards.accept(actor=world.users["institution_head"], hazard=hazard)
    for r in (second, third):
        assert status_of(r.follow_code) == PublicStatus.FIXED
    assert Hazard.objects.count() == 1


def test_merge_refuses_itself_and_other_institutions(world, officer):
    mine = send(poster_at(world.inst_a))
    theirs = send(poster_at(world.inst_b), device="x", address="203.0.113.50")
    with pytest.raises(ValidationError, match="itself"):
        services.merge(actor=officer, report=mine, into=mine)
    with pytest.raises(ValidationError, match="same institution"):
        services.merge(actor=officer, report=mine, into=theirs)
    mine.refresh_from_db()
    assert mine.status == Status.RECEIVED


def test_reject_needs_a_reason_and_the_visitor_reads_checked(world, officer):
    report = send(poster_at(world.inst_a))
    with pytest.raises(ValidationError, match="why"):
        services.reject(actor=officer, report=report, reason="")
    services.reject(actor=officer, report=report, reason=RejectReason.NOT_GENUINE, note="测试提交")
    report.refresh_from_db()
    assert report.status == Status.REJECTED and report.decided_by == officer
    assert services.public_status(report).status == PublicStatus.NO_ACTION
    with pytest.raises(ValidationError):
        services.confirm(actor=officer, report=report)


def test_staff_and_outsiders_cannot_decide(world):
    report = send(poster_at(world.inst_a))
    for who in ("staff", "department_head", "outsider", "bureau_supervisor"):
        with pytest.raises(PermissionDenied):
            services.reject(actor=world.users[who], report=report, reason=RejectReason.NOT_A_HAZARD)
        with pytest.raises(PermissionDenied):
            services.confirm(actor=world.users[who], report=report)
    assert not Hazard.objects.exists()


# --- posters --------------------------------------------------------------------------------------


def test_posters_are_made_once_for_the_institution_and_each_risk_point(world, officer, point):
    assert services.make_posters(actor=officer, institution=world.inst_a) == 2
    assert services.make_posters(actor=officer, institution=world.inst_a) == 0
    posters = Poster.objects.filter(organization=world.inst_a)
    assert {p.risk_point for p in posters} == {None, point}
    assert len({p.code for p in posters}) == 2
    with pytest.raises(PermissionDenied):
        services.make_posters(actor=world.users["outsider"], institution=world.inst_a)


def test_codes_typed_with_dashes_and_lower_case_are_found(world):
    report = send(poster_at(world.inst_a))
    code = report.shown_follow_code
    assert "-" in code
    assert services.report_by_code(f" {code.lower()} ") == report
    assert services.report_by_code("AAAAA-AAAAA") is None
    assert services.report_by_code("") is None
