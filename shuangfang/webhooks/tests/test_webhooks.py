"""Webhook subscriptions (issue 22): the body names the event kind, the record's id and URL, signed
with the subscription's secret and a timestamp; retries with backoff; switched off after a day of
failures and the owner told; SSRF refused; one slow subscriber does not hold up another."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from shuangfang.core import outbox
from shuangfang.core.models import OutboxEvent
from shuangfang.hazards import services as hazards
from shuangfang.webhooks import services
from shuangfang.webhooks.models import Delivery, Subscription
from shuangfang.webhooks.signing import sign, verify

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 11, 20, 2, 0, tzinfo=dt.UTC)


def subscribe(world, hook, kinds=("hazard.reported",), who="institution_head", org=None):
    sub, secret = services.subscribe(
        actor=world.users[who], organization=org or world.inst_a, url=hook.url, kinds=list(kinds)
    )
    hook.secret = secret
    return sub


def report(world):
    return hazards.report_hazard(
        actor=world.users["staff"], organization=world.inst_a, description="插座烧焦", source="snap"
    )


def test_the_body_names_the_event_and_record_and_is_signed(world, hook):
    with time_machine.travel(T0, tick=True):
        sub = subscribe(world, hook)
        h = report(world)
        outbox.drain()
        assert services.send_due() == 1
    seen = hook.seen[0]
    assert seen["verdict"] == "ok"
    body = seen["body"]
    assert body["event"] == "hazard.reported" and body["record"]["id"] == str(h.uuid)
    assert body["record"]["url"].endswith(h.get_absolute_url())
    assert body["id"] == seen["headers"]["X-Shuangfang-Delivery"] and body["occurred_at"]
    assert Delivery.objects.get(subscription=sub).delivered_at is not None


def test_verify_refuses_a_wrong_secret_and_a_replay_outside_the_window():
    body, ts = b'{"event":"x"}', "1700000000"
    sig = sign("s", ts, body)
    assert verify("s", ts, body, sig, now=1700000000 + 299) == "ok"
    assert verify("s", ts, body, sig, now=1700000000 + 301) == "outside the replay window"
    assert verify("other", ts, body, sig, now=1700000000) == "bad signature"
    assert verify("s", ts, body + b" ", sig, now=1700000000) == "bad signature"


def test_retries_with_backoff_then_switched_off_after_a_day_and_the_owner_told(world, hook):
    hook.mode = "500"
    with time_machine.travel(T0, tick=False) as clock:
        sub = subscribe(world, hook)
        report(world)
        outbox.drain()
        services.send_due()
        d = Delivery.objects.get()
        assert d.attempts == 1 and d.last_code == 500 and d.next_attempt_at == T0 + dt.timedelta(minutes=1)
        assert services.send_due() == 0  # not due yet
        clock.shift(dt.timedelta(minutes=1))
        services.send_due()
        d.refresh_from_db()
        assert d.attempts == 2 and d.next_attempt_at == timezone.now() + dt.timedelta(minutes=2)
        for _ in range(40):  # keep failing: the wait grows to an hour at most
            clock.move_to(Delivery.objects.get().next_attempt_at)
            services.send_due()
            sub.refresh_from_db()
            if not sub.is_active:
                break
        assert not sub.is_active and timezone.now() - T0 >= dt.timedelta(days=1)
        last = Delivery.objects.get()
        assert last.last_attempt_at is not None
        assert last.next_attempt_at - last.last_attempt_at <= dt.timedelta(hours=1)  # the cap
        assert OutboxEvent.objects.filter(kind="webhook.switched_off").count() == 1
        # Nothing is lost: the delivery waits, and goes out once the subscriber is switched on again.
        hook.mode = "ok"
        services.switch(actor=world.users["institution_head"], subscription=sub, on=True)
        services.send_due()
    assert Delivery.objects.get().delivered_at is not None


def test_a_slow_or_garbage_answer_does_not_hold_up_another_subscriber(world, hook):
    with time_machine.travel(T0, tick=True):
        slow = subscribe(world, hook)
        hook.mode = "slow"
        other = services.subscribe(
            actor=world.users["admin"],
            organization=world.bureau,
            url=hook.url.replace("/hook", "/b"),
            kinds=["hazard.reported"],
        )[0]
        report(world)
        outbox.drain()
        services.send_due()
    slow_d = Delivery.objects.get(subscription=slow)
    assert slow_d.delivered_at is None and "network" in slow_d.last_error  # timed out, to be retried
    assert Delivery.objects.get(subscription=other).attempts == 1  # tried in the same round


def test_an_answer_that_is_not_http_is_retried_and_does_not_hold_up_another(world, hook, not_http):
    with time_machine.travel(T0, tick=True):
        broken = services.subscribe(
            actor=world.users["institution_head"],
            organization=world.inst_a,
            url=not_http + "/hook",
            kinds=["hazard.reported"],
        )[0]
        other = subscribe(world, hook, who="admin", org=world.bureau)
        report(world)
        outbox.drain()
        assert services.send_due() == 2
    bad = Delivery.objects.get(subscription=broken)
    assert bad.delivered_at is None and bad.attempts == 1 and "not HTTP" in bad.last_error
    assert bad.last_attempt_at is not None and bad.next_attempt_at > bad.last_attempt_at  # retried later
    assert Delivery.objects.get(subscription=other).delivered_at is not None


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.5/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://localhost:9/x",
        "http://[::1]/x",
    ],
)
def test_private_and_loopback_addresses_are_refused(world, settings, url):
    settings.OUTBOUND_ALLOW = []
    with pytest.raises(ValidationError):
        services.subscribe(
            actor=world.users["institution_head"],
            organization=world.inst_a,
            url=url,
            kinds=["hazard.reported"],
        )


def test_unknown_kinds_and_outsiders_are_refused(world, hook):
    with pytest.raises(ValidationError, match="event kind"):
        services.subscribe(
            actor=world.users["institution_head"], organization=world.inst_a, url=hook.url, kinds=["x"]
        )
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.subscribe(
            actor=world.users["outsider"], organization=world.inst_a, url=hook.url, kinds=["hazard.reported"]
        )


def test_a_bureau_subscription_gets_its_institutions_events_once(world, hook):
    with time_machine.travel(T0, tick=True):
        subscribe(world, hook, who="admin", org=world.bureau)
        report(world)
        outbox.drain()
        event = OutboxEvent.objects.get(kind="hazard.reported", consumer=services.CONSUMER)
        services.fan_out("hazard.reported", outbox.payload_for("hazard.reported", event.payload))  # a replay
        assert Delivery.objects.count() == 1


def test_pages(world, hook, login):
    client = login(world.users["institution_head"])
    r = client.post(
        reverse("webhooks:list"),
        {"organization": world.inst_a.pk, "url": hook.url, "kinds": ["hazard.reported", "alarm.opened"]},
    )
    assert r.status_code == 200 and "webhook-secret" in r.content.decode()
    sub = Subscription.objects.get()
    page = client.get(reverse("webhooks:detail", args=[sub.uuid])).content.decode()
    assert hook.url in page and "deliveries" in page


def test_a_delivery_goes_out_at_once_after_the_commit_without_the_periodic_sender(
    world, hook, django_capture_on_commit_callbacks
):
    """The path of production: the hazard's commit kicks the outbox drain, the drain's commit kicks
    the sender (huey runs tasks at once under test). Neither the minute's sweep nor ``send_due`` is
    called here: without the kick nothing would reach the hook."""
    with time_machine.travel(T0, tick=True):
        sub = subscribe(world, hook)
        with django_capture_on_commit_callbacks(execute=True):
            h = report(world)
    assert [s["body"]["record"]["id"] for s in hook.seen] == [str(h.uuid)]
    assert hook.seen[0]["verdict"] == "ok"
    assert Delivery.objects.get(subscription=sub).delivered_at is not None


def test_a_failed_immediate_send_is_left_to_the_retries(world, hook, django_capture_on_commit_callbacks):
    hook.mode = "500"
    with time_machine.travel(T0, tick=False) as clock:
        subscribe(world, hook)
        with django_capture_on_commit_callbacks(execute=True):
            report(world)
        d = Delivery.objects.get()
        assert d.attempts == 1 and d.delivered_at is None
        assert d.next_attempt_at == T0 + dt.timedelta(minutes=1)
        hook.mode = "ok"
        clock.shift(dt.timedelta(minutes=1))
        services.send_due()  # the minute's sweep
    d.refresh_from_db()
    assert d.attempts == 2 and d.delivered_at is not None
