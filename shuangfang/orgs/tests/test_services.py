import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from shuangfang.orgs import services
from shuangfang.orgs.models import Membership, Organization, OrgKind, User
from shuangfang.orgs.roles import Role
from shuangfang.orgs.tests.factories import make_person


def test_a_department_cannot_sit_directly_under_a_bureau(world):
    with pytest.raises(ValidationError, match="不能放在|cannot be placed"):
        services.create_organization(actor=world.root, parent=world.bureau, name="X", kind=OrgKind.DEPARTMENT)
    assert not Organization.objects.filter(name="X").exists()


def test_an_institution_needs_a_type(world):
    with pytest.raises(ValidationError):
        services.create_organization(
            actor=world.root, parent=world.bureau, name="Y", kind=OrgKind.INSTITUTION
        )


def test_subtree_paths_follow_the_tree(world):
    assert world.dept_a.path.startswith(world.inst_a.path)
    assert world.inst_a.path.startswith(world.bureau.path)
    assert world.dept_a.institution_id == world.inst_a.pk
    assert world.bureau.institution_id is None


def test_institution_head_cannot_manage_another_institution(world):
    with pytest.raises(PermissionDenied):
        services.create_organization(
            actor=world.users["institution_head"], parent=world.inst_b, name="Z", kind=OrgKind.DEPARTMENT
        )


def test_assessor_access_must_be_time_limited_and_on_an_institution(world):
    head = world.users["institution_head"]
    with pytest.raises(ValidationError, match="截止日期|end date"):
        make_person(head, "assessor2", world.inst_a, Role.ASSESSOR)
    with pytest.raises(ValidationError):
        make_person(
            head,
            "assessor3",
            world.dept_a,
            Role.ASSESSOR,
            valid_until=timezone.localdate() + dt.timedelta(days=3),
        )
    assert not User.objects.filter(username__in=["assessor2", "assessor3"]).exists()


def test_only_an_administrator_appoints_an_administrator(world):
    with pytest.raises(ValidationError):
        make_person(world.users["institution_head"], "admin2", world.inst_a, Role.ADMIN)
    make_person(world.users["admin"], "admin3", world.inst_a, Role.ADMIN)


def test_phone_numbers_must_be_mainland_mobiles(world):
    assert services.normalize_phone("+86 139-0000-0002") == "13900000002"
    with pytest.raises(ValidationError, match="手机号|mobile"):
        services.normalize_phone("0371-1234567")


def test_login_names_are_unique_regardless_of_case(world):
    with pytest.raises(ValidationError):
        make_person(world.root, "COOK_A", world.inst_a, Role.STAFF)


def test_reset_password_forces_a_change_at_next_login(world, login):
    cook = world.users["staff"]
    password = services.reset_password(actor=world.users["institution_head"], person=cook)
    client = login(None)
    assert client.login(username="cook_a", password=password)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/account/password/"
    response = client.post(
        "/account/password/",
        {
            "old_password": password,
            "new_password1": "Kitchen-safe-2026",
            "new_password2": "Kitchen-safe-2026",
        },
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_ending_a_membership_removes_the_access(world):
    cook = world.users["staff"]
    m = Membership.objects.get(user=cook)
    services.end_membership(actor=world.users["institution_head"], membership=m)
    cook = User.objects.get(pk=cook.pk)
    assert not Organization.objects.for_user(cook).exists()


def test_people_list_shows_only_people_in_scope(world, login):
    body = login(world.users["outsider"]).get("/orgs/people/").content.decode()
    assert "head_b" in body
    assert "cook_a" not in body
    body = login(world.users["bureau_supervisor"]).get("/orgs/people/").content.decode()
    assert "head_b" in body
    assert "cook_a" in body


def test_create_person_through_the_page_shows_the_initial_password(world, login):
    client = login(world.users["institution_head"])
    response = client.post(
        "/orgs/people/new/",
        {
            "username": "guard_a",
            "name": "门卫甲",
            "phone": "13900000009",
            "organization": world.dept_a.pk,
            "role": Role.STAFF,
            "post": "",
        },
        follow=True,
    )
    assert response.status_code == 200
    assert "guard_a" in response.content.decode()
    person = User.objects.get(username="guard_a")
    assert person.must_change_password
    assert person.memberships.get().organization == world.dept_a


def test_create_person_with_a_bad_phone_keeps_the_form_and_saves_nothing(world, login):
    client = login(world.users["institution_head"])
    response = client.post(
        "/orgs/people/new/",
        {
            "username": "guard_b",
            "name": "门卫乙",
            "phone": "12345",
            "organization": world.dept_a.pk,
            "role": Role.STAFF,
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "不是大陆手机号" in body
    assert 'value="guard_b"' in body
    assert not User.objects.filter(username="guard_b").exists()


def test_people_list_query_count_does_not_grow_with_rows(world, login, django_assert_max_num_queries):
    client = login(world.users["bureau_supervisor"])
    client.get("/orgs/people/")
    for i in range(30):
        make_person(world.root, f"extra{i}", world.dept_a, Role.STAFF)
    with django_assert_max_num_queries(12):
        response = client.get("/orgs/people/")
    assert response.status_code == 200
    assert "extra29" in response.content.decode()


def test_org_tree_query_count_is_constant(world, login, django_assert_max_num_queries):
    client = login(world.users["bureau_supervisor"])
    for i in range(20):
        services.create_organization(
            actor=world.root, parent=world.inst_b, name=f"科室{i}", kind=OrgKind.DEPARTMENT
        )
    with django_assert_max_num_queries(10):
        response = client.get("/orgs/")
    assert "科室19" in response.content.decode()


def test_people_list_filters_by_status_and_role(world, login):
    services.update_person(actor=world.root, person=world.users["staff"], is_active=False)
    client = login(world.users["institution_head"])
    body = client.get("/orgs/people/?is_active=0").content.decode()
    assert "cook_a" in body and "officer_a" not in body
    body = client.get(f"/orgs/people/?role={Role.SAFETY_OFFICER}").content.decode()
    assert "officer_a" in body and "depthead_a" not in body


def test_with_many_units_the_organisation_filter_becomes_a_name_search(world, login, monkeypatch):
    from shuangfang.orgs import filters

    monkeypatch.setattr(filters, "MAX_MENU", 2)
    client = login(world.users["bureau_supervisor"])
    body = client.get("/orgs/people/").content.decode()
    assert 'name="organization"' in body and '<select name="organization"' not in body
    body = client.get("/orgs/people/?organization=养老").content.decode()
    assert "head_b" in body and "cook_a" not in body
