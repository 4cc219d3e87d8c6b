from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError

from shuangfang.core.events import published
from shuangfang.relief import cases, letters, retention
from shuangfang.relief.models import Letter, Person

from .helpers import admitted, new_case

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 4, 1, 2, 0, tzinfo=dt.UTC)  # 10:00 in Shanghai


def repeat_person(w):
    first = admitted(w)
    cases.move(first, "depart", actor=w.users["staff"], mode="left")
    again = new_case(w)
    return again.person


def draft(w, person):
    return letters.draft(
        actor=w.users["staff"],
        person=person,
        home_area="虚构省虚构县",
        recipient="虚构县人民政府、虚构县救助管理站",
        difficulty="无固定住所，患慢性病",
        requests="核实低保资格，落实监护",
    )


def test_letter_from_template_and_only_for_repeat_wanderers(world):
    with time_machine.travel(T0, tick=False):
        single = new_case(world, name="测试乙", seq=2).person
        with pytest.raises(ValidationError, match="repeat"):
            draft(world, single)
        letter = draft(world, repeat_person(world))
    assert letter.number == "TS-2026-0001"
    assert "测试甲" in letter.body and "2次" in letter.body and "核实低保资格" in letter.body
    with pytest.raises(ValidationError, match="placeholder"):
        letters.save_template(
            actor=world.users["institution_head"],
            organization=world.inst_a,
            subject="提示函",
            body="$name $unknown",
            answer_days=20,
        )
    letters.save_template(
        actor=world.users["institution_head"],
        organization=world.inst_a,
        subject="提示函",
        body="致$recipient：$name 的困难是 $difficulty",
        answer_days=20,
    )
    again = draft(world, letter.person)
    assert again.body == "致虚构县人民政府、虚构县救助管理站：测试甲 的困难是 无固定住所，患慢性病"


def test_overdue_answer_is_reminded_once_with_a_controlled_clock(world):
    with time_machine.travel(T0, tick=False) as clock:
        letter = draft(world, repeat_person(world))
        letters.move(letter, "send", actor=world.users["staff"], method="post")
        assert letter.answer_due == dt.date(2026, 5, 1)  # default 30 days
        clock.move_to(dt.datetime(2026, 4, 20, 2, tzinfo=dt.UTC))
        letters.move(letter, "deliver", actor=world.users["staff"], delivered_on=dt.date(2026, 4, 5))
        assert letters.remind_overdue() == 0
        clock.move_to(dt.datetime(2026, 5, 1, 2, tzinfo=dt.UTC))
        assert letters.remind_overdue() == 0  # due today: not yet overdue
        clock.move_to(dt.datetime(2026, 5, 2, 2, tzinfo=dt.UTC))
        assert letters.remind_overdue() == 1
        assert letters.remind_overdue() == 0  # idempotent
        events = published("relief.letter_overdue")
        assert len(events) == 1
        payload = events[0][1]
        assert letter.number in payload["title"] and "测试甲" not in payload["title"]
        assert payload["recipient_ids"] == [world.users["staff"].pk]
        with pytest.raises(ValidationError):
            letters.move(
                letter,
                "answer",
                actor=world.users["staff"],
                answered_on=dt.date(2026, 5, 3),
                answer="x",
            )  # a future date
        letters.move(
            letter,
            "answer",
            actor=world.users["staff"],
            answered_on=dt.date(2026, 5, 2),
            answer="已纳入低保",
            follow_up_on=dt.date(2026, 8, 1),
        )
        clock.move_to(dt.datetime(2026, 6, 2, 2, tzinfo=dt.UTC))
        assert letters.remind_overdue() == 0  # answered


def test_retention_anonymises_old_closed_cases_only(world):
    with time_machine.travel(T0, tick=False) as clock:
        old = admitted(world)
        cases.move(old, "depart", actor=world.users["staff"], mode="left")
        here = admitted(world, name="测试乙", seq=2)
        clock.move_to(T0 + dt.timedelta(days=365 * 3 - 2))
        assert retention.anonymise_due() == 0
        clock.move_to(T0 + dt.timedelta(days=365 * 3 + 2))
        assert retention.anonymise_due() == 1
    person = Person.objects.get(pk=old.person_id)
    assert person.name == "已匿名" and person.id_number == "" and person.phone == ""
    assert person.birth_date == dt.date(1980, 1, 1) and person.sex == "male"
    assert Person.objects.get(pk=here.person_id).name == "测试乙"
    assert not Letter.objects.exists()


def test_random_letter_moves_stay_in_the_table(world):
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from shuangfang.core.tests.workflow_checks import PEOPLE_AND_SYSTEM as PEOPLE
    from shuangfang.core.tests.workflow_checks import attempt

    person = repeat_person(world)
    context: dict[str, dict] = {
        "send": {"method": "post"},
        "deliver": {"delivered_on": dt.date(2026, 4, 1)},
        "answer": {"answered_on": dt.date(2026, 4, 1), "answer": "已核实"},
        "close": {},
    }

    @settings(
        max_examples=25,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(st.lists(st.tuples(st.sampled_from(PEOPLE), st.sampled_from(sorted(context))), max_size=8))
    def walk(steps):
        letter = draft(world, person)
        for who, action in steps:
            actor = world.users[who] if who else None

            def do(actor=actor, action=action):
                return letters.move(letter, action, actor=actor, **context[action])

            attempt(letters.FLOW, [letter], action, actor, do)

    with time_machine.travel(T0, tick=False):
        walk()


def test_retention_deletes_the_original_photo_too(
    world, settings, tmp_path, django_capture_on_commit_callbacks
):
    import io

    from django.core.files.storage import default_storage
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from shuangfang.core.photos import save_photo

    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    buf = io.BytesIO()
    Image.new("RGB", (800, 600), (10, 120, 40)).save(buf, format="JPEG")
    stored = save_photo(
        SimpleUploadedFile("p.jpg", buf.getvalue(), content_type="image/jpeg"), folder="relief"
    )
    with time_machine.travel(T0, tick=False) as clock:
        old = admitted(world)
        Person.objects.filter(pk=old.person_id).update(photo=stored.display, photo_thumb=stored.thumb)
        cases.move(old, "depart", actor=world.users["staff"], mode="left")
        clock.move_to(T0 + dt.timedelta(days=365 * 3 + 2))
        names = [stored.original, stored.display, stored.thumb]
        assert all(default_storage.exists(n) for n in names)
        with django_capture_on_commit_callbacks(execute=True):
            assert retention.anonymise_due() == 1
    assert not any(default_storage.exists(n) for n in names)
    assert Person.objects.get(pk=old.person_id).photo == ""
