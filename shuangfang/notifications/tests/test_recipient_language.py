"""An SMS is written in its recipient's language (``User.language``), whatever the language of the
request or worker that sends it."""

from __future__ import annotations

import json

import pytest
from django.utils import translation

from shuangfang.core import messages
from shuangfang.hazards import workflow  # noqa: F401 - registers the hazard titles
from shuangfang.notifications import engine
from shuangfang.notifications.planning import Planner

from .test_channels import _provider, _verified_phone


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "Extension requested for hazard YH-2026-0007"), ("zh-hans", "隐患 YH-2026-0007 申请延期")],
)
def test_an_sms_is_in_the_recipients_language(world, receiver, language, expected):
    _provider(world, receiver, "aliyun_sms")
    officer = world.users["safety_officer"]
    officer.language = language
    officer.save(update_fields=["language"])
    _verified_phone(officer)
    title_msg = messages.text("hazard.extension_requested", number="YH-2026-0007")
    Planner(world.inst_a).message(
        recipient=officer,
        kind="hazard.extension_requested",
        severity="warning",
        title=messages.default_language(title_msg),
        title_msg=title_msg,
        url="/hazards/1/",
        channels=["sms"],
        quiet=False,
    )
    other = "zh-hans" if language == "en" else "en"
    with translation.override(other):  # the sender's own language does not matter
        engine.send_due_deliveries()
    params = json.loads(receiver.seen[0].query["TemplateParam"])
    assert params["title"].rstrip("…") == expected[: len(params["title"].rstrip("…"))]
    assert len(params["title"]) >= 15  # cut to the template limit, not lost


@pytest.mark.django_db
def test_the_seeded_email_frame_reads_in_the_readers_language():
    from shuangfang.notifications import texts

    texts.forget()
    ctx = {"title": "T", "org": "O", "link": "L", "ack_link": "A", "severity": "S"}
    with translation.override("en"):
        subject, body = texts.render("alarm.opened", "email", ctx)
    assert subject == "[Alarm] T" and "Severity: S" in body and "一键确认" not in body
    with translation.override("zh-hans"):
        subject, body = texts.render("alarm.opened", "email", ctx)
    assert subject == "【告警】T" and "一键确认：A" in body
