"""Each adapter against a local server that checks the provider's documented request format and
signature; failures, retries and fall-through."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json

import pytest
import time_machine
from django.utils import timezone

from shuangfang.notifications import engine
from shuangfang.notifications.channels import aliyun, base, dingtalk, feishu
from shuangfang.notifications.choices import GROUP_CHANNELS, Channel, ContactKind, DeliveryStatus
from shuangfang.notifications.contacts import set_contact, verify_contact
from shuangfang.notifications.models import Contact, Delivery
from shuangfang.notifications.planning import Planner, notify
from shuangfang.notifications.providers import receipt_token, save_provider

from .receiver import SECRET

PROVIDERS = {
    # kind: (path, access key, params, channel)
    "aliyun_sms": (
        "/aliyun-sms",
        "LTAItest",
        {"sign_name": "双防平台", "template_code": "SMS_1", "template_params": ["org", "title", "link"]},
        "sms",
    ),
    "aliyun_voice": (
        "/aliyun-voice",
        "LTAItest",
        {"tts_code": "TTS_1", "template_params": ["title"], "called_show_number": "057188773344"},
        "voice",
    ),
    "tencent_sms": (
        "/tencent/",
        "AKIDtest",
        {
            "sdk_app_id": "1400006666",
            "sign_name": "双防平台",
            "template_id": "1234",
            "template_params": ["title"],
        },
        "sms",
    ),
    "tencent_voice": (
        "/tencent-voice/",
        "AKIDtest",
        {"voice_sdk_app_id": "1400007777", "template_id": "5678", "template_params": ["title"]},
        "voice",
    ),
    "dingtalk": ("/dingtalk/robot/send", "ding-token", {}, "dingtalk"),
    "feishu": ("/feishu/hook/", "feishu-key", {}, "feishu"),
    "wecom": ("/wecom/send", "wecom-key", {}, "wecom"),
    "webhook": ("/hook", "", {}, "webhook"),
}


def _provider(world, receiver, kind: str, secret: str = SECRET):
    path, key, params, _channel = PROVIDERS[kind]
    return save_provider(
        actor=world.root,
        organization=world.inst_a,
        kind=kind,
        name=kind,
        endpoint=receiver.url + path,
        access_key=key,
        secret=secret,
        params=params,
    )


def _verified_phone(user, number="13900000001"):
    return Contact.objects.create(
        user=user, kind=ContactKind.PHONE, address=number, verified_at=timezone.now()
    )


def _message(world, channels, user=None):
    planner = Planner(world.inst_a)
    return planner.message(
        recipient=user if user is not None else world.users["safety_officer"],
        kind="alarm.opened",
        severity="critical",
        title="厨房燃气浓度超标（可燃气体 35%LEL）",
        url="/monitoring/alarms/1/",
        channels=channels,
        quiet=False,
    )


def test_aliyun_signature_matches_the_documented_example():
    # The worked example of Aliyun's RPC signature documentation (DescribeRegions, secret "testsecret").
    params = {
        "AccessKeyId": "testid",
        "Action": "DescribeRegions",
        "Format": "XML",
        "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf",
        "SignatureVersion": "1.0",
        "Timestamp": "2016-02-23T12:46:24Z",
        "Version": "2014-05-26",
    }
    assert aliyun.aliyun_string_to_sign(params) == (
        "GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML%26SignatureMethod%3DHMAC-SHA1"
        "%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf%26SignatureVersion%3D1.0"
        "%26Timestamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26"
    )
    assert aliyun.aliyun_signature(params, "testsecret") == "OLeaidS1JvxuMvnyHOwuJ+uX5qY="


def test_feishu_and_dingtalk_signatures_follow_their_documents():
    ts = 1599360473
    assert (
        feishu.feishu_sign("demo", ts)
        == base64.b64encode(hmac.new(f"{ts}\ndemo".encode(), b"", hashlib.sha256).digest()).decode()
    )
    ms = 1599360473000
    raw = base64.b64encode(hmac.new(b"demo", f"{ms}\ndemo".encode(), hashlib.sha256).digest()).decode()
    assert dingtalk.dingtalk_sign("demo", ms) == raw.replace("+", "%2B").replace("/", "%2F").replace(
        "=", "%3D"
    )


@pytest.mark.parametrize("kind", list(PROVIDERS))
def test_each_adapter_sends_a_request_the_provider_accepts(world, receiver, kind):
    _provider(world, receiver, kind)
    _verified_phone(world.users["safety_officer"])
    channel = PROVIDERS[kind][3]
    if channel in GROUP_CHANNELS:  # one message to the institution's group, not per person
        notify(
            recipients=[],
            kind="alarm.opened",
            severity="critical",
            title="厨房燃气浓度超标（可燃气体 35%LEL）",
            url="/monitoring/alarms/1/",
            organization=world.inst_a,
        )
    else:
        _message(world, [channel])
    engine.send_due_deliveries()
    delivery = Delivery.objects.get(channel=channel)
    assert [s.verdict for s in receiver.seen] == ["ok"], receiver.seen
    assert delivery.status in {DeliveryStatus.SENT, DeliveryStatus.DELIVERED}, delivery.last_error
    assert delivery.attempts == 1
    seen = receiver.seen[0]
    if kind == "aliyun_sms":
        assert seen.query["PhoneNumbers"] == "13900000001"
        assert seen.query["SignName"] == "双防平台"
        params = json.loads(seen.query["TemplateParam"])
        assert list(params) == ["org", "title", "link"]
        assert params["org"] == "测试救助站"
        assert len(params["title"]) <= 35
        assert params["link"].endswith("/monitoring/alarms/1/")
        assert delivery.provider_ref == "biz-1"
    if kind == "tencent_sms":
        body = json.loads(seen.body)
        assert body["PhoneNumberSet"] == ["+8613900000001"]
        assert len(body["TemplateParamSet"][0]) <= 12
    if kind == "tencent_voice":
        body = json.loads(seen.body)
        assert body["CalledNumber"] == "+8613900000001"
        assert body["TemplateId"] == "5678"
        assert len(body["TemplateParamSet"][0]) <= 20
        assert delivery.provider_ref == "vms-call-1"
    if kind == "aliyun_voice":
        assert seen.query["CalledNumber"] == "13900000001"
        assert seen.query["CalledShowNumber"] == "057188773344"
    if kind in {"dingtalk", "wecom"}:
        assert json.loads(seen.body)["msgtype"] == "text"
        assert "厨房燃气浓度超标" in json.loads(seen.body)["text"]["content"]
    if kind == "feishu":
        assert json.loads(seen.body)["msg_type"] == "text"


def test_a_wrong_secret_is_a_permanent_failure_that_falls_through_to_email(world, receiver):
    _provider(world, receiver, "aliyun_sms", secret="wrong")
    _verified_phone(world.users["safety_officer"])
    Contact.objects.create(
        user=world.users["safety_officer"],
        kind=ContactKind.EMAIL,
        address="o@example.cn",
        verified_at=timezone.now(),
    )
    note = _message(world, ["sms"])
    engine.send_due_deliveries()
    sms = note.deliveries.get(channel="sms")
    assert sms.status == DeliveryStatus.FAILED
    assert "SignatureDoesNotMatch" in sms.last_error
    email = note.deliveries.get(channel="email")
    assert email.fallback_from_id == sms.pk
    assert email.status == DeliveryStatus.SENT  # console backend in tests


def test_unverified_phone_is_logged_and_falls_through(world, receiver):
    _provider(world, receiver, "aliyun_sms")
    Contact.objects.create(user=world.users["safety_officer"], kind=ContactKind.PHONE, address="13900000001")
    note = _message(world, ["voice"])
    rows = {d.channel: d for d in note.deliveries.all()}
    assert rows["voice"].status == DeliveryStatus.FAILED and "未验证" in rows["voice"].last_error
    assert rows["sms"].status == DeliveryStatus.FAILED and "未验证" in rows["sms"].last_error
    assert rows["email"].status == DeliveryStatus.FAILED  # no email on file either
    assert rows["inbox"].status == DeliveryStatus.DELIVERED
    assert receiver.seen == []


def test_a_provider_down_for_ten_minutes_loses_nothing(world, receiver):
    _provider(world, receiver, "aliyun_sms")
    _verified_phone(world.users["safety_officer"])
    receiver.mode = "500"
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        note = _message(world, ["sms"])
        delivery = note.deliveries.get(channel="sms")
        for _minute in range(10):
            engine.send_due_deliveries()
            delivery.refresh_from_db()
            assert delivery.status == DeliveryStatus.QUEUED
            assert "500" in delivery.last_error
            clock.shift(dt.timedelta(minutes=1))
        attempts_while_down = delivery.attempts
        assert 3 <= attempts_while_down < engine.MAX_ATTEMPTS
        receiver.mode = "ok"
        clock.shift(dt.timedelta(minutes=5))
        engine.send_due_deliveries()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT
    assert delivery.attempts == attempts_while_down + 1
    assert receiver.ok()[-1].query["PhoneNumbers"] == "13900000001"


def test_a_provider_that_times_out_is_retried(world, receiver, monkeypatch):
    monkeypatch.setattr(base, "TIMEOUT", 0.3)
    _provider(world, receiver, "webhook")
    receiver.mode = "slow"
    notes = notify(
        recipients=[],
        kind="hazard.overdue",
        title="隐患超期",
        url="/h/1/",
        severity="warning",
        organization=world.inst_a,
    )
    engine.send_due_deliveries()
    delivery = Delivery.objects.get(notification__in=notes, channel=Channel.WEBHOOK)
    assert delivery.status == DeliveryStatus.QUEUED
    assert "timed out" in delivery.last_error
    assert delivery.next_attempt_at is not None and delivery.next_attempt_at > timezone.now()


def test_a_crashed_worker_leaves_a_lease_that_expires(world, receiver):
    _provider(world, receiver, "webhook")
    notes = notify(
        recipients=[],
        kind="hazard.overdue",
        title="隐患超期",
        url="/h/1/",
        severity="warning",
        organization=world.inst_a,
    )
    now = timezone.now()
    claimed = engine.claim_deliveries(now)  # … and the worker dies here, before sending
    assert len(claimed) == 1
    assert engine.claim_deliveries(now) == []  # another worker does not take it meanwhile
    engine.send_due_deliveries(now=now + engine.LEASE + dt.timedelta(seconds=1))
    delivery = Delivery.objects.get(notification__in=notes, channel=Channel.WEBHOOK)
    assert delivery.status == DeliveryStatus.SENT
    assert delivery.attempts == 2
    assert len(receiver.ok()) == 1


def test_secrets_are_stored_sealed_and_never_shown(world, receiver, login):
    provider = _provider(world, receiver, "webhook")
    assert SECRET not in provider.secret_sealed
    assert base.secret_of(provider) == SECRET
    page = login(world.users["institution_head"]).get(f"/notifications/providers/{provider.uuid}/edit/")
    assert page.status_code == 200
    assert SECRET not in page.content.decode()
    assert provider.secret_sealed not in page.content.decode()


def test_secret_from_the_environment(world, receiver, monkeypatch):
    monkeypatch.setenv("SF_TEST_ROBOT_SECRET", SECRET)
    path, key, params, _ = PROVIDERS["dingtalk"]
    save_provider(
        actor=world.root,
        organization=world.inst_a,
        kind="dingtalk",
        name="群",
        endpoint=receiver.url + path,
        access_key=key,
        secret_env="SF_TEST_ROBOT_SECRET",
    )
    notify(
        recipients=[],
        kind="hazard.major_reported",
        title="重大隐患",
        url="/h/2/",
        severity="critical",
        organization=world.inst_a,
    )
    engine.send_due_deliveries()
    assert [s.verdict for s in receiver.seen] == ["ok"]


def test_delivery_reports_turn_sent_into_delivered_or_failed(world, receiver):
    from django.test import Client

    provider = _provider(world, receiver, "aliyun_sms")
    _verified_phone(world.users["safety_officer"])
    Contact.objects.create(
        user=world.users["safety_officer"],
        kind=ContactKind.EMAIL,
        address="o@example.cn",
        verified_at=timezone.now(),
    )
    first = _message(world, ["sms"])
    second = _message(world, ["sms"])
    engine.send_due_deliveries()
    Delivery.objects.filter(notification=second, channel="sms").update(provider_ref="biz-2")
    url = f"/notifications/receipts/{provider.uuid}/{receipt_token(provider)}/"
    reports = [
        {
            "phone_number": "13900000001",
            "success": True,
            "err_code": "DELIVERED",
            "err_msg": "用户接收成功",
            "biz_id": "biz-1",
        },
        {
            "phone_number": "13900000001",
            "success": False,
            "err_code": "MK:0000",
            "err_msg": "空号",
            "biz_id": "biz-2",
        },
    ]
    answer = Client().post(url, json.dumps(reports), content_type="application/json")
    assert answer.status_code == 200 and answer.json()["code"] == 0
    assert first.deliveries.get(channel="sms").status == DeliveryStatus.DELIVERED
    failed = second.deliveries.get(channel="sms")
    assert failed.status == DeliveryStatus.FAILED and "空号" in failed.last_error
    assert second.deliveries.get(channel="email").fallback_from_id == failed.pk
    # a forged receiver URL is refused
    bad = Client().post(url.replace(receipt_token(provider), "0" * 32), "[]", content_type="application/json")
    assert bad.status_code == 404


def test_a_phone_is_verified_with_the_providers_verification_template(world, receiver):
    provider = _provider(world, receiver, "aliyun_sms")
    provider.params = {**provider.params, "verify_template_code": "SMS_VERIFY"}
    provider.save()
    cook = world.users["staff"]
    _contact, code = set_contact(actor=cook, kind="phone", address="13900000007")
    engine.send_due_deliveries()
    [seen] = receiver.ok()
    assert seen.query["TemplateCode"] == "SMS_VERIFY"
    assert json.loads(seen.query["TemplateParam"]) == {"code": code}
    verify_contact(actor=cook, kind="phone", code=code)
    assert Contact.objects.get(user=cook, kind="phone").verified_at is not None
