"""The API schema and docs need a login unless API_DOCS_PUBLIC is set (issue 13)."""

from django.test import Client, override_settings

from shuangfang.orgs import services


def test_schema_and_docs_are_closed_to_strangers():
    client = Client()
    r = client.get("/api/v1/openapi.json")
    assert r.status_code == 401
    assert r.json()["detail"] == "请登录或提供有效的 API 令牌。"
    r = client.get("/api/v1/docs")
    assert r.status_code == 302
    assert r["Location"].startswith("/login/?next=/api/v1/docs")


def test_a_bad_token_does_not_open_the_schema(world):
    r = Client(headers={"Authorization": "Bearer sf_" + "x" * 43}).get("/api/v1/openapi.json")
    assert r.status_code == 401


def test_schema_and_docs_open_with_a_session_or_a_token(world, login):
    client = login(world.users["staff"])
    assert client.get("/api/v1/docs").status_code == 200
    assert "/api/v1/orgs/me" in client.get("/api/v1/openapi.json").json()["paths"]
    _t, raw = services.issue_api_token(actor=world.users["staff"], name="x")
    assert Client(headers={"Authorization": f"Bearer {raw}"}).get("/api/v1/openapi.json").status_code == 200


@override_settings(API_DOCS_PUBLIC=True)
def test_a_setting_can_publish_them():
    assert Client().get("/api/v1/openapi.json").status_code == 200
    assert Client().get("/api/v1/docs").status_code == 200
