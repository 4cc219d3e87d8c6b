"""System-made words: titles stored as a message key and parameters and shown in the reader's
language (``core.messages``), audit entries in words (``core.audit``), origins as links
(``core.origins``)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import uuid
from pathlib import Path

from django.contrib.contenttypes.models import ContentType
from django.utils import translation

from shuangfang.core import audit, messages, origins
from shuangfang.core.models import AuditEntry
from shuangfang.core.workflow import WORKFLOWS
from shuangfang.hazards import services as hazard_services
from shuangfang.hazards.choices import Source
from shuangfang.hazards.models import Hazard
from shuangfang.notifications.models import Notification

ROOT = Path(__file__).resolve().parents[3]
SOURCE = [
    p for p in (ROOT / "shuangfang").rglob("*.py") if "/tests/" not in str(p) and "/migrations/" not in str(p)
]


def test_a_title_is_shown_in_the_readers_language_with_the_chinese_kept_as_fallback(world):
    fields = messages.title_fields("hazard.closed", number="YH-2026-0001")
    assert fields["title"] == "隐患 YH-2026-0001 已销号"  # stored: what SMS and old readers get
    note = Notification.objects.create(organization=world.inst_a, kind="hazard.closed", **fields)
    with translation.override("en"):
        assert note.shown_title == "Hazard YH-2026-0001 is closed"
    with translation.override("zh-hans"):
        assert note.shown_title == "隐患 YH-2026-0001 已销号"
    old = Notification.objects.create(organization=world.inst_a, kind="hazard.closed", title="旧标题")
    gone = Notification.objects.create(
        organization=world.inst_a, kind="x", title="旧标题", title_msg=messages.text("no.such.key")
    )
    with translation.override("en"):
        assert old.shown_title == gone.shown_title == "旧标题"


def test_a_nested_title_and_a_code_label_follow_the_reader():
    inner = messages.text(
        "alarm.title.opened",
        device="厨房配电箱",
        place="综合楼 1F",
        alarm=messages.label("alarm_type", "smoke"),
    )
    outer = messages.text("incident.acknowledged", title=inner, name="刘洋")
    with translation.override("en"):
        assert messages.render(outer) == "厨房配电箱 (综合楼 1F): Smoke alarm acknowledged by 刘洋"
    with translation.override("zh-hans"):
        assert messages.render(outer).startswith("厨房配电箱（综合楼 1F）：烟雾报警")
    old_title = messages.nested(messages.text("no.such.key"), "旧")
    gone = messages.text("incident.acknowledged", title=old_title, name="刘洋")
    with translation.override("en"):
        assert messages.render(gone) == "旧 acknowledged by 刘洋"


def test_the_inbox_shows_a_hazard_event_in_english_to_an_english_reader(
    world, login, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        hazard = hazard_services.report_hazard(
            actor=world.users["staff"],
            organization=world.inst_a,
            description="厨房灭火器过期",
            source=Source.SNAP,
            location="厨房",
        )
    note = Notification.objects.get(recipient=world.users["safety_officer"], kind="hazard.reported")
    assert note.title_msg["key"] == "hazard.reported"
    client = login(world.users["safety_officer"])
    english = client.get("/notifications/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    chinese = client.get("/notifications/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert f"Hazard {hazard.number} reported: 厨房灭火器过期" in english
    assert f"新隐患 {hazard.number}：厨房灭火器过期" in chinese


def test_an_alarm_hazard_is_titled_in_the_readers_language(world):
    from shuangfang.events import AlarmNotice
    from shuangfang.hazards.consumers import hazard_from_alarm

    alarm_uuid = str(uuid.uuid4())
    fields = messages.title_fields(
        "alarm.title.opened", device="厨房烟感", place="厨房", alarm=messages.label("alarm_type", "smoke")
    )
    event = AlarmNotice(
        organization_id=world.inst_a.pk,
        object_uuid=alarm_uuid,
        device_uuid=str(uuid.uuid4()),
        alarm_type="smoke",
        open_hazard=True,
        **fields,
    )
    hazard_from_alarm("alarm.opened", event)
    hazard = Hazard.objects.get(origin=f"alarm:{alarm_uuid}")
    with translation.override("en"):
        assert hazard.shown_title == "厨房烟感 (厨房): Smoke alarm"
        origin = hazard.shown_origin
        assert origin is not None and origin.label == "Sensor alarm"
        assert origin.url == f"/monitoring/alarms/{alarm_uuid}/"
    assert hazard.title.startswith("厨房烟感（厨房）：")


def test_origins_are_words_and_links_and_unknown_ones_are_not_shown():
    with translation.override("en"):
        assert origins.resolve("library:B03").label == "Library item B03"  # type: ignore[union-attr]
        device = origins.resolve(f"device:{uuid.uuid4()}")
        assert device is not None and device.label == "Device offline"
    assert origins.resolve("demo:7") is None
    assert origins.resolve("") is None


def _written_actions() -> set[str]:
    codes: set[str] = set()
    for path in SOURCE:
        text = path.read_text()
        codes.update(re.findall(r"\baction=\"([a-z_]+\.[a-z_.]+)\"", text))
        codes.update(re.findall(r"\baudit_action=\"([a-z_]+\.[a-z_.]+)\"", text))
    for flow in WORKFLOWS:
        if flow.audit_prefix and not flow.unaudited:
            codes.update(flow._audit_action(t) for t in flow.transitions)
    return codes


def test_every_audit_action_has_words():
    # The registries are filled as the services' modules load: load them all, as a page does.
    _fresh_registries()
    missing = sorted(c for c in _written_actions() if c not in audit.ACTION_LABELS)
    assert not missing, missing


def _fresh_registries() -> dict:
    """What a freshly started web process has registered once its URLs are loaded."""
    script = (
        "import django, json; django.setup(); from django.urls import resolve; resolve('/');"
        "from shuangfang.core import audit, messages, origins;"
        "print(json.dumps([sorted(audit.ACTION_LABELS), sorted(messages.MESSAGES),"
        " sorted(origins.RESOLVERS)]))"
    )
    out = subprocess.run(  # noqa: S603
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={"DJANGO_SETTINGS_MODULE": "shuangfang.config.settings", "SHUANGFANG_TESTING": "1", "PATH": ""},
    )
    actions, keys, prefixes = json.loads(out.stdout.strip().splitlines()[-1])
    return {"actions": set(actions), "messages": set(keys), "origins": set(prefixes)}


def test_a_fresh_web_process_knows_every_message_key_and_audit_action():
    fresh = _fresh_registries()
    used = set()
    for path in SOURCE:
        used.update(re.findall(r"title_fields\(\s*\"([a-z_]+\.[a-z_.]+)\"", path.read_text()))
    from shuangfang.hazards.workflow import EVENT_TITLES

    used |= set(EVENT_TITLES) | {f"alarm.title.{v}" for v in ("opened", "acknowledged", "cleared")}
    assert used - fresh["messages"] == set()
    assert _written_actions() - fresh["actions"] == set()
    assert {"alarm", "device", "inspection-item", "library", "control_measure"} <= fresh["origins"]


def test_audit_changes_are_words(world):
    from shuangfang.hazards.models import Hazard as H

    with translation.override("en"):
        rows = audit.change_rows(
            H,
            {
                "grade": [None, "major"],
                "status": ["待确认", "整改中"],  # a row written when choices were stored by label
                "supervised": [False, True],
                "deadline": ["", "2026-12-01"],
                "problems": [None, 2],
            },
        )
    assert rows == [
        ("grade", "—", "Major hazard"),
        ("status", "To confirm", "In rectification"),
        ("under bureau supervision", "no", "yes"),
        ("deadline", "—", "2026-12-01"),
        ("problems found", "—", "2"),
    ]
    entry = AuditEntry(
        action="duty.override",
        content_type=ContentType.objects.get(app_label="duty", model="override"),
        object_id="1",
        object_repr="Override object (1)",
        changes={},
    )
    with translation.override("en"):
        assert entry.shown_object == "override"
        assert entry.action_label == "Duty changed for one day"
        assert AuditEntry(action="no.such.action").action_label == "Changed"
