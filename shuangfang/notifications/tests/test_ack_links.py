"""The one-tap acknowledge link: signed, expiring, no login, GET never acknowledges."""

from __future__ import annotations

import time

import pytest
from django.test import Client

from shuangfang.notifications import links
from shuangfang.notifications.choices import IncidentStatus
from shuangfang.notifications.incidents import open_incident
from shuangfang.notifications.planning import Planner

from .helpers import incident_a, note_a


def test_get_shows_post_acknowledges_without_login(world):
    note_a(world)
    incident = incident_a(world)
    token = links.make_token(incident.pk, world.users["staff"].pk)
    client = Client()
    page = client.get(links.ack_path(token))
    assert page.status_code == 200
    assert "厨房燃气浓度超标" in page.content.decode()
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.OPEN  # a link preview must not acknowledge
    done = client.post(links.ack_path(token))
    assert done.status_code == 200
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.ACKNOWLEDGED
    assert incident.acknowledged_by == world.users["staff"]
    assert incident.acknowledged_via == "link"


def test_an_expired_link_is_refused_with_a_clear_message(world):
    incident = incident_a(world)
    token = links.make_token(incident.pk, world.users["staff"].pk, now=time.time() - 2 * 24 * 3600)
    page = Client().post(links.ack_path(token))
    assert page.status_code == 410
    assert "过期" in page.content.decode() or "expired" in page.content.decode()
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.OPEN


def test_a_forged_link_is_refused(world):
    incident = incident_a(world)
    good = links.make_token(incident.pk, world.users["staff"].pk)
    head = world.users["institution_head"].pk
    forged = good.replace(f".{world.users['staff'].pk:x}.", f".{head:x}.", 1)
    for token in [forged, "abc", good[:-1] + ("A" if good[-1] != "A" else "B")]:
        page = Client().post(links.ack_path(token))
        assert page.status_code == 400, token
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.OPEN


def test_a_link_for_someone_never_told_cannot_acknowledge(world):
    incident = incident_a(world)
    token = links.make_token(incident.pk, world.users["assessor"].pk)
    page = Client().post(links.ack_path(token))
    assert page.status_code == 400
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.OPEN


def test_acknowledging_from_the_inbox(world, login):
    note = note_a(world)
    incident = note.incident
    assert incident is not None
    client = login(world.users["staff"])
    inbox = client.get("/notifications/")
    assert "厨房燃气浓度超标" in inbox.content.decode()
    opened = client.post(f"/notifications/messages/{note.uuid}/open/")
    assert opened.status_code == 302 and str(incident.uuid) in opened["Location"]
    client.post(f"/notifications/incidents/{incident.uuid}/ack/")
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.ACKNOWLEDGED
    assert incident.acknowledged_via == "inbox"
    note.refresh_from_db()
    assert note.read_at is not None


def test_the_sms_of_an_incident_carries_the_ack_link(world):
    from shuangfang.notifications.engine import _context
    from shuangfang.notifications.models import Delivery

    note = note_a(world)
    ctx = _context(Delivery(notification=note, channel="sms"))
    assert "/notifications/a/" in ctx["ack_link"]
    token = ctx["ack_link"].rstrip("/").rsplit("/", 1)[1]
    claim = links.read_token(token)
    assert (claim.incident_id, claim.user_id) == (note.incident_id, world.users["staff"].pk)
    assert len(token) < 40


def test_inbox_query_count_does_not_grow(world, login, django_assert_max_num_queries):
    client = login(world.users["staff"])
    planner = Planner(world.inst_a)
    for i in range(30):
        planner.message(
            recipient=world.users["staff"],
            kind="hazard.assigned",
            severity="info",
            title=f"隐患 {i}",
            url="",
            channels=[],
        )
    with django_assert_max_num_queries(12):
        assert client.get("/notifications/").status_code == 200


@pytest.mark.parametrize(
    "path", ["/notifications/log/", "/notifications/incidents/", "/notifications/policies/"]
)
def test_lists_query_count_does_not_grow(world, login, django_assert_max_num_queries, path):
    from .helpers import policy_a

    policy_a(world)
    planner = Planner(world.inst_a)
    client = login(world.users["safety_officer"])
    for i in range(40):
        open_incident(
            organization=world.inst_a,
            kind="alarm.opened",
            severity="critical",
            title=f"告警 {i}",
            url="",
            source_kind="alarm",
            source_uuid=f"q-{i}",
        )
        planner.message(
            recipient=world.users["staff"],
            kind="hazard.assigned",
            severity="warning",
            title=f"隐患 {i}",
            url="",
            channels=["sms", "email"],
        )
    with django_assert_max_num_queries(15):
        assert client.get(path).status_code == 200
