"""Demo casework at the demo relief station: fictional people with obviously fictional ID numbers
(region code 999999, which no place has), a reception queue, people in the station, one at
hospital, a repeat wanderer with a reminder letter, and an escorted trip on the road."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from shuangfang.core.demo import register

from . import cases, identity, letters, stay, trips
from .choices import IdType
from .models import Case

STATION = "汴州市救助管理站"


def _id(born: dt.date, seq: int) -> str:
    first = f"999999{born:%Y%m%d}{seq:03d}"
    return first + identity.check_char(first)


PEOPLE = [
    # name, sex, birth date, home, region, how far they get, days in station
    ("演示甲", "male", dt.date(1968, 4, 2), "虚构省虚构县", "other_province", "in_station", 12),
    ("演示乙", "female", dt.date(1990, 9, 9), "本省虚构市", "own_province", "in_station", 3),
    ("演示丙", "male", dt.date(2011, 1, 15), "虚构省虚构乡", "other_province", "trip", 6),
    ("演示丁", "male", dt.date(1955, 7, 7), "本省虚构县", "own_province", "hospital", 0),
    ("演示戊", "female", None, "", "unknown", "registered", 0),
]


def _person(name, sex, born, home, region, seq):
    return {
        "name": name,
        "sex": sex,
        "birth_date": born,
        "age_estimate": None if born else 45,
        "id_type": IdType.RESIDENT_ID if born else IdType.NONE,
        "id_number": _id(born, seq) if born else "",
        "phone": f"1380000{seq:04d}" if born else "",
        "hukou_place": home,
        "region": region,
    }


@register(60, "relief casework")
def build(city) -> None:  # long: the demo story reads best as one piece
    station = city.institutions[STATION]
    if Case.objects.filter(organization=station).exists():
        return
    staff, head = city.people["wumin"], city.people["zhangwei"]
    # 演示甲 came once before (left without notice): the second registration finds him by his ID
    # number and marks him as a repeat wanderer.
    earlier = cases.open_case(actor=staff, organization=station, person_fields=_person(*PEOPLE[0][:5], 1))
    cases.move(earlier, "refuse", actor=staff, reason="self_sufficient", note="首次求助")
    made = {}
    for seq, (name, sex, born, home, region, stage, days) in enumerate(PEOPLE, 1):
        case = cases.open_case(
            actor=staff,
            organization=station,
            person_fields=_person(name, sex, born, home, region, seq),
            case_fields={"escort_unit": "police" if seq % 2 else "self", "reason": "务工无着，身无分文"},
        )
        made[name] = case
        if stage == "registered":
            continue
        cases.move(case, "check", actor=staff, method="both", result="items", items="手机一部，背包一个")
        stay.take_item(actor=staff, case=case, description="手机", quantity=1)
        if stage == "hospital":
            cases.move(case, "divert", actor=staff, signs=["critical"], hospital="汴州市虚构人民医院")
            continue
        cases.move(case, "screen", actor=staff, health="healthy")
        cases.move(case, "admit", actor=staff, zone="男区" if sex == "male" else "女区", bed=f"{seq:02d}")
        Case.objects.filter(pk=case.pk).update(admitted_at=timezone.now() - dt.timedelta(days=days))
        stay.record_search(
            actor=staff,
            case=case,
            kind="notice_24h",
            on=timezone.localdate(),
            external_ref=f"XQ-DEMO-{seq:04d}",
        )
    letter = letters.draft(
        actor=staff,
        person=made["演示甲"].person,
        home_area="虚构省虚构县",
        recipient="虚构县人民政府、虚构县救助管理站",
        difficulty="无固定住所，无稳定收入，多次外出流浪",
        requests="核实其低保、住房情况，落实帮扶责任人",
    )
    letters.move(letter, "send", actor=staff, method="post")
    # 演示丙 (a minor) is escorted home by two staff.
    child = made["演示丙"]
    stay.return_items(actor=staff, case=child, item_ids=list(child.items.values_list("pk", flat=True)))
    trip = trips.prepare(
        actor=staff,
        organization=station,
        case_list=[child],
        staff=[staff, city.people["huanglei"]],
        destination="虚构省虚构乡人民政府",
        route="连霍高速 → 虚构县城",
        vehicle="豫B·演示01",
        planned_at=timezone.now(),
        likelihood=2,
        severity=3,
        supplies="常用药、饮用水、干粮",
    )
    trips.move(trip, "approve", actor=head)
    trips.move(trip, "depart", actor=staff)
    trips.check_in(
        actor=staff, trip=trip, note="服务区休息，状态良好", latitude="34.7466", longitude="113.6254"
    )
