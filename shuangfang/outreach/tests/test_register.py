"""The at-risk register: revisits due in January and July (controlled clock), idempotent sweep
telling the assignee through the outbox, a removed person's revisit refused, masking and logging."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from shuangfang.core.models import AuditEntry, OutboxEvent
from shuangfang.outreach import register
from shuangfang.outreach.register_models import AtRiskPerson, Revisit

pytestmark = pytest.mark.django_db
CST = dt.timezone(dt.timedelta(hours=8))


def add(w, name="登记甲", **kw):
    fields = {
        "name": name,
        "category": "dementia",
        "community": "虚构镇虚构村",
        "guardian": "监护人乙",
        "guardian_phone": "13800005678",
        "id_number": "99999919500101001X",
    }
    fields.update(kw)
    return register.add_person(
        actor=w.users["bureau_supervisor"],
        organization=w.bureau,
        fields=fields,
        assignee=w.users["bureau_supervisor"],
    )


def test_current_period_is_january_or_july():
    assert register.current_period(dt.date(2027, 1, 1)) == dt.date(2027, 1, 1)
    assert register.current_period(dt.date(2027, 6, 30)) == dt.date(2027, 1, 1)
    assert register.current_period(dt.date(2027, 7, 2)) == dt.date(2027, 7, 1)
    assert register.current_period(dt.date(2027, 12, 31)) == dt.date(2027, 7, 1)


def test_revisits_due_in_january_and_july(world):
    with time_machine.travel(dt.datetime(2026, 11, 20, 10, tzinfo=CST), tick=False):
        person = add(world)
    with time_machine.travel(dt.datetime(2026, 12, 30, 6, 40, tzinfo=CST), tick=False):
        assert register.sweep() == 0  # July's period began before the person was added
    with time_machine.travel(dt.datetime(2027, 1, 1, 6, 40, tzinfo=CST), tick=False):
        assert register.sweep() == 1
        assert register.sweep() == 0  # idempotent
    with time_machine.travel(dt.datetime(2027, 4, 1, 6, 40, tzinfo=CST), tick=False):
        assert register.sweep() == 0
    with time_machine.travel(dt.datetime(2027, 7, 1, 6, 40, tzinfo=CST), tick=False):
        assert register.sweep() == 1
    assert list(Revisit.objects.filter(person=person).values_list("period", flat=True)) == [
        dt.date(2027, 7, 1),
        dt.date(2027, 1, 1),
    ]
    told = OutboxEvent.objects.filter(kind="outreach.revisits_due")
    assert told.count() == 2
    assert all("登记甲" not in str(e.payload) for e in told)


def test_revisit_months_are_a_setting(world, settings):
    settings.OUTREACH_REVISIT_MONTHS = (3, 9)
    with time_machine.travel(dt.datetime(2026, 11, 20, 10, tzinfo=CST), tick=False):
        add(world)
    with time_machine.travel(dt.datetime(2027, 1, 5, tzinfo=CST), tick=False):
        assert register.sweep() == 0
    with time_machine.travel(dt.datetime(2027, 3, 1, 8, tzinfo=CST), tick=False):
        assert register.sweep() == 1


def test_revisit_done_and_refused_after_removal(world):
    with time_machine.travel(dt.datetime(2026, 11, 20, 10, tzinfo=CST), tick=False):
        first, second = add(world), add(world, name="登记丙")
    with time_machine.travel(dt.datetime(2027, 1, 3, tzinfo=CST), tick=False):
        register.sweep()
    officer = world.users["bureau_supervisor"]
    done = register.complete_revisit(actor=officer, revisit=first.revisits.get(), note="在家，状况稳定")
    assert done.done_by == officer
    with pytest.raises(ValidationError, match="already"):
        register.complete_revisit(actor=officer, revisit=done, note="again")
    register.remove_person(actor=officer, person=second, reason="已去世")
    with pytest.raises(ValidationError, match="removed"):
        register.complete_revisit(actor=officer, revisit=second.revisits.get(), note="x")
    assert second.revisits.get().done_at is None
    with time_machine.travel(dt.datetime(2027, 7, 3, tzinfo=CST), tick=False):
        assert register.sweep() == 1  # only the person still on the register


def test_bad_input_refused(world):
    with pytest.raises(ValidationError) as exc:
        add(world, name="", category="nonsense", community="")
    assert set(exc.value.message_dict) == {"name", "category", "community"}
    with pytest.raises(ValidationError, match="bureau"):
        register.add_person(
            actor=world.root,
            organization=world.inst_a,
            fields={"name": "x", "category": "repeat", "community": "y"},
        )


def test_masked_page_logged_and_reveal_logged(world, login):
    person = add(world)
    client = login(world.users["bureau_supervisor"])
    page = client.get(reverse("outreach:register_person", kwargs={"uuid": person.uuid})).content.decode()
    assert "13800005678" not in page and "99999919500101001X" not in page
    assert "138****5678" in page
    assert AuditEntry.objects.filter(action="outreach.register_viewed").count() == 1
    page = client.post(reverse("outreach:register_identity", kwargs={"uuid": person.uuid})).content.decode()
    assert "13800005678" in page
    assert AuditEntry.objects.filter(action="outreach.register_identity_shown").count() == 1


def test_removed_revisit_page_says_why(world, login):
    with time_machine.travel(dt.datetime(2026, 11, 20, 10, tzinfo=CST), tick=False):
        person = add(world)
    with time_machine.travel(dt.datetime(2027, 1, 3, tzinfo=CST), tick=False):
        register.sweep()
    register.remove_person(actor=world.users["bureau_supervisor"], person=person, reason="迁出")
    client = login(world.users["bureau_supervisor"])
    r = client.post(reverse("outreach:revisit", kwargs={"uuid": person.revisits.get().uuid}), {"note": "x"})
    assert r.status_code == 400 and "removed" in r.content.decode()


def _photo() -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (40, 60), "blue").save(out, format="JPEG")
    return SimpleUploadedFile("face.jpg", out.getvalue(), content_type="image/jpeg")


def test_photo_only_with_consent_shown_to_the_keepers_and_logged(world, login, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = login(world.users["bureau_supervisor"])
    url = reverse("outreach:register") + f"?org={world.bureau.uuid}"
    form = {"name": "登记丁", "category": "dementia", "community": "虚构镇虚构村", "photo": _photo()}
    refused = client.post(url, form)
    assert refused.status_code == 400 and "consent of the person or the guardian" in refused.content.decode()
    assert not AtRiskPerson.objects.exists() and not any(tmp_path.rglob("*.jpg"))  # nothing saved
    client.post(url, {**form, "photo": _photo(), "consent": "on"})
    person = AtRiskPerson.objects.get()
    assert person.photo_consent and default_storage.exists(person.photo)
    page = client.get(reverse("outreach:register_person", kwargs={"uuid": person.uuid})).content.decode()
    photo_url = reverse("outreach:register_photo", kwargs={"uuid": person.uuid})
    assert f"{photo_url}?size=thumb" in page and "consent of the person or the guardian" in page
    viewed = AuditEntry.objects.filter(action="outreach.register_viewed").count()
    full = client.get(photo_url)
    assert full.status_code == 200 and b"".join(full.streaming_content)[:2] == b"\xff\xd8"
    assert AuditEntry.objects.filter(action="outreach.register_viewed").count() == viewed + 1
    station = login(world.users["staff"])  # a relief station's staff never see the register
    assert station.get(photo_url + "?size=thumb").status_code == 404
    not_a_picture = SimpleUploadedFile("x.jpg", b"not a picture")
    bad = client.post(url, {**form, "name": "登记戊", "photo": not_a_picture, "consent": "on"})
    assert bad.status_code == 400 and AtRiskPerson.objects.count() == 1


def test_revisits_assigned_to_a_keeper_and_reassigned(world, login):
    admin, officer = world.users["admin"], world.users["bureau_supervisor"]
    client = login(officer)
    url = reverse("outreach:register") + f"?org={world.bureau.uuid}"
    page = client.get(url).content.decode()
    assert f'<option value="{admin.pk}"' in page and f'<option value="{officer.pk}" selected' in page
    form = {"name": "登记丁", "category": "repeat", "community": "虚构镇虚构村"}
    stranger = client.post(url, {**form, "assignee": world.users["staff"].pk})  # a station's cook
    assert stranger.status_code == 400 and not AtRiskPerson.objects.exists()
    with pytest.raises(ValidationError, match="keeps this register"):
        cook = world.users["staff"]
        register.add_person(actor=officer, organization=world.bureau, fields=form, assignee=cook)
    with time_machine.travel(dt.datetime(2026, 11, 20, 10, tzinfo=CST), tick=False):
        client.post(url, {**form, "assignee": admin.pk})
    person = AtRiskPerson.objects.get()
    assert person.assignee == admin
    with time_machine.travel(dt.datetime(2027, 1, 2, 6, 40, tzinfo=CST), tick=False):
        register.sweep()
    assert person.revisits.get().assignee == admin
    told = OutboxEvent.objects.get(kind="outreach.revisits_due")
    assert told.payload["recipient_ids"] == [admin.pk]
    assign = reverse("outreach:register_assign", kwargs={"uuid": person.uuid})
    r = client.post(assign, {"assignee": officer.pk})
    assert r.status_code == 302
    person.refresh_from_db()
    assert person.assignee == officer and person.revisits.get().assignee == officer
    assert AuditEntry.objects.filter(action="outreach.revisit_assigned").count() == 1
