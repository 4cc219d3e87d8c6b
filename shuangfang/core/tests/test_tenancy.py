import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from shuangfang.core.tenancy import can, get_for_user, scope_roots
from shuangfang.orgs.models import Organization, Post


def visible(user, perm="org.view"):
    return set(Organization.objects.for_user(user, perm).values_list("name", flat=True))


def test_bureau_supervisor_sees_every_institution_below_the_bureau(world):
    names = visible(world.users["bureau_supervisor"])
    assert {"测试救助站", "测试养老院", "后勤科", "护理部", "测试区民政局"} <= names


def test_institution_user_sees_only_their_institution(world):
    assert visible(world.users["safety_officer"]) == {"测试救助站", "后勤科"}
    assert visible(world.users["outsider"]) == {"测试养老院", "护理部"}


def test_staff_in_a_department_read_their_institution_but_act_only_on_their_department(world):
    head = world.users["department_head"]
    assert visible(head) == {"测试救助站", "后勤科"}  # view reaches the institution
    assert visible(head, "people.view") == {"后勤科"}  # people: their department only
    assert can(head, "people.view", world.dept_a)
    assert not can(head, "people.view", world.inst_a)


def test_fetching_another_institutions_object_is_404_and_a_visible_one_without_the_right_is_403(world):
    with pytest.raises(Http404):
        get_for_user(Post, world.users["outsider"], "org.manage", uuid=world.post_a.uuid)
    with pytest.raises(PermissionDenied):
        get_for_user(Post, world.users["staff"], "org.manage", uuid=world.post_a.uuid)
    assert (
        get_for_user(Post, world.users["institution_head"], "org.manage", uuid=world.post_a.uuid)
        == world.post_a
    )
    with pytest.raises(Http404):
        get_for_user(Post, world.users["institution_head"], "org.manage", uuid="not-a-uuid")


def test_assessor_access_ends_on_its_end_date(world):
    assessor = world.users["assessor"]
    assert visible(assessor) == {"测试救助站", "后勤科"}
    later = timezone.now() + dt.timedelta(days=31)
    with time_machine.travel(later):
        assessor.__dict__.pop("_shuangfang_scope_cache", None)
        assert visible(assessor) == set()


def test_inactive_person_and_anonymous_see_nothing(world):
    from django.contrib.auth.models import AnonymousUser

    assert scope_roots(AnonymousUser(), "org.view") == []
    staff = world.users["staff"]
    staff.is_active = False
    staff.save()
    staff.__dict__.pop("_shuangfang_scope_cache", None)
    assert visible(staff) == set()


def test_superuser_sees_everything(world):
    assert scope_roots(world.root, "org.manage") is None
    assert visible(world.root) == set(Organization.objects.values_list("name", flat=True))
