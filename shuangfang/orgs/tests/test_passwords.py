"""Passwords too close to the person's own names are refused everywhere a password is set (issue 13)."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from shuangfang.orgs import services
from shuangfang.orgs.models import User
from shuangfang.orgs.roles import Role


def person(**fields) -> User:
    return User(**{"username": "wangfang88", "name": "欧阳娜娜", "phone": "13912345678", **fields})


@pytest.mark.parametrize(
    ("password", "field"),
    [
        ("欧阳娜娜欧阳娜娜", "姓名"),  # the name twice
        ("wangfang88", "用户名"),  # the login name
        ("wangfang88wangfang88", "用户名"),
        ("Wangfang88!", "用户名"),
        ("13912345678", "手机号"),
    ],
)
def test_a_password_made_of_the_persons_own_names_is_refused_in_chinese(password, field):
    with pytest.raises(ValidationError) as exc:
        validate_password(password, person())
    assert any("太相似" in m and field in m for m in exc.value.messages), exc.value.messages


def test_a_pinyin_name_repeated_is_refused():
    with pytest.raises(ValidationError, match="太相似"):
        validate_password("zhangweizhangwei", person(name="zhangwei"))


def test_a_password_that_merely_contains_a_name_part_is_accepted():
    validate_password("欧阳-Spring-Tea-41", person())


def test_person_create_checks_similarity_with_the_new_person(world):
    head = world.users["institution_head"]
    with pytest.raises(ValidationError, match="太相似"):
        services.create_person(
            actor=head,
            username="liuxiang",
            name="刘翔刘翔",
            password="刘翔刘翔刘翔刘翔",
            membership=services.NewMembership(organization=world.inst_a, role=Role.STAFF),
        )
    assert not User.objects.filter(username="liuxiang").exists()


def test_changing_ones_own_password_checks_similarity(world, login):
    cook = world.users["staff"]
    cook.name = "欧阳娜娜"
    cook.save(update_fields=["name"])
    client = login(cook)
    from shuangfang.orgs.tests.factories import PASSWORD

    response = client.post(
        "/account/password/",
        {"old_password": PASSWORD, "new_password1": "欧阳娜娜欧阳娜娜", "new_password2": "欧阳娜娜欧阳娜娜"},
    )
    assert response.status_code == 200
    assert "太相似" in response.content.decode()
    with pytest.raises(ValidationError):
        services.change_own_password(actor=cook, new_password="欧阳娜娜欧阳娜娜")
    cook.refresh_from_db()
    assert cook.check_password(PASSWORD)


def test_generated_passwords_pass_the_validators_for_the_person(world):
    cook = world.users["staff"]
    for _ in range(20):
        validate_password(services.reset_password(actor=world.users["institution_head"], person=cook), cook)
