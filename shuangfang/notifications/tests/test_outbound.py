"""Outbound requests are guarded (SSRF): webhook and provider URLs may not reach this machine, the
private network or the cloud's metadata service, at save time and at send time; answers are not
shown beyond their status; webhooks carry a delivery id and an event id stable across retries."""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import socket

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils import timezone

from shuangfang.notifications import engine, outbound
from shuangfang.notifications.choices import Channel, DeliveryStatus
from shuangfang.notifications.models import Delivery, Provider
from shuangfang.notifications.planning import notify
from shuangfang.notifications.providers import save_provider
from shuangfang.notifications.sealing import seal

from .receiver import LEAK, SECRET

FORBIDDEN = [
    "127.0.0.1",
    "127.255.0.9",
    "10.0.0.1",
    "172.16.5.4",
    "192.168.1.1",
    "100.64.0.1",  # shared address space (carrier NAT)
    "169.254.169.254",  # metadata (AWS, GCP, Azure IMDS, Tencent)
    "100.100.100.200",  # Alibaba Cloud metadata
    "168.63.129.16",  # Azure wire server (a public address, refused by name)
    "0.0.0.0",
    "224.0.0.1",
    "240.0.0.1",
    "255.255.255.255",
    "192.0.2.1",  # documentation
    "::1",
    "::",
    "fe80::1",
    "fc00::1",
    "fd00:ec2::254",  # AWS metadata over IPv6
    "ff02::1",
    "::ffff:127.0.0.1",  # IPv4-mapped
    "::ffff:169.254.169.254",
    "::ffff:10.0.0.1",
    "2002:7f00:1::",  # 6to4 of 127.0.0.1
    "2002:a9fe:a9fe::",  # 6to4 of 169.254.169.254
    "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
]
PUBLIC = ["8.8.8.8", "223.5.5.5", "2400:3200::1", "2001:4860:4860::8888"]


@pytest.fixture
def no_allow(settings):
    settings.OUTBOUND_ALLOW = []


def _fake_dns(monkeypatch, answers: dict[str, list[str]], calls: list[str] | None = None):
    """``getaddrinfo`` of the guard answering from ``answers`` (a list per name: one answer per
    call, the last repeated), numeric addresses as the real resolver does."""
    real = socket.getaddrinfo

    def fake(host, port, *args, **kwargs):
        if calls is not None:
            calls.append(host)
        if host not in answers:
            return real(host, port, *args, **kwargs)
        seq = answers[host]
        ip = seq.pop(0) if len(seq) > 1 else seq[0]
        family = socket.AF_INET6 if ":" in ip else socket.AF_INET
        addr = (ip, port, 0, 0) if family == socket.AF_INET6 else (ip, port)
        return [(family, socket.SOCK_STREAM, 6, "", addr)]

    monkeypatch.setattr(outbound.socket, "getaddrinfo", fake)


@pytest.mark.parametrize("address", FORBIDDEN)
def test_forbidden_addresses(no_allow, address):
    assert outbound.forbidden(ipaddress.ip_address(address)) != ""


@pytest.mark.parametrize("address", PUBLIC)
def test_public_addresses_pass(no_allow, address):
    assert outbound.forbidden(ipaddress.ip_address(address)) == ""


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/hook",
        "http://localhost/hook",
        "http://2130706433/hook",  # 127.0.0.1 as one decimal number
        "http://0x7f.0.0.1/hook",  # hexadecimal
        "http://017700000001/hook",  # octal
        "http://127.1/hook",
        "http://[::1]:8080/hook",
        "http://[::ffff:7f00:1]/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://100.100.100.200/latest/meta-data/",
        "http://192.168.1.10/hook",
        "ftp://example.com/x",
        "http://[::1]:99999/hook",
    ],
)
def test_save_time_check_refuses_local_and_private_urls(no_allow, url):
    with pytest.raises(ValidationError):
        outbound.check_url(url)


def test_a_name_resolving_to_a_private_address_is_refused(no_allow, monkeypatch):
    _fake_dns(monkeypatch, {"hooks.example.com": ["10.1.2.3"], "ok.example.com": ["8.8.8.8"]})
    with pytest.raises(ValidationError, match="hooks.example.com"):
        outbound.check_url("https://hooks.example.com/x")
    outbound.check_url("https://ok.example.com/x")  # a public address passes


def test_the_allow_list_takes_cidrs_and_host_names_but_never_metadata(settings, monkeypatch):
    _fake_dns(monkeypatch, {"duty.intranet": ["10.8.0.5"], "meta.intranet": ["169.254.169.254"]})
    settings.OUTBOUND_ALLOW = ["192.168.7.0/24", "duty.intranet", "meta.intranet", "169.254.0.0/16"]
    outbound.check_url("http://192.168.7.20/hook")
    outbound.check_url("http://duty.intranet/hook")
    with pytest.raises(ValidationError):
        outbound.check_url("http://192.168.8.20/hook")
    with pytest.raises(ValidationError):
        outbound.check_url("http://meta.intranet/")
    with pytest.raises(ValidationError):
        outbound.check_url("http://169.254.169.254/")
    settings.OUTBOUND_ALLOW = ["not a host!"]
    with pytest.raises(ImproperlyConfigured):
        outbound.check_url("http://8.8.8.8/")


def test_an_institution_head_cannot_point_a_webhook_at_this_machine(world, login, receiver, no_allow):
    """The finding: a webhook at 127.0.0.1 was saved and posted to. Now the form refuses it with a
    translated reason and nothing is saved."""
    inst = world.inst_a
    page = login(world.users["institution_head"]).post(
        f"/notifications/providers/new/{inst.uuid}/",
        {"kind": "webhook", "name": "内网", "endpoint": receiver.url + "/hook", "min_severity": "info"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert page.status_code == 200
    assert "环回地址" in page.content.decode()
    assert not Provider.objects.filter(organization=inst).exists()
    with pytest.raises(ValidationError):
        save_provider(
            actor=world.root,
            organization=inst,
            kind="dingtalk",
            name="robot",
            endpoint="http://169.254.169.254/latest/meta-data/",
        )


def _group_message(world):
    return notify(
        recipients=[],
        kind="hazard.overdue",
        title="隐患超期",
        url="/h/1/",
        severity="warning",
        organization=world.inst_a,
    )


def _stored_webhook(world, endpoint: str) -> Provider:
    """A provider stored before the guard existed (or while the address was public)."""
    return Provider.objects.create(
        organization=world.inst_a,
        kind="webhook",
        name="hook",
        endpoint=endpoint,
        secret_sealed=seal(SECRET),
    )


def test_a_stored_webhook_at_a_local_address_is_not_posted_to(world, receiver, no_allow):
    _stored_webhook(world, receiver.url + "/hook")
    notes = _group_message(world)
    engine.send_due_deliveries()
    delivery = Delivery.objects.get(notification__in=notes, channel=Channel.WEBHOOK)
    assert receiver.seen == []
    assert delivery.status == DeliveryStatus.FAILED  # permanent: retrying cannot help
    assert "refused" in delivery.last_error and "loopback" in delivery.last_error


def test_dns_rebinding_after_the_check_is_refused_at_send_time(world, receiver, no_allow, monkeypatch):
    """The name was public when saved and points at this machine when the worker sends: the
    address actually connected to is checked, resolved once."""
    port = receiver.server.server_address[1]
    calls: list[str] = []
    _fake_dns(monkeypatch, {"rebind.example.com": ["93.184.216.34", "127.0.0.1"]}, calls)
    save_provider(
        actor=world.root,
        organization=world.inst_a,
        kind="webhook",
        name="hook",
        endpoint=f"http://rebind.example.com:{port}/hook",
        secret=SECRET,
    )
    notes = _group_message(world)
    engine.send_due_deliveries()
    delivery = Delivery.objects.get(notification__in=notes, channel=Channel.WEBHOOK)
    assert receiver.seen == []
    assert delivery.status == DeliveryStatus.FAILED and "refused" in delivery.last_error
    assert calls == ["rebind.example.com", "rebind.example.com"]  # save, then one resolution to send


def test_the_connection_goes_to_the_checked_address(world, receiver, settings, monkeypatch):
    """A name allowed by host name resolves once; the socket connects to that answer (a second,
    different answer would never be used)."""
    settings.OUTBOUND_ALLOW = ["duty.intranet"]
    port = receiver.server.server_address[1]
    calls: list[str] = []
    _fake_dns(monkeypatch, {"duty.intranet": ["127.0.0.1", "10.9.9.9"]}, calls)
    _stored_webhook(world, f"http://duty.intranet:{port}/hook")
    notes = _group_message(world)
    engine.send_due_deliveries()
    delivery = Delivery.objects.get(notification__in=notes, channel=Channel.WEBHOOK)
    assert delivery.status == DeliveryStatus.SENT, delivery.last_error
    assert [s.verdict for s in receiver.seen] == ["ok"]
    assert receiver.seen[0].headers["host"] == f"duty.intranet:{port}"
    assert calls == ["duty.intranet"]


def test_redirects_are_not_followed(world, receiver):
    _stored_webhook(world, receiver.url + "/start")
    receiver.mode = "redirect"
    notes = _group_message(world)
    engine.send_due_deliveries()
    delivery = Delivery.objects.get(notification__in=notes, channel=Channel.WEBHOOK)
    assert [s.path for s in receiver.seen] == ["/start"]  # the Location was not requested
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.last_error == "HTTP 302 (redirects are not followed)"


def test_the_answer_is_not_shown_beyond_its_status(world, receiver, login, caplog):
    """The finding kept the first 200 characters of the answer on the deliveries page."""
    _stored_webhook(world, receiver.url + "/hook")
    receiver.mode = "leak"
    notes = _group_message(world)
    with caplog.at_level("WARNING", logger="shuangfang.notifications.channels.base"):
        engine.send_due_deliveries()
    delivery = Delivery.objects.get(notification__in=notes, channel=Channel.WEBHOOK)
    assert delivery.last_error == "HTTP 403"
    assert LEAK in caplog.text  # the detail is in the server log only
    page = login(world.users["institution_head"]).get("/notifications/log/")
    assert page.status_code == 200
    assert "HTTP 403" in page.content.decode() and LEAK not in page.content.decode()


def test_a_robot_error_shows_its_code_not_its_text(world, receiver):
    from shuangfang.notifications.channels.base import robot_result

    result = robot_result(200, json.dumps({"errcode": 310000, "errmsg": LEAK}), "errcode", set())
    assert result.error == "code 310000" and LEAK not in result.error
    result = robot_result(200, json.dumps({"errcode": LEAK + " with spaces"}), "errcode", set())
    assert result.error == "code ?"


def test_webhook_retries_carry_the_same_delivery_and_event_ids(world, receiver):
    """The finding: a worker killed mid-way re-sent a delivery 133 s later and the receiver could
    not tell. The same ids travel on every attempt, in the headers and in the signed body."""
    _stored_webhook(world, receiver.url + "/hook")
    notes = _group_message(world)
    now = timezone.now()
    [claimed] = engine.claim_deliveries(now)
    engine.attempt(claimed)  # … posted, and the worker dies before recording the outcome
    engine.send_due_deliveries(now=now + engine.LEASE + dt.timedelta(seconds=13))
    delivery = Delivery.objects.get(notification__in=notes, channel=Channel.WEBHOOK)
    assert delivery.status == DeliveryStatus.SENT and delivery.attempts == 2
    first, second = receiver.ok()
    for seen in (first, second):
        body = json.loads(seen.body)
        assert seen.headers["x-shuangfang-delivery"] == body["delivery"] == str(delivery.uuid)
        assert seen.headers["x-shuangfang-event"] == body["event"] == str(delivery.notification.uuid)
    # another delivery (another message) has other ids
    notes2 = _group_message(world)
    engine.send_due_deliveries(now=now + engine.LEASE + dt.timedelta(seconds=14))
    other = json.loads(receiver.ok()[-1].body)
    assert other["delivery"] != str(delivery.uuid) and other["event"] == str(notes2[0].uuid)
