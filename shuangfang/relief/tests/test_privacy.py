"""Masking, the access log and who sees what."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from shuangfang.core.models import AuditEntry
from shuangfang.core.tenancy import can
from shuangfang.relief.models import Case, Person

from .helpers import fake_id, new_case

pytestmark = pytest.mark.django_db


def test_numbers_masked_and_every_view_logged(world, login):
    case = new_case(world)
    number = case.person.id_number
    client = login(world.users["staff"])
    page = client.get(reverse("relief:case", kwargs={"uuid": case.uuid})).content.decode()
    assert number not in page and "13800001234" not in page
    assert f"{number[:3]}" in page and "138****1234" in page
    assert "relief:case_identity" not in page and "Show full numbers" not in page  # staff may not
    client.get(reverse("relief:case", kwargs={"uuid": case.uuid}))
    views = AuditEntry.objects.filter(action="relief.person_viewed", object_id=str(case.person.pk))
    assert views.count() == 2 and {v.actor for v in views} == {world.users["staff"]}


def test_show_full_numbers_is_audited(world, login):
    case = new_case(world)
    client = login(world.users["institution_head"])
    url = reverse("relief:case_identity", kwargs={"uuid": case.uuid})
    assert client.get(url).status_code == 405
    page = client.post(url).content.decode()
    assert case.person.id_number in page and "13800001234" in page
    shown = AuditEntry.objects.get(action="relief.identity_shown")
    assert shown.actor == world.users["institution_head"] and shown.object_id == str(case.person.pk)
    staff = login(world.users["staff"])
    assert staff.post(url).status_code == 404
    assert AuditEntry.objects.filter(action="relief.identity_shown").count() == 1


def test_the_bureau_and_the_elderly_home_see_no_names(world, login):
    case = new_case(world)
    for who in ("bureau_supervisor", "admin", "outsider", "assessor"):
        assert not can(world.users[who], "relief.view", world.inst_a), who
        client = login(world.users[who])
        assert client.get(reverse("relief:index")).status_code == 404
        assert client.get(reverse("relief:case", kwargs={"uuid": case.uuid})).status_code == 404
    # The elderly home's head holds every role right at home, none for relief.
    assert not Person.objects.for_user(world.users["outsider"], "relief.view").exists()
    assert Person.objects.for_user(world.users["staff"], "relief.view").count() == 1


def test_register_page_flow_with_repeat_confirmation(world, login):
    client = login(world.users["staff"])
    url = reverse("relief:register")
    data = {
        "name": "测试丙",
        "sex": "female",
        "birth_date": "1970-02-03",
        "id_type": "none",
        "id_number": "",
        "hukou_place": "虚构省某县",
        "region": "unknown",
        "support": "unknown",
        "escort_unit": "police",
        "escort_detail": "虚构派出所",
    }
    response = client.post(url, data)
    assert response.status_code == 302
    case = Case.objects.get()
    from shuangfang.relief import cases

    cases.move(case, "refuse", actor=world.users["staff"], reason="self_sufficient")
    again = client.post(url, data)
    assert again.status_code == 400 and "测试丙" in again.content.decode()  # asked to confirm
    assert Case.objects.count() == 1
    person = case.person
    done = client.post(url, {**data, "match": str(person.uuid)})
    assert done.status_code == 302
    assert Case.objects.filter(person=person, repeat=True).count() == 1
    assert Person.objects.count() == 1


def test_bad_input_on_the_page(world, login):
    client = login(world.users["staff"])
    base = {"name": "测试丁", "sex": "male", "id_type": "resident_id", "region": "unknown"}
    base.update(support="unknown", escort_unit="self")
    wrong = fake_id(dt.date(1980, 1, 1))
    wrong = wrong[:-1] + ("1" if wrong[-1] != "1" else "2")
    response = client.post(reverse("relief:register"), {**base, "id_number": wrong})
    assert response.status_code == 400
    assert "GB 11643" in response.content.decode()
    future = client.post(reverse("relief:register"), {**base, "id_type": "none", "birth_date": "2999-01-01"})
    assert future.status_code == 400
    assert not Case.objects.exists()
    ok = client.post(reverse("relief:register"), {**base, "id_number": wrong, "accept_id_warning": "on"})
    assert ok.status_code == 302


def test_move_with_bad_input_shows_the_reason(world, login):
    case = new_case(world)
    client = login(world.users["staff"])
    url = reverse("relief:case_move", kwargs={"uuid": case.uuid})
    response = client.post(url, {"action": "check", "check-method": "gate", "check-result": "items"})
    assert response.status_code == 400 and "List the items found" in response.content.decode()
    case.refresh_from_db()
    assert case.status == "registered"
    skip = client.post(url, {"action": "admit", "admit-zone": "A"})
    assert skip.status_code == 400


def test_photo_from_the_camera_is_checked_and_served_only_inside(world, login, settings, tmp_path):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    settings.MEDIA_ROOT = tmp_path
    buf = io.BytesIO()
    Image.new("RGB", (400, 300), (120, 90, 60)).save(buf, format="JPEG")
    base = {"name": "测试照片", "sex": "male", "id_type": "none", "region": "unknown", "support": "unknown"}
    base["escort_unit"] = "self"
    client = login(world.users["staff"])
    fake = SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")
    assert client.post(reverse("relief:register"), {**base, "photo": fake}).status_code == 400
    assert not Case.objects.exists()
    photo = SimpleUploadedFile("p.jpg", buf.getvalue(), content_type="image/jpeg")
    assert client.post(reverse("relief:register"), {**base, "photo": photo}).status_code == 302
    case = Case.objects.get()
    assert case.person.photo and case.person.photo_thumb
    url = reverse("relief:case_photo", kwargs={"uuid": case.uuid})
    assert client.get(url, {"size": "thumb"}).status_code == 200
    assert login(world.users["outsider"]).get(url).status_code == 404
