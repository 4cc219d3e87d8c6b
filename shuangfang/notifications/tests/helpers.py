"""Notification objects for a test world (created on first use, cached on the world)."""

from __future__ import annotations

from django.test import override_settings

from shuangfang.notifications.incidents import open_incident
from shuangfang.notifications.models import Incident, Notification, Provider
from shuangfang.notifications.planning import Planner
from shuangfang.notifications.policies import StepSpec, save_policy
from shuangfang.notifications.providers import save_provider


def incident_a(w) -> Incident:
    if "incident_a" not in w.__dict__:
        w.__dict__["incident_a"] = open_incident(
            organization=w.inst_a,
            kind="alarm.opened",
            severity="critical",
            title="厨房燃气浓度超标",
            url="/monitoring/alarms/x/",
            source_kind="alarm",
            source_uuid="a-1",
        )
    return w.__dict__["incident_a"]


def note_a(w) -> Notification:
    """The cook was told about incident A (as an escalation step would)."""
    if "note_a" not in w.__dict__:
        planner = Planner(w.inst_a)
        w.__dict__["note_a"] = planner.message(
            recipient=w.users["staff"],
            kind="alarm.opened",
            severity="critical",
            title="厨房燃气浓度超标",
            url="",
            channels=["inbox"],
            incident=incident_a(w),
            step=0,
        )
    return w.__dict__["note_a"]


def provider_a(w) -> Provider:
    if "provider_a" not in w.__dict__:
        with override_settings(OUTBOUND_ALLOW=["127.0.0.1/32"]):  # a local address, allowed explicitly
            w.__dict__["provider_a"] = save_provider(
                actor=w.root,
                organization=w.inst_a,
                kind="webhook",
                name="值班系统",
                endpoint="http://127.0.0.1:9/hook",
                secret="s3cret",
            )
    return w.__dict__["provider_a"]


def policy_a(w):
    if "policy_a" not in w.__dict__:
        w.__dict__["policy_a"] = save_policy(
            actor=w.root,
            organization=w.inst_a,
            name="告警升级",
            event_kind="alarm.*",
            repeat=1,
            steps=[
                StepSpec(target="on_duty", channels=["inbox", "sms"], wait_minutes=5),
                StepSpec(target="role", role="safety_officer", channels=["inbox", "sms"], wait_minutes=10),
            ],
        )
    return w.__dict__["policy_a"]
