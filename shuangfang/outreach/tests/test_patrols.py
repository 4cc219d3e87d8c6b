"""Street patrols: start, encounters (optional place, position, photo with consent), end, and the
relief case opened from an encounter with the patrol's data."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from shuangfang.core.models import AuditEntry
from shuangfang.outreach import patrols
from shuangfang.outreach.models import Encounter
from shuangfang.relief.models import Case

pytestmark = pytest.mark.django_db
NIGHT = dt.datetime(2026, 1, 12, 22, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def _photo() -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (20, 20), "red").save(out, format="JPEG")
    return SimpleUploadedFile("p.jpg", out.getvalue(), content_type="image/jpeg")


@pytest.fixture
def patrol(world):
    with time_machine.travel(NIGHT, tick=False):
        return patrols.start_patrol(
            actor=world.users["staff"], organization=world.inst_a, team="夜巡一组", vehicle="豫A1234"
        )


def test_encounter_needs_only_the_action(world, patrol):
    with time_machine.travel(NIGHT + dt.timedelta(minutes=10), tick=False):
        e = patrols.log_encounter(
            actor=world.users["staff"], patrol=patrol, data={"action": "supplies", "supplies": "棉被1"}
        )
    assert (e.place, e.latitude, e.photo, e.need) == ("", None, "", "none")


def test_encounter_in_the_future_is_refused(world, patrol):
    with time_machine.travel(NIGHT, tick=False), pytest.raises(ValidationError) as exc:
        patrols.log_encounter(
            actor=world.users["staff"],
            patrol=patrol,
            data={"action": "refused", "at": NIGHT + dt.timedelta(hours=2)},
        )
    assert "future" in str(exc.value)
    assert not Encounter.objects.exists()


def test_bad_position_refused_and_half_position_dropped(world, patrol):
    with pytest.raises(ValidationError):
        patrols.log_encounter(
            actor=world.users["staff"],
            patrol=patrol,
            data={"action": "refused", "latitude": "91", "longitude": "1"},
        )
    e = patrols.log_encounter(
        actor=world.users["staff"], patrol=patrol, data={"action": "refused", "latitude": "34.7"}
    )
    assert e.latitude is None and e.longitude is None


def test_photo_only_with_consent(world, patrol, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with pytest.raises(ValidationError, match="consent"):
        patrols.log_encounter(
            actor=world.users["staff"], patrol=patrol, data={"action": "refused"}, photo=_photo()
        )
    e = patrols.log_encounter(
        actor=world.users["staff"], patrol=patrol, data={"action": "refused"}, photo=_photo(), consent=True
    )
    assert e.photo and e.photo_consent
    not_a_picture = SimpleUploadedFile("x.jpg", b"not a picture")
    with pytest.raises(ValidationError, match="picture"):
        patrols.log_encounter(
            actor=world.users["staff"],
            patrol=patrol,
            data={"action": "refused"},
            photo=not_a_picture,
            consent=True,
        )
    assert Encounter.objects.count() == 1


def test_ended_patrol_takes_no_encounter_and_ends_once(world, patrol):
    patrols.end_patrol(actor=world.users["staff"], patrol=patrol)
    with pytest.raises(ValidationError, match="ended"):
        patrols.log_encounter(actor=world.users["staff"], patrol=patrol, data={"action": "refused"})
    with pytest.raises(ValidationError, match="already ended"):
        patrols.end_patrol(actor=world.users["staff"], patrol=patrol)


def test_persuaded_encounter_opens_a_prefilled_relief_case(world, patrol):
    staff = world.users["staff"]
    with time_machine.travel(NIGHT + dt.timedelta(minutes=20), tick=False):
        e = patrols.log_encounter(
            actor=staff,
            patrol=patrol,
            data={"action": "persuaded", "place": "火车站北广场", "description": "男，约60岁"},
        )
        case = patrols.open_case(actor=staff, encounter=e, person_fields={"name": "无名氏", "sex": "male"})
    assert case.status == "registered" and case.escort_unit == "other"
    assert "火车站北广场" in case.reason and "男，约60岁" in case.reason and "夜巡一组" in case.escort_detail
    e.refresh_from_db()
    assert e.relief_case == case.uuid
    with pytest.raises(ValidationError, match="already"):
        patrols.open_case(actor=staff, encounter=e, person_fields={"name": "无名氏", "sex": "male"})
    refused = patrols.log_encounter(actor=staff, patrol=patrol, data={"action": "refused"})
    with pytest.raises(ValidationError, match="persuaded"):
        patrols.open_case(actor=staff, encounter=refused, person_fields={"name": "无名氏"})
    assert Case.objects.count() == 1


def test_phone_pages_log_an_encounter_and_the_view(world, patrol, login):
    client = login(world.users["staff"])
    url = reverse("outreach:patrol", kwargs={"uuid": patrol.uuid})
    r = client.post(
        url, {"action": "supplies", "need": "warmth", "place": "人民路地下通道", "supplies": "棉衣1件"}
    )
    assert r.status_code == 302
    assert Encounter.objects.get().place == "人民路地下通道"
    r = client.post(url, {"action": "nonsense", "need": "warmth"})
    assert r.status_code == 400 and Encounter.objects.count() == 1
    r = client.get(url)
    assert "人民路地下通道" in r.content.decode()
    assert AuditEntry.objects.filter(action="outreach.encounter_viewed", actor=world.users["staff"]).exists()


def test_admit_page_opens_the_case(world, patrol, login):
    e = patrols.log_encounter(
        actor=world.users["staff"], patrol=patrol, data={"action": "persuaded", "place": "北站"}
    )
    client = login(world.users["staff"])
    url = reverse("outreach:admit", kwargs={"uuid": e.uuid})
    assert "北站" in client.get(url).content.decode()
    r = client.post(url, {"name": "无名氏", "sex": "unknown", "age_estimate": "200"})
    assert r.status_code == 400 and not Case.objects.exists()
    r = client.post(url, {"name": "无名氏", "sex": "unknown", "age_estimate": "60"})
    assert r.status_code == 302 and Case.objects.get().person.age_estimate == 60
