"""A small world for tests: a city bureau with a district, institution A (a relief station with a
kitchen department and a cook post) and institution B (an elderly-care home, the outsider's), and
one person per persona. Built with the services, as a user would."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from shuangfang.orgs import services
from shuangfang.orgs.models import InstitutionType, Organization, OrgKind, Post, User
from shuangfang.orgs.roles import Role

PASSWORD = "Test-pass-2026"

PERSONAS = [
    "anonymous",
    "admin",
    "bureau_supervisor",
    "institution_head",
    "safety_officer",
    "department_head",
    "staff",
    "assessor",
    "outsider",
]


@dataclass
class World:
    root: User
    bureau: Organization
    district: Organization
    inst_a: Organization
    dept_a: Organization
    post_a: Post
    inst_b: Organization
    dept_b: Organization
    users: dict[str, User] = field(default_factory=dict)

    def user(self, persona: str) -> User | None:
        return None if persona == "anonymous" else self.users[persona]


def make_person(
    actor: User, username: str, org: Organization, role: str, post: Post | None = None, **kw
) -> User:
    person, _pw = services.create_person(
        actor=actor,
        username=username,
        name=kw.pop("name", username),
        password=PASSWORD,
        membership=services.NewMembership(
            organization=org, role=role, post=post, valid_until=kw.pop("valid_until", None)
        ),
        **kw,
    )
    person.must_change_password = False
    person.save(update_fields=["must_change_password"])
    return person


def make_world() -> World:
    root = User.objects.create_superuser(username="root", password=PASSWORD, name="root")
    bureau = services.create_organization(actor=root, parent=None, name="测试市民政局", kind=OrgKind.BUREAU)
    district = services.create_organization(
        actor=root, parent=bureau, name="测试区民政局", kind=OrgKind.DISTRICT_BUREAU
    )
    inst_a = services.create_organization(
        actor=root,
        parent=bureau,
        name="测试救助站",
        kind=OrgKind.INSTITUTION,
        institution_type=InstitutionType.RELIEF_STATION,
        phone="0371-1234567",
    )
    dept_a = services.create_organization(actor=root, parent=inst_a, name="后勤科", kind=OrgKind.DEPARTMENT)
    post_a = services.create_post(actor=root, institution=inst_a, name="厨师", department=dept_a)
    inst_b = services.create_organization(
        actor=root,
        parent=district,
        name="测试养老院",
        kind=OrgKind.INSTITUTION,
        institution_type=InstitutionType.ELDERLY_CARE,
    )
    dept_b = services.create_organization(actor=root, parent=inst_b, name="护理部", kind=OrgKind.DEPARTMENT)
    w = World(root, bureau, district, inst_a, dept_a, post_a, inst_b, dept_b)
    w.users["admin"] = make_person(root, "admin_a", bureau, Role.ADMIN)
    w.users["bureau_supervisor"] = make_person(root, "supervisor", bureau, Role.BUREAU_SUPERVISOR)
    w.users["institution_head"] = make_person(root, "head_a", inst_a, Role.INSTITUTION_HEAD)
    w.users["safety_officer"] = make_person(
        root, "officer_a", inst_a, Role.SAFETY_OFFICER, phone="13900000001"
    )
    w.users["department_head"] = make_person(root, "depthead_a", dept_a, Role.DEPARTMENT_HEAD)
    w.users["staff"] = make_person(root, "cook_a", dept_a, Role.STAFF, post=post_a)
    w.users["assessor"] = make_person(
        root, "assessor_a", inst_a, Role.ASSESSOR, valid_until=timezone.localdate() + dt.timedelta(days=30)
    )
    w.users["outsider"] = make_person(root, "head_b", inst_b, Role.INSTITUTION_HEAD)
    return w
