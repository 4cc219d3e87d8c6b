"""Through the pages: a session made with its quiz from the form, requirements added by an
institution, an issue beyond the stock refused with the reason, a drill ending before it starts."""

from __future__ import annotations

import datetime as dt

import pytest

from shuangfang.readiness.models import Question, Requirement, Session, Supply

from .helpers import defaults, drill_a, fire_course, supply_a

pytestmark = pytest.mark.django_db


def test_officer_makes_a_session_with_a_quiz_and_staff_see_it(world, login):
    defaults(world)
    officer = login(world.users["safety_officer"])
    response = officer.post(
        f"/readiness/institutions/{world.inst_a.uuid}/sessions/new/",
        {
            "course": fire_course(world).pk,
            "title": "灭火器使用培训",
            "delivery": "internal",
            "starts_at": "2026-03-10T09:00",
            "ends_at": "2026-03-10T10:00",
            "pass_mark": "60",
            "quiz": "灭火器压力表指针应在？ | 红区 | 绿区 | 2",
        },
    )
    assert response.status_code == 302
    session = Session.objects.get(title="灭火器使用培训")
    assert Question.objects.get(session=session).options == ["红区", "绿区"]
    page = officer.get(f"/readiness/sessions/{session.uuid}/")
    assert b"<svg" in page.content and session.sign_in_key.encode() in page.content
    mine = login(world.users["staff"]).get("/readiness/")
    assert "消防安全培训".encode() in mine.content and "灭火器使用培训".encode() in mine.content
    # A session that ends before it starts is refused on the form.
    bad = officer.post(
        f"/readiness/institutions/{world.inst_a.uuid}/sessions/new/",
        {
            "course": fire_course(world).pk,
            "title": "倒序",
            "delivery": "internal",
            "starts_at": "2026-03-10T10:00",
            "ends_at": "2026-03-10T09:00",
        },
    )
    assert bad.status_code == 200 and "培训结束时间必须晚于开始时间" in bad.content.decode()


def test_institution_adds_a_requirement_and_bureau_sees_defaults(world, login):
    defaults(world)
    head = login(world.users["institution_head"])
    response = head.post(
        f"/readiness/requirements/?org={world.inst_a.uuid}",
        {
            "form": "requirement",
            "course": fire_course(world).pk,
            "applies_to": "role",
            "role": "safety_officer",
            "due_within_days": "7",
        },
    )
    assert response.status_code == 302
    assert Requirement.objects.filter(organization=world.inst_a, role="safety_officer").exists()
    page = login(world.users["bureau_supervisor"]).get("/readiness/requirements/")
    assert b"F.3" in page.content  # the defaults' sources are shown


def test_issue_beyond_stock_is_refused_with_the_reason(world, login):
    supply = supply_a(world)  # 10 in stock
    officer = login(world.users["safety_officer"])
    response = officer.post(
        f"/readiness/supplies/{supply.uuid}/move/", {"quantity": "11", "action": "issue"}, follow=True
    )
    assert "库存仅 10" in response.content.decode()  # the pages speak Chinese by default
    assert Supply.objects.get(pk=supply.pk).quantity == 10


def test_a_drill_ending_before_it_starts_is_refused_on_the_page(world, login):
    drill = drill_a(world)
    officer = login(world.users["safety_officer"])
    response = officer.post(
        f"/readiness/drills/{drill.uuid}/record/",
        {"started_at": "2026-03-20T10:00", "ended_at": "2026-03-20T09:00", "others": "0", "steps": ""},
        follow=True,
    )
    assert "演练结束时间不能早于开始时间" in response.content.decode()
    drill.refresh_from_db()
    assert drill.status == "planned"


def test_a_department_head_sees_the_status_of_their_department(world, login):
    defaults(world)
    page = login(world.users["department_head"]).get("/readiness/status/").content.decode()
    assert "cook_a" in page and "depthead_a" in page
    assert "officer_a" not in page and ">head_a<" not in page


def test_certificates_uploaded_with_a_photo_are_listed_with_their_expiry(world, login):
    """The officer uploads the cook's 消防设施操作员 certificate with its photo: the status page lists
    it with its state on the day (expires in 20 days: 即将到期, "expires soon"); the photo is served to the
    cook and to whoever sees the cook's status, and is a 404 to an outsider. A file that is not a
    picture is refused with the reason and nothing is saved."""
    from shuangfang.readiness.models import Certificate

    from .helpers import jpeg, pdf

    cook = world.users["staff"]
    officer = login(world.users["safety_officer"])
    url = f"/readiness/institutions/{world.inst_a.uuid}/certificates/new/"
    form = {"person": cook.pk, "name": "消防设施操作员", "number": "2023-0001", "issued_on": "2023-03-21"}
    refused = officer.post(url, {**form, "expires_on": "2026-03-21", "photo": pdf("证书.pdf")})
    assert refused.status_code == 200 and "photo" in refused.context["form"].errors
    assert not Certificate.objects.exists()
    response = officer.post(url, {**form, "expires_on": "2026-03-21", "photo": jpeg("证书.jpg")})
    assert response.status_code == 302
    cert = Certificate.objects.get()
    assert (cert.person, cert.expires_on, cert.photo_type) == (cook, dt.date(2026, 3, 21), "JPEG")
    page = officer.get(f"/readiness/status/?org={world.inst_a.uuid}")
    (row,) = [r for r in page.content.decode().split("<tr") if "data-certificate" in r]
    assert "消防设施操作员" in row and "2026-03-21" in row and "即将到期" in row and "rd-due" in row
    photo_url = f"/readiness/certificates/{cert.uuid}/photo/"
    for persona in ("staff", "safety_officer", "department_head", "bureau_supervisor"):
        got = login(world.users[persona]).get(photo_url)
        assert got.status_code == 200 and got["Content-Type"] == "image/jpeg", persona
        assert got.content == bytes(cert.photo or b"")
    assert login(world.users["outsider"]).get(photo_url).status_code == 404
    # The cook sees it on "My training", with the photo.
    mine = login(cook).get("/readiness/").content.decode()
    assert "消防设施操作员" in mine and photo_url in mine
