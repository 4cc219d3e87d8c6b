"""Email through a real local SMTP server (aiosmtpd); verifying one's phone and email."""

from __future__ import annotations

import datetime as dt
import email as email_lib
import email.policy
import re
import socket

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.core.exceptions import ValidationError
from django.utils import timezone

from shuangfang.notifications import engine
from shuangfang.notifications.choices import ContactKind, DeliveryStatus
from shuangfang.notifications.contacts import MAX_CODE_ATTEMPTS, set_contact, verify_contact
from shuangfang.notifications.models import Contact, Delivery
from shuangfang.notifications.planning import notify


class Mailbox:
    def __init__(self):
        self.messages = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("nobody@"):
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(
            (envelope.rcpt_tos, email_lib.message_from_bytes(envelope.content, policy=email.policy.default))
        )
        return "250 Message accepted"


@pytest.fixture
def smtp(settings):
    box = Mailbox()
    with socket.socket() as probe:  # a free port (the controller's readiness check needs a real one)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    yield box
    controller.stop()


def test_an_email_arrives_with_the_chinese_template(world, smtp):
    officer = world.users["safety_officer"]
    Contact.objects.create(
        user=officer, kind=ContactKind.EMAIL, address="officer@example.cn", verified_at=timezone.now()
    )
    [note] = notify(
        recipients=[officer],
        kind="hazard.overdue",
        title="隐患 YH-2026-0042 已超期",
        url="/hazards/x/",
        severity="warning",
        organization=world.inst_a,
    )
    engine.send_due_deliveries()
    assert note.deliveries.get(channel="email").status == DeliveryStatus.SENT
    [(rcpt, msg)] = smtp.messages
    assert rcpt == ["officer@example.cn"]
    assert msg["Subject"] == "【双防】隐患 YH-2026-0042 已超期"
    body = msg.get_body().get_content()
    assert "测试救助站" in body and "/hazards/x/" in body


def test_a_refused_address_fails_for_good_and_the_log_says_why(world, smtp):
    officer = world.users["safety_officer"]
    Contact.objects.create(
        user=officer, kind=ContactKind.EMAIL, address="nobody@example.cn", verified_at=timezone.now()
    )
    [note] = notify(
        recipients=[officer],
        kind="hazard.overdue",
        title="隐患已超期",
        url="/h/",
        severity="warning",
        organization=world.inst_a,
    )
    engine.send_due_deliveries()
    delivery = note.deliveries.get(channel="email")
    assert delivery.status == DeliveryStatus.FAILED
    assert "refused" in delivery.last_error


def test_smtp_server_down_is_retried(world, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens there
    officer = world.users["safety_officer"]
    Contact.objects.create(
        user=officer, kind=ContactKind.EMAIL, address="officer@example.cn", verified_at=timezone.now()
    )
    [note] = notify(
        recipients=[officer],
        kind="hazard.overdue",
        title="隐患已超期",
        url="/h/",
        severity="warning",
        organization=world.inst_a,
    )
    engine.send_due_deliveries()
    delivery = note.deliveries.get(channel="email")
    assert delivery.status == DeliveryStatus.QUEUED
    assert delivery.attempts == 1 and "SMTP" in delivery.last_error


def test_verifying_an_email_with_the_code_sent_to_it(world, smtp):
    cook = world.users["staff"]
    contact, _code = set_contact(actor=cook, kind="email", address="Cook@Example.cn")
    assert contact.address == "cook@example.cn" and contact.verified_at is None
    engine.send_due_deliveries()
    [(_rcpt, msg)] = smtp.messages
    found = re.search(r"\d{6}", msg.get_body().get_content())
    assert found is not None
    sent_code = found.group(0)
    with pytest.raises(ValidationError):
        verify_contact(actor=cook, kind="email", code="000000" if sent_code != "000000" else "111111")
    verify_contact(actor=cook, kind="email", code=sent_code)
    contact.refresh_from_db()
    assert contact.verified_at is not None
    assert Delivery.objects.get(address="cook@example.cn").extra == {}  # the code is not kept once sent


def test_codes_expire_and_wrong_codes_are_limited(world):
    cook = world.users["staff"]
    with time_machine.travel(timezone.now(), tick=False) as clock:
        _contact, code = set_contact(actor=cook, kind="phone", address="139 0000 0009")
        clock.shift(dt.timedelta(minutes=11))
        with pytest.raises(ValidationError, match="过期|expired"):
            verify_contact(actor=cook, kind="phone", code=code)
    _contact, code = set_contact(actor=cook, kind="phone", address="13900000009")
    for _ in range(MAX_CODE_ATTEMPTS):
        with pytest.raises(ValidationError):
            verify_contact(actor=cook, kind="phone", code="x")
    with pytest.raises(ValidationError, match="过多|Too many"):
        verify_contact(actor=cook, kind="phone", code=code)


@pytest.mark.parametrize("bad", ["12345", "0371-23580110", "+1 415 555 0100", "2390000000a"])
def test_a_number_that_is_not_a_mainland_mobile_is_refused(world, bad):
    with pytest.raises(ValidationError, match="大陆手机号|mainland mobile"):
        set_contact(actor=world.users["staff"], kind="phone", address=bad)
    assert not Contact.objects.filter(user=world.users["staff"]).exists()


def test_channels_page_shows_the_error_for_a_bad_number(world, login):
    client = login(world.users["staff"])
    page = client.post(
        "/notifications/channels/", {"action": "contact", "c-kind": "phone", "c-address": "12345"}
    )
    assert page.status_code == 200
    assert "不是大陆手机号" in page.content.decode()
