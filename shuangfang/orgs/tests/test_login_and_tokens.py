from django.test import Client, override_settings

from shuangfang.orgs import services
from shuangfang.orgs.tests.factories import PASSWORD


@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_repeated_failures_lock_the_login_even_with_the_right_password(world):
    client = Client()
    for _ in range(3):
        response = client.post("/login/", {"username": "cook_a", "password": "nope"})
        assert response.status_code == 200
    response = client.post("/login/", {"username": "cook_a", "password": PASSWORD})
    body = response.content.decode()
    assert response.status_code == 200
    assert "失败次数过多" in body
    assert "_auth_user_id" not in client.session
    # Another person at the same address is not locked out.
    assert client.post("/login/", {"username": "officer_a", "password": PASSWORD}).status_code == 302


def test_wrong_password_says_so_in_chinese(world):
    response = Client().post("/login/", {"username": "cook_a", "password": "nope"})
    assert "请输入一个正确的" in response.content.decode()


def test_expired_session_tells_the_person_to_log_in_again(world):
    client = Client()
    client.cookies["sessionid"] = "expired-or-unknown"
    response = client.get("/orgs/", follow=True)
    assert "登录已过期" in response.content.decode()


def test_login_page_ignores_an_offsite_next_url(world):
    response = Client().post(
        "/login/", {"username": "cook_a", "password": PASSWORD, "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_english_is_one_click_away(world, login):
    client = login(world.users["staff"])
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Where you belong" in client.get("/").content.decode()


def test_api_token_malformed_unknown_revoked_and_valid(world):
    client = Client()
    r = client.get("/api/v1/orgs/me", headers={"Authorization": "Bearer hello"})
    assert r.status_code == 401
    assert "sf_" in r.json()["detail"]
    r = client.get("/api/v1/orgs/me", headers={"Authorization": "Bearer sf_" + "x" * 43})
    assert r.status_code == 401
    assert r.json()["detail"] == "API 令牌无效。"
    token, raw = services.issue_api_token(actor=world.users["staff"], name="phone app")
    r = client.get("/api/v1/orgs/me", headers={"Authorization": f"Bearer {raw}"})
    assert r.status_code == 200
    assert r.json()["username"] == "cook_a"
    assert token.key_hash != raw
    assert raw not in str(token.__dict__)
    services.revoke_api_token(actor=world.users["staff"], token=token)
    r = client.get("/api/v1/orgs/me", headers={"Authorization": f"Bearer {raw}"})
    assert r.status_code == 401
    assert "吊销" in r.json()["detail"]


def test_api_answers_404_for_another_institutions_organisation(world):
    _t, raw = services.issue_api_token(actor=world.users["outsider"], name="x")
    r = Client().get(
        f"/api/v1/orgs/organizations/{world.inst_a.uuid}", headers={"Authorization": f"Bearer {raw}"}
    )
    assert r.status_code == 404


def test_openapi_schema_is_served(world):
    _t, raw = services.issue_api_token(actor=world.users["staff"], name="x")
    r = Client().get("/api/v1/openapi.json", headers={"Authorization": f"Bearer {raw}"})
    assert r.status_code == 200
    assert "/api/v1/orgs/organizations" in r.json()["paths"]


def test_profile_shows_a_new_token_once(world, login):
    client = login(world.users["staff"])
    response = client.post("/account/", {"name": "巡检 App"})
    body = response.content.decode()
    assert 'id="new-token">sf_' in body
    assert 'id="new-token"' not in client.get("/account/").content.decode()
