from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from shuangfang.core.models import AuditEntry
from shuangfang.relief import cases, identity, stay
from shuangfang.relief.choices import CaseStatus, IdType
from shuangfang.relief.models import Case, Person

from .helpers import admitted, fake_id, new_case, person

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def test_gb11643_check_digit():
    assert identity.check_digit_ok("11010519491231002X")  # the standard's example
    assert not identity.check_digit_ok("110105194912310021")
    assert identity.birth_date("11010519491231002X") == dt.date(1949, 12, 31)
    assert identity.mask_id("11010519491231002X") == "110*************2X"
    assert identity.mask_phone("13800001234") == "138****1234"


def test_wrong_check_digit_warns_and_can_be_confirmed(world):
    bad = fake_id(dt.date(1980, 5, 6))[:-1] + ("0" if fake_id(dt.date(1980, 5, 6))[-1] != "0" else "1")
    with pytest.raises(ValidationError) as exc:
        new_case(world, id_number=bad)
    assert "id_number" in exc.value.message_dict
    assert not Person.objects.exists() and not Case.objects.exists()
    case = cases.open_case(
        actor=world.users["staff"],
        organization=world.inst_a,
        person_fields=person(id_number=bad),
        accept_id_warning=True,
    )
    assert case.person.id_warning


def test_no_document_is_allowed(world):
    case = new_case(world, id_type=IdType.NONE, id_number="", birth_date=None, age_estimate=60)
    assert case.person.id_number == "" and case.status == CaseStatus.REGISTERED


@pytest.mark.parametrize(
    "bad",
    [
        {"birth_date": dt.date(2030, 1, 1), "id_type": IdType.NONE, "id_number": ""},
        {"birth_date": dt.date(1890, 1, 1), "id_type": IdType.NONE, "id_number": ""},
        {"age_estimate": 150, "birth_date": None, "id_type": IdType.NONE, "id_number": ""},
        {"id_type": IdType.NONE, "id_number": "123"},
        {"id_number": "12345"},
        {"name": "  "},
    ],
)
def test_bad_person_input_is_refused_and_nothing_saved(world, bad):
    with time_machine.travel(T0, tick=False), pytest.raises(ValidationError):
        new_case(world, **bad)
    assert not Person.objects.exists() and not Case.objects.exists()


def test_duplicate_admission_is_refused(world):
    case = admitted(world)
    with pytest.raises(ValidationError, match="already"):
        new_case(world)  # same ID number: the same person
    with pytest.raises(ValidationError, match="already"):
        cases.open_case(
            actor=world.users["staff"],
            organization=world.inst_a,
            person_fields=person(id_type=IdType.NONE, id_number=""),
            person=case.person,
        )
    assert Case.objects.count() == 1


def test_repeat_after_departure_is_flagged(world):
    case = admitted(world)
    cases.move(case, "depart", actor=world.users["staff"], mode="left")
    again = new_case(world)
    assert again.person_id == case.person_id and again.repeat
    again.person.refresh_from_db()
    assert again.person.repeat_wanderer


def test_medical_first(world):
    staff = world.users["staff"]
    case = new_case(world)
    cases.move(case, "check", actor=staff, method="gate", result="passed")
    with pytest.raises(ValidationError, match="hospital"):
        cases.move(case, "screen", actor=staff, signs=["injury"])
    with pytest.raises(ValidationError):
        cases.move(case, "admit", actor=staff, zone="男区")  # no skipping the screening
    cases.move(case, "divert", actor=staff, signs=["injury"], hospital="虚构人民医院")
    with pytest.raises(ValidationError):
        cases.move(case, "admit", actor=staff, zone="男区")  # waits at hospital
    cases.move(case, "discharge", actor=staff)
    cases.move(case, "admit", actor=staff, zone="男区")
    assert case.status == CaseStatus.IN_STATION and case.period_days == 10


def test_refused_security_check_cannot_be_screened_in(world):
    staff = world.users["staff"]
    case = new_case(world)
    cases.move(case, "check", actor=staff, method="handheld", result="refused")
    with pytest.raises(ValidationError):
        cases.move(case, "screen", actor=staff)
    with pytest.raises(ValidationError):
        cases.move(case, "refuse", actor=staff, reason="nonsense")
    cases.move(case, "refuse", actor=staff, reason="refused_check")
    assert case.status == CaseStatus.REFUSED


def test_custody_and_return(world):
    staff = world.users["staff"]
    case = new_case(world)
    cases.move(case, "check", actor=staff, method="gate", result="items", items="刀具一把，手机一部")
    with pytest.raises(ValidationError):
        stay.take_item(actor=staff, case=case, description="刀具", prohibited=True)
    knife = stay.take_item(
        actor=staff, case=case, description="刀具", prohibited=True, police_receipt="JX-001"
    )
    phone = stay.take_item(actor=staff, case=case, description="手机")
    cases.move(case, "screen", actor=staff)
    cases.move(case, "admit", actor=staff, zone="男区")
    with pytest.raises(ValidationError, match="custody"):
        cases.move(case, "depart", actor=staff, mode="collected")
    other = admitted(world, name="测试乙", seq=2, born=dt.date(1990, 1, 1))
    other_item = stay.take_item(actor=staff, case=other, description="钱包")
    with pytest.raises(ValidationError, match="never"):
        stay.return_items(actor=staff, case=case, item_ids=[phone.pk, other_item.pk])
    with pytest.raises(ValidationError, match="police"):
        stay.return_items(actor=staff, case=case, item_ids=[knife.pk])
    phone.refresh_from_db()
    assert phone.returned_at is None  # nothing half-done
    stay.return_items(actor=staff, case=case, item_ids=[phone.pk])
    with pytest.raises(ValidationError, match="already"):
        stay.return_items(actor=staff, case=case, item_ids=[phone.pk])
    cases.move(case, "depart", actor=staff, mode="collected", receiving_party="虚构县救助站")
    assert case.status == CaseStatus.DEPARTED


def test_self_return_needs_age_16(world):
    case = admitted(world, born=dt.date(2015, 1, 1), name="测试童")
    with pytest.raises(ValidationError, match="16"):
        cases.move(case, "depart", actor=world.users["staff"], mode="self_return")


def test_still_here_and_extension(world):
    with time_machine.travel(T0, tick=False) as clock:
        case = admitted(world)
        clock.shift(dt.timedelta(days=9))
        [row] = stay.still_here(Case.objects.all(), dt.date(2026, 3, 11))
        assert row.days == 10 and not row.overdue
        [row] = stay.still_here(Case.objects.all(), dt.date(2026, 3, 12))
        assert row.overdue
        with pytest.raises(ValidationError):
            stay.extend(actor=world.users["staff"], case=case, days=5, reason="other")
        stay.extend(actor=world.users["staff"], case=case, days=5, reason="epidemic")
        [row] = stay.still_here(Case.objects.all(), dt.date(2026, 3, 12))
        assert not row.overdue and row.ends == dt.date(2026, 3, 17)


def test_who_may(world):
    with pytest.raises(PermissionDenied):
        new_case(world, actor=world.users["outsider"])
    with pytest.raises(PermissionDenied):
        new_case(world, actor=world.users["bureau_supervisor"])
    case = new_case(world)
    with pytest.raises(PermissionDenied):
        cases.move(case, "check", actor=world.users["assessor"], method="gate", result="passed")
    assert AuditEntry.objects.filter(action="relief.case_registered").count() == 1


def test_period_end_alert_once_per_end_date(world):
    from shuangfang.core.events import published

    with time_machine.travel(T0, tick=False) as clock:
        case = admitted(world)  # 2 March: ends 12 March
        clock.move_to(dt.datetime(2026, 3, 11, 2, tzinfo=dt.UTC))
        assert stay.alert_period_ended() == 0
        clock.move_to(dt.datetime(2026, 3, 12, 2, tzinfo=dt.UTC))
        assert stay.alert_period_ended() == 1
        assert stay.alert_period_ended() == 0  # idempotent
        stay.extend(actor=world.users["staff"], case=case, days=3, reason="transport")
        assert stay.alert_period_ended() == 0
        clock.move_to(dt.datetime(2026, 3, 15, 2, tzinfo=dt.UTC))
        assert stay.alert_period_ended() == 1  # the new end
        events = published("relief.period_ended")
        assert [e[1]["ends"] for e in events] == ["2026-03-12", "2026-03-15"]
        assert "测试甲" not in events[0][1]["title"] and case.number in events[0][1]["title"]


def test_items_returned_with_a_signature_drawn_on_the_screen(world, settings, tmp_path):
    import base64
    import io

    from PIL import Image

    settings.MEDIA_ROOT = tmp_path
    staff = world.users["staff"]
    case = new_case(world)
    cases.move(case, "check", actor=staff, method="gate", result="items", items="手机")
    phone = stay.take_item(actor=staff, case=case, description="手机")
    with pytest.raises(ValidationError, match="signature"):
        stay.return_items(actor=staff, case=case, item_ids=[phone.pk], signature="data:text/html;base64,PGI+")
    phone.refresh_from_db()
    assert phone.returned_at is None
    buf = io.BytesIO()
    Image.new("RGBA", (300, 120), (0, 0, 0, 0)).save(buf, format="PNG")
    sig = "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()
    stay.return_items(actor=staff, case=case, item_ids=[phone.pk], signature=sig)
    phone.refresh_from_db()
    assert phone.returned_at and phone.return_signature.startswith("relief-signatures/")
