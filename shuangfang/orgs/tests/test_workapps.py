"""WeCom and DingTalk as work apps (issue 23), against a local simulator of their documented server
APIs (``workapp_sim``): the access token fetched once and cached, fetched again when the provider
says it expired; work messages in the documented shape; scan-to-log-in (code -> user id -> person)
with its refusals."""

from __future__ import annotations

import urllib.parse

import pytest
from django.core.cache import cache
from django.urls import reverse

from shuangfang.orgs import workapps

from . import workapp_sim

pytestmark = pytest.mark.django_db


@pytest.fixture
def sim(settings):
    cache.clear()
    sim = workapp_sim.start()
    workapp_sim.configure(settings, sim)
    yield sim
    sim.server.shutdown()
    cache.clear()


@pytest.mark.parametrize("app", [workapps.WECOM, workapps.DINGTALK])
def test_the_token_is_cached_and_fetched_again_when_it_expires(sim, app):
    sim.people["cook_a"] = "13900000001"
    workapps.send_text(app, "cook_a", "厨房燃气浓度超标")
    workapps.send_text(app, "cook_a", "第二条")
    assert sim.tokens[app] == 1 and len(sim.sent) == 2 and not sim.refused
    sim.expired.add(sim.token(app))  # the provider ends the token early
    workapps.send_text(app, "cook_a", "第三条")
    assert sim.tokens[app] == 2 and len(sim.sent) == 3
    assert sim.refused == [
        ("/cgi-bin/message/send" if app == "wecom" else "/topapi/message/corpconversation/asyncsend_v2")
        + ": access_token expired"
    ]
    last = sim.sent[-1]
    if app == "wecom":
        assert (last["touser"], last["msgtype"], last["agentid"]) == ("cook_a", "text", 1000002)
        assert last["text"]["content"] == "第三条"
    else:
        assert (last["userid_list"], last["agent_id"]) == ("cook_a", 2000003)
        assert last["msg"] == {"msgtype": "text", "text": {"content": "第三条"}}


@pytest.mark.parametrize("app", [workapps.WECOM, workapps.DINGTALK])
def test_mobile_matching_looks_the_person_up_once(sim, settings, app):
    settings.WECOM_MATCH = settings.DINGTALK_MATCH = "mobile"
    sim.people["zhangsan"] = "13900000002"
    workapps.send_text(app, "13900000002", "a")
    workapps.send_text(app, "13900000002", "b")
    assert [m.get("touser") or m.get("userid_list") for m in sim.sent] == ["zhangsan", "zhangsan"]
    with pytest.raises(workapps.WorkAppError) as exc:
        workapps.send_text(app, "13900000009", "c")
    assert not exc.value.temporary  # nobody with that phone: retrying cannot help


def test_a_provider_that_cannot_be_reached_is_a_temporary_failure(sim, settings):
    settings.WECOM_API = "http://127.0.0.1:9"  # nothing listens on the discard port
    with pytest.raises(workapps.WorkAppError) as exc:
        workapps.send_text(workapps.WECOM, "cook_a", "x")
    assert exc.value.temporary


def _scan(client, sim, app: str, code: str, next_url: str = ""):
    start = client.get(
        reverse("workapp_login", kwargs={"app": app}) + (f"?next={next_url}" if next_url else "")
    )
    assert start.status_code == 302
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(start["Location"]).query))
    param = "code" if app == "wecom" else "authCode"
    back = urllib.parse.urlsplit(query["redirect_uri"]).path
    return query, client.get(back, {param: code, "state": query["state"]})


def test_scan_with_wecom_logs_the_person_in(sim, world, client):
    sim.people["cook_a"] = "13900000001"
    sim.codes["CODE1"] = world.users["staff"].username
    page = client.get(reverse("login")).content.decode()
    assert "企业微信" in page and "钉钉" in page  # both buttons when both are configured
    query, r = _scan(client, sim, "wecom", "CODE1", "/duty/")
    assert query["appid"] == workapp_sim.CORP_ID and query["agentid"] == workapp_sim.WECOM_AGENT
    assert query["login_type"] == "CorpApp" and query["redirect_uri"].endswith("/login/work/wecom/callback/")
    assert r.status_code == 302 and r["Location"] == "/duty/"
    assert client.session["_auth_user_id"] == str(world.users["staff"].pk)


def test_scan_refusals_log_nobody_in(sim, world, client):
    # A forged state.
    client.get(reverse("workapp_login", kwargs={"app": "wecom"}))
    sim.codes["C"] = world.users["staff"].username
    r = client.get(
        reverse("workapp_login_callback", kwargs={"app": "wecom"}), {"code": "C", "state": "forged"}
    )
    assert r["Location"].endswith("?workapp=state") and "_auth_user_id" not in client.session
    # A code the provider does not know.
    _q, r = _scan(client, sim, "wecom", "UNKNOWN")
    assert r["Location"].endswith("?workapp=provider") and "_auth_user_id" not in client.session
    # Somebody at the provider who is nobody here (or has no role here).
    sim.codes["D"] = "stranger"
    _q, r = _scan(client, sim, "wecom", "D")
    assert r["Location"].endswith("?workapp=unknown") and "_auth_user_id" not in client.session
    page = client.get(r["Location"]).content.decode()
    assert "管理员" in page
    # The state is good once: replaying the callback does not log in.
    sim.codes["E"] = world.users["staff"].username
    query, r = _scan(client, sim, "wecom", "E")
    assert "_auth_user_id" in client.session
    client.logout()
    again = client.get(
        reverse("workapp_login_callback", kwargs={"app": "wecom"}), {"code": "E", "state": query["state"]}
    )
    assert again["Location"].endswith("?workapp=state") and "_auth_user_id" not in client.session


def test_scan_with_dingtalk_by_mobile(sim, settings, world, client):
    settings.DINGTALK_MATCH = "mobile"
    staff = world.users["staff"]
    staff.phone = "13900000007"
    staff.save(update_fields=["phone"])
    sim.people["ding-u-1"] = "13900000007"
    sim.unions["union-1"] = "ding-u-1"
    sim.codes["AUTH1"] = "union-1"
    query, r = _scan(client, sim, "dingtalk", "AUTH1")
    assert query["client_id"] == workapp_sim.DING_KEY and query["response_type"] == "code"
    assert query["scope"] == "openid" and query["prompt"] == "consent"
    assert r.status_code == 302 and client.session["_auth_user_id"] == str(staff.pk)


def test_off_unless_configured(world, client, settings):
    settings.WECOM_CORP_ID = settings.DINGTALK_APP_KEY = ""
    assert client.get(reverse("workapp_login", kwargs={"app": "wecom"})).status_code == 404
    assert client.get(reverse("workapp_login_callback", kwargs={"app": "dingtalk"})).status_code == 404
    assert client.get(reverse("workapp_login", kwargs={"app": "other"})).status_code == 404
    assert "企业微信" not in client.get(reverse("login")).content.decode()
