"""Every message template, filled with long text, keeps its links whole; SMS and voice variables are
cut to the provider's limit except the links; the email's 查看 is the page, 一键确认 the one-tap link."""

from __future__ import annotations

import pytest

from shuangfang.notifications import texts
from shuangfang.notifications.channels.base import LINK_PARAMS, template_params
from shuangfang.notifications.choices import ProviderKind
from shuangfang.notifications.engine import _context
from shuangfang.notifications.models import Delivery, MessageTemplate, Provider

from .helpers import note_a

LONG_TITLE = "厨房燃气浓度超标，请立即到场处置并关闭总阀，" * 12
# The per-kind default limits of the SMS/voice senders (aliyun 35, tencent 12/20).
SMS_VOICE = {
    ProviderKind.ALIYUN_SMS: 35,
    ProviderKind.ALIYUN_VOICE: 35,
    ProviderKind.TENCENT_SMS: 12,
    ProviderKind.TENCENT_VOICE: 20,
}


@pytest.fixture
def ctx(world):
    note = note_a(world)
    note.title = LONG_TITLE
    note.url = "/monitoring/alarms/7c1f2b0e-5d4a-4f3e-9a51-0d3c2b1a9e88/"
    return _context(Delivery(notification=note, channel="email"))


def test_the_page_link_and_the_ack_link_are_different(ctx):
    assert ctx["link"].endswith("/monitoring/alarms/7c1f2b0e-5d4a-4f3e-9a51-0d3c2b1a9e88/")
    assert "/notifications/a/" in ctx["ack_link"]


def test_every_template_keeps_its_links_whole(db, ctx):
    rows = list(MessageTemplate.objects.all())
    assert rows, "the seeded templates are missing"
    for row in rows:
        kind = row.kind.replace("*", "opened")
        subject, body = texts.render(kind, row.channel, ctx)
        for name in LINK_PARAMS:
            if f"${name}" in row.body:
                assert ctx[name] in body, f"{row.kind}/{row.channel}: ${name} not whole"
        assert LONG_TITLE in subject + body or "$title" not in row.subject + row.body


def test_the_alarm_email_shows_the_page_and_the_one_tap_link(db, ctx):
    _subject, body = texts.render("alarm.opened", "email", ctx)
    assert f"查看：{ctx['link']}" in body
    assert f"一键确认：{ctx['ack_link']}" in body


@pytest.mark.parametrize(("kind", "limit"), SMS_VOICE.items())
def test_sms_and_voice_variables_are_cut_but_links_are_not(db, ctx, kind, limit):
    provider = Provider(kind=kind, params={"template_params": ["org", "title", "link", "ack_link"]})
    values = dict(template_params(provider, ctx, limit))
    assert values["link"] == ctx["link"] and values["ack_link"] == ctx["ack_link"]
    assert len(values["title"]) <= limit and values["title"].endswith("…")
    assert len(values["ack_link"]) > limit  # whole, though longer than the limit
