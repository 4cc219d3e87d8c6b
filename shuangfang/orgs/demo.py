"""The demo city: a city bureau, one district bureau, four institutions, their departments, posts
and about 25 people in every role. Fictional names; idempotent (run it twice, nothing doubles).

Other apps add their own demo data by registering a builder in their ``demo.py`` with
:func:`shuangfang.core.demo.register`; the ``demo`` command runs this one first.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from shuangfang.core import demo as core_demo

from . import services
from .models import InstitutionType, Membership, Organization, OrgKind, Post, User
from .roles import Role

DEMO_PASSWORD = "Demo@2026"

CITY = "汴州市民政局"
DISTRICT = "东城区民政局"

# name, parent, type, address, phone, departments, posts (name, department)
INSTITUTIONS = [
    (
        "汴州市救助管理站",
        CITY,
        InstitutionType.RELIEF_STATION,
        "汴州市金明大道 188 号",
        "0371-2358 0110",
        ["综合科", "救助科", "后勤保障科", "安全保卫科"],
        [
            ("值班员", "安全保卫科"),
            ("安检员", "安全保卫科"),
            ("门卫", "安全保卫科"),
            ("厨师", "后勤保障科"),
            ("电工", "后勤保障科"),
            ("驾驶员", "后勤保障科"),
            ("救助员", "救助科"),
        ],
    ),
    (
        "汴州市第一养老院",
        CITY,
        InstitutionType.ELDERLY_CARE,
        "汴州市西环路 36 号",
        "0371-2358 2200",
        ["办公室", "护理部", "后勤部", "医务室"],
        [
            ("护理员", "护理部"),
            ("厨师", "后勤部"),
            ("电工", "后勤部"),
            ("门卫", "办公室"),
            ("医生", "医务室"),
        ],
    ),
    (
        "东城区福寿养老院",
        DISTRICT,
        InstitutionType.ELDERLY_CARE,
        "汴州市东城区复兴路 9 号",
        "0371-2266 3119",
        ["办公室", "护理部", "后勤部"],
        [("护理员", "护理部"), ("厨师", "后勤部"), ("门卫", "办公室")],
    ),
    (
        "汴州市儿童福利院",
        CITY,
        InstitutionType.CHILD_WELFARE,
        "汴州市滨河路 72 号",
        "0371-2358 6600",
        ["办公室", "保育部", "康复部", "后勤部"],
        [("保育员", "保育部"), ("康复师", "康复部"), ("厨师", "后勤部"), ("门卫", "办公室")],
    ),
]

# username, name, phone, organisation (institution or "institution/department"), role, post
PEOPLE = [
    ("wangjianguo", "王建国", "13803710001", CITY, Role.ADMIN, None),
    ("lixiuying", "李秀英", "13803710002", CITY, Role.BUREAU_SUPERVISOR, None),
    ("zhaozhiqiang", "赵志强", "13803710003", DISTRICT, Role.BUREAU_SUPERVISOR, None),
    ("zhangwei", "张伟", "13803710011", "汴州市救助管理站", Role.INSTITUTION_HEAD, None),
    ("liuyang", "刘洋", "13803710012", "汴州市救助管理站", Role.SAFETY_OFFICER, None),
    ("chenjing", "陈静", "13803710013", "汴州市救助管理站/后勤保障科", Role.DEPARTMENT_HEAD, None),
    ("yangfan", "杨帆", "13803710014", "汴州市救助管理站/后勤保障科", Role.STAFF, "厨师"),
    ("huanglei", "黄磊", "13803710015", "汴州市救助管理站/安全保卫科", Role.STAFF, "门卫"),
    ("zhouyong", "周勇", "13803710016", "汴州市救助管理站/后勤保障科", Role.STAFF, "电工"),
    ("wumin", "吴敏", "13803710017", "汴州市救助管理站/安全保卫科", Role.STAFF, "安检员"),
    ("xuliang", "徐亮", "13803710018", "汴州市救助管理站/安全保卫科", Role.STAFF, "值班员"),
    ("sunli", "孙丽", "13803710021", "汴州市第一养老院", Role.INSTITUTION_HEAD, None),
    ("machao", "马超", "13803710022", "汴州市第一养老院", Role.SAFETY_OFFICER, None),
    ("zhuhongmei", "朱红梅", "13803710023", "汴州市第一养老院/护理部", Role.STAFF, "护理员"),
    ("hujun", "胡军", "13803710024", "汴州市第一养老院/后勤部", Role.STAFF, "厨师"),
    ("guotao", "郭涛", "13803710025", "汴州市第一养老院/后勤部", Role.STAFF, "电工"),
    ("hefang", "何芳", "13803710031", "东城区福寿养老院", Role.INSTITUTION_HEAD, None),
    ("gaopeng", "高鹏", "13803710032", "东城区福寿养老院", Role.SAFETY_OFFICER, None),
    ("linxue", "林雪", "13803710033", "东城区福寿养老院/护理部", Role.STAFF, "护理员"),
    ("luojuan", "罗娟", "13803710041", "汴州市儿童福利院", Role.INSTITUTION_HEAD, None),
    ("zhenghao", "郑浩", "13803710042", "汴州市儿童福利院", Role.SAFETY_OFFICER, None),
    ("liangting", "梁婷", "13803710043", "汴州市儿童福利院/保育部", Role.STAFF, "保育员"),
    ("songjianhua", "宋建华", "13803710044", "汴州市儿童福利院/办公室", Role.STAFF, "门卫"),
    ("xieming", "谢明", "13803710051", "汴州市救助管理站", Role.ASSESSOR, None),
]


@core_demo.console
def login_lines() -> list[str]:
    """The demo's logins, for the console (``manage.py demo`` and ``make run``'s last lines); empty
    when the database holds no demo city."""
    if not User.objects.filter(username=PEOPLE[0][0]).exists():
        return []
    lines = [f"Demo logins (password {DEMO_PASSWORD}):", "  admin (system administrator)"]
    lines += [f"  {u:<14} {name} · {where} · {role.label}" for u, name, _p, where, role, _post in PEOPLE]
    return lines


@dataclass
class DemoCity:
    city: Organization
    district: Organization
    institutions: dict[str, Organization]
    people: dict[str, User]
    system: User


def _system_user() -> User:
    user, created = User.objects.get_or_create(
        username="admin", defaults={"name": "系统管理员", "is_superuser": True, "is_staff": True}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    return user


def _org(actor: User, parent: Organization | None, name: str, kind: str, **fields) -> Organization:
    existing = Organization.objects.filter(parent=parent, name=name).first()
    if existing:
        return existing
    return services.create_organization(actor=actor, parent=parent, name=name, kind=kind, **fields)


@transaction.atomic
def build_demo_city() -> DemoCity:
    system = _system_user()
    city = _org(
        system, None, CITY, OrgKind.BUREAU, code="410200", address="汴州市中山路 1 号", phone="0371-2358 1000"
    )
    district = _org(system, city, DISTRICT, OrgKind.DISTRICT_BUREAU, phone="0371-2266 1000")
    parents = {CITY: city, DISTRICT: district}
    institutions: dict[str, Organization] = {}
    units: dict[str, Organization] = {CITY: city, DISTRICT: district}
    for name, parent, itype, address, phone, departments, posts in INSTITUTIONS:
        inst = _org(
            system,
            parents[parent],
            name,
            OrgKind.INSTITUTION,
            institution_type=itype,
            address=address,
            phone=phone,
        )
        institutions[name] = inst
        units[name] = inst
        for dept_name in departments:
            units[f"{name}/{dept_name}"] = _org(system, inst, dept_name, OrgKind.DEPARTMENT)
        for post_name, dept_name in posts:
            if not Post.objects.filter(organization=inst, name=post_name).exists():
                services.create_post(
                    actor=system, institution=inst, name=post_name, department=units[f"{name}/{dept_name}"]
                )
    people: dict[str, User] = {}
    today = timezone.localdate()
    for username, person_name, phone, where, role, post_title in PEOPLE:
        org = units[str(where)]
        post = (
            Post.objects.filter(organization=org.institution, name=post_title).first() if post_title else None
        )
        person = User.objects.filter(username=username).first()
        if person is None:
            person, _password = services.create_person(
                actor=system,
                username=username,
                name=person_name,
                phone=phone,
                password=DEMO_PASSWORD,
                membership=services.NewMembership(
                    organization=org,
                    role=role,
                    post=post,
                    valid_until=today + dt.timedelta(days=90) if role == Role.ASSESSOR else None,
                ),
            )
            person.must_change_password = False
            person.save(update_fields=["must_change_password"])
        elif not Membership.objects.filter(user=person, organization=org, role=role).exists():
            services.add_membership(actor=system, person=person, organization=org, role=role, post=post)
        people[username] = person
    return DemoCity(city=city, district=district, institutions=institutions, people=people, system=system)
