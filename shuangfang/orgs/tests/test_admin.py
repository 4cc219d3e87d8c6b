"""The Django admin: superusers only, through the throttled login; changes audited; what tenancy
rests on read-only (issue 13)."""

from django.contrib import admin
from django.test import Client, override_settings

from shuangfang.core.models import AuditEntry
from shuangfang.orgs import services
from shuangfang.orgs.admin_site import SuperuserAdminSite
from shuangfang.orgs.models import ApiToken, Membership, User
from shuangfang.orgs.roles import Role
from shuangfang.orgs.tests.factories import PASSWORD


def test_the_admin_site_is_the_superuser_site():
    assert isinstance(admin.site, SuperuserAdminSite)


def test_the_admin_login_form_is_gone_and_sends_to_the_throttled_login(world):
    client = Client()
    response = client.get("/django-admin/login/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/django-admin/"
    response = client.post("/django-admin/login/", {"username": "root", "password": PASSWORD})
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


@override_settings(LOGIN_FAILURE_LIMIT=5)
def test_eight_wrong_passwords_then_the_right_one_does_not_open_the_admin(world):
    client = Client()
    for _ in range(8):
        client.post("/django-admin/login/?next=/django-admin/", {"username": "root", "password": "nope"})
        client.post("/login/", {"username": "root", "password": "nope", "next": "/django-admin/"})
    client.post("/django-admin/login/", {"username": "root", "password": PASSWORD})
    response = client.post("/login/", {"username": "root", "password": PASSWORD, "next": "/django-admin/"})
    assert "失败次数过多" in response.content.decode()
    assert client.get("/django-admin/").status_code == 302


def test_only_superusers_enter_the_admin(world, login):
    officer = world.users["safety_officer"]
    officer.is_staff = True
    officer.save(update_fields=["is_staff"])
    client = login(officer)
    assert client.get("/django-admin/", follow=True).status_code == 403  # no redirect loop
    assert client.get("/django-admin/login/?next=/django-admin/").status_code == 403
    assert login(world.root).get("/django-admin/").status_code == 200


def _membership_form(m: Membership, **overrides) -> dict:
    data = {"post": m.post_id or "", "valid_from": "", "valid_until": "", "_save": "Save"}
    return {**data, **overrides}


def test_a_membership_role_cannot_be_changed_in_the_admin_and_a_change_is_audited(world, login):
    cook_m = world.users["staff"].memberships.get()
    client = login(world.root)
    response = client.post(
        f"/django-admin/orgs/membership/{cook_m.pk}/change/",
        _membership_form(
            cook_m, role=Role.SAFETY_OFFICER, organization=world.inst_b.pk, valid_until="2027-01-31"
        ),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    cook_m.refresh_from_db()
    assert cook_m.role == Role.STAFF
    assert cook_m.organization != world.inst_b
    entry = AuditEntry.objects.get(action="admin.change", object_id=str(cook_m.pk))
    assert entry.actor == world.root
    assert entry.changes == {"valid_until": [None, "2027-01-31"]}
    assert entry.organization == cook_m.organization
    assert client.get("/django-admin/orgs/membership/add/").status_code == 403


def test_an_organisations_place_in_the_tree_is_read_only_in_the_admin(world, login):
    inst_a = world.inst_a
    path, parent = inst_a.path, inst_a.parent
    client = login(world.root)
    response = client.post(
        f"/django-admin/orgs/organization/{inst_a.pk}/change/",
        {
            "name": "改名救助站",
            "institution_type": inst_a.institution_type,
            "code": "",
            "address": "",
            "phone": inst_a.phone,
            "is_active": "on",
            "parent": world.inst_b.pk,
            "kind": "bureau",
            "path": "/1/",
            "_save": "Save",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    inst_a.refresh_from_db()
    assert (inst_a.name, inst_a.path, inst_a.parent, inst_a.kind) == (
        "改名救助站",
        path,
        parent,
        "institution",
    )
    entry = AuditEntry.objects.get(action="admin.change", object_id=str(inst_a.pk))
    assert entry.changes == {"name": ["测试救助站", "改名救助站"]}
    assert client.get("/django-admin/orgs/organization/add/").status_code == 403


def _person_form(p: User, **overrides) -> dict:
    data = {
        "username": p.username,
        "name": p.name,
        "phone": p.phone,
        "email": p.email,
        "is_active": "on" if p.is_active else "",
        "must_change_password": "",
        "_save": "Save",
    }
    return {k: v for k, v in {**data, **overrides}.items() if v != ""}


def test_the_admin_cannot_make_a_superuser_and_a_deactivation_is_audited_and_kills_tokens(world, login):
    cook = world.users["staff"]
    _t, raw = services.issue_api_token(actor=cook, name="x")
    client = login(world.root)
    response = client.post(
        f"/django-admin/orgs/user/{cook.pk}/change/",
        _person_form(cook, is_active="", is_superuser="on", is_staff="on"),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    cook.refresh_from_db()
    assert not cook.is_superuser and not cook.is_staff and not cook.is_active
    entry = AuditEntry.objects.get(action="admin.change", object_id=str(cook.pk))
    assert entry.actor == world.root
    assert entry.changes["is_active"] == [True, False]
    assert ApiToken.objects.get(user=cook).revoked_at is not None


def test_a_password_set_in_the_admin_is_validated_and_audited(world, login):
    cook = world.users["staff"]
    client = login(world.root)
    url = f"/django-admin/orgs/user/{cook.pk}/password/"
    response = client.post(url, {"password1": "cook_acook_a", "password2": "cook_acook_a"})
    assert response.status_code == 200
    assert "太相似" in response.content.decode()
    response = client.post(url, {"password1": "Quiet-Harbour-73", "password2": "Quiet-Harbour-73"})
    assert response.status_code == 302
    assert AuditEntry.objects.filter(
        action="admin.password", object_id=str(cook.pk), actor=world.root
    ).exists()


def test_a_deletion_in_the_admin_is_audited(world, login):
    cook = world.users["staff"]
    m = cook.memberships.get()
    client = login(world.root)
    response = client.post(f"/django-admin/orgs/membership/{m.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="admin.delete", object_id=str(m.pk))
    assert entry.actor == world.root
    assert entry.changes["role"] == [m.role, None]  # the code; shown in words by change_rows
    assert not Membership.objects.filter(pk=m.pk).exists()
