"""Test data: fictional people with obviously fictional ID numbers (region code 999999)."""

from __future__ import annotations

import datetime as dt

from shuangfang.relief import cases, identity
from shuangfang.relief.choices import IdType, Sex


def fake_id(born: dt.date, seq: int = 1) -> str:
    first = f"999999{born:%Y%m%d}{seq:03d}"
    return first + identity.check_char(first)


def person(name="测试甲", born=dt.date(1980, 5, 6), seq=1, **kw):
    data = {
        "name": name,
        "sex": Sex.MALE,
        "birth_date": born,
        "id_type": IdType.RESIDENT_ID,
        "id_number": fake_id(born, seq),
        "phone": "13800001234",
        "hukou_place": "虚构省虚构县",
    }
    data.update(kw)
    return data


def new_case(w, actor=None, **kw):
    return cases.open_case(
        actor=actor or w.users["staff"], organization=w.inst_a, person_fields=person(**kw), case_fields={}
    )


def admitted(w, actor=None, **kw):
    actor = actor or w.users["staff"]
    case = new_case(w, actor, **kw)
    cases.move(case, "check", actor=actor, method="gate", result="passed")
    cases.move(case, "screen", actor=actor, health="healthy")
    cases.move(case, "admit", actor=actor, zone="男区", bed="3")
    return case
