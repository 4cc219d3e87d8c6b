"""An institution head manages their institution in the UI: a department, a post, a new person."""

import pytest

from shuangfang.orgs.models import Organization, Post, User
from tests.e2e.test_foundation_journey import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_institution_head_adds_a_department_a_post_and_a_person(live_server, world, desktop, phone, shot):
    page = desktop
    log_in(page, live_server.url, "head_a")
    page.wait_for_selector("h1.greeting")
    page.goto(f"{live_server.url}/orgs/{world.inst_a.uuid}/")
    shot(page, "orgs-desktop-institution")

    page.click("text=添加下级单位")
    page.fill("input[name=name]", "安全保卫科")
    page.click("main button[type=submit]")
    page.wait_for_selector("text=已创建 安全保卫科")
    dept = Organization.objects.get(name="安全保卫科")
    assert dept.parent == world.inst_a and dept.kind == "department"

    page.goto(f"{live_server.url}/orgs/{world.inst_a.uuid}/")
    page.click("text=添加岗位")
    page.fill("input[name=name]", "门卫")
    page.select_option("select[name=department]", str(dept.pk))
    page.click("main button[type=submit]")
    page.wait_for_selector("text=已保存")
    post = Post.objects.get(name="门卫")

    page.goto(f"{live_server.url}/orgs/people/new/")
    page.fill("input[name=username]", "guard_new")
    page.fill("input[name=name]", "门卫新")
    page.fill("input[name=phone]", "12345")
    page.select_option("select[name=organization]", str(dept.pk))
    page.select_option("select[name=role]", "staff")
    page.select_option("select[name=post]", str(post.pk))
    page.click("main button[type=submit]")
    page.wait_for_selector("text=不是大陆手机号")
    shot(page, "orgs-desktop-person-form-error")
    assert page.input_value("input[name=username]") == "guard_new"  # nothing lost
    page.fill("input[name=phone]", "13900000077")
    page.click("main button[type=submit]")
    page.wait_for_selector("text=初始密码")
    shot(page, "orgs-desktop-person-created")
    person = User.objects.get(username="guard_new")
    assert person.memberships.get().post == post

    log_in(phone, live_server.url, "head_a")
    phone.wait_for_selector("h1.greeting")
    phone.goto(f"{live_server.url}/orgs/people/{person.uuid}/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    shot(phone, "orgs-phone-person")
