"""Gaps in a device's sequence numbers (issue 13): order-free counters per block, judged once
settled, one ``ops.sequence_gap`` per span with messages missing, none for out-of-order delivery
across listeners, redeliveries, or a device that restarts its counter. Controlled clock: every
ingest and check gets its ``now``."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from pydantic import ValidationError

from shuangfang.core import events as core_events
from shuangfang.monitoring.ingestion import MemoryLimiter, ingest
from shuangfang.monitoring.models import ListenerBeat, SeqBlock, SeqCursor
from shuangfang.monitoring.schemas import Payload
from shuangfang.monitoring.sequences import BLOCK, check_sequences

from .conftest import T0

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.MONITORING_DEVICE_MSGS_PER_MINUTE = 100_000
    settings.MONITORING_SEQ_GRACE = 120


@pytest.fixture
def gaps():
    return core_events.Published("ops.sequence_gap", payloads=True)


def msg(seq: int, *, boot: str = "b1", type_: str = "telemetry", start: dt.datetime = T0) -> Payload:
    body: dict = {
        "device_id": "EL-0001",
        "msg_id": f"{boot}-{seq}",
        "seq": seq,
        "boot": boot,
        "ts": (start - dt.timedelta(hours=1) + dt.timedelta(seconds=seq)).isoformat(),
        "type": type_,
    }
    if type_ == "telemetry":
        body["channels"] = {"residual_current_ma": 10 + seq % 7}
    elif type_ != "heartbeat":
        body["code"] = "device_fault"
    return Payload.model_validate(body)


def send(kit, seqs, now, **kw) -> None:
    ingest([(kit.meter, msg(s, **kw)) for s in seqs], transport="test", now=now, limiter=MemoryLimiter())


def at(minutes: float) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


def test_in_order_no_alarm_and_everything_judged(kit, gaps):
    send(kit, range(200), at(4))
    assert check_sequences(at(5)) == 0  # not settled yet: nothing judged
    assert not SeqCursor.objects.exists()
    assert check_sequences(at(7)) == 0
    assert not gaps
    assert SeqCursor.objects.get().next == 200
    # Only the top block, judged in part, is kept.
    assert list(SeqBlock.objects.values_list("block", flat=True)) == [199 // BLOCK]
    send(kit, range(200, 300), at(8))
    assert check_sequences(at(11)) == 0
    assert not gaps and SeqCursor.objects.get().next == 300


def test_out_of_order_across_two_listeners_no_alarm(kit, gaps):
    """Two listeners split one device's stream: each gets a shuffled share, in small batches, and
    the calls interleave; a check runs in the middle of it."""
    rng = random.Random(13)
    seqs = list(range(400))
    rng.shuffle(seqs)
    first, second = seqs[::2], seqs[1::2]
    minute = 0.0
    for i in range(0, 200, 25):
        send(kit, first[i : i + 25], at(minute))
        send(kit, second[i : i + 25], at(minute + 0.5))
        minute += 1
        check_sequences(at(minute + 0.1))
    assert check_sequences(at(minute + 5)) == 0
    assert not gaps
    assert SeqCursor.objects.get().next == 400


def test_a_real_gap_raises_one_alarm_once(kit, gaps, world):
    send(kit, [*range(70), *range(73, 150)], at(0))
    assert check_sequences(at(3)) == 1
    assert check_sequences(at(3)) == 0  # the check again: nothing judged twice
    assert check_sequences(at(4)) == 0
    assert len(gaps) == 1
    gap = gaps[0]
    assert (gap["missing"], gap["first"], gap["last"]) == (3, 0, 149)
    assert gap["organization_id"] == world.inst_a.pk and gap["device_uuid"] == str(kit.meter.uuid)
    assert "EL-0001" in gap["title"]
    # More traffic, complete: no further alarm.
    send(kit, range(150, 250), at(5))
    assert check_sequences(at(8)) == 0
    assert len(gaps) == 1


def test_a_whole_missing_block_between_two_is_counted(kit, gaps):
    send(kit, [*range(BLOCK), *range(3 * BLOCK, 3 * BLOCK + 10)], at(0))
    assert check_sequences(at(3)) == 1
    assert gaps[0]["missing"] == 2 * BLOCK


def test_a_reboot_with_a_new_boot_id_is_a_new_run(kit, gaps):
    send(kit, range(100), at(0), boot="b1")
    check_sequences(at(3))
    send(kit, range(100), at(4), boot="b2", start=at(4))
    send(kit, range(100, 180), at(5), boot="b2", start=at(4))
    assert check_sequences(at(8)) == 0
    assert not gaps


def test_a_reboot_without_a_boot_id_raises_nothing(kit, gaps):
    send(kit, range(300), at(0), boot="")
    assert check_sequences(at(3)) == 0
    send(kit, range(90), at(10), boot="", start=at(10))  # the counter starts over
    assert check_sequences(at(13)) == 0
    send(kit, range(90, 200), at(14), boot="", start=at(10))
    assert check_sequences(at(17)) == 0
    assert not gaps
    # The new run is judged again from then on: a real gap in it is found.
    send(kit, [*range(200, 250), *range(260, 300)], at(18), boot="", start=at(10))
    assert check_sequences(at(21)) == 1
    assert gaps[0]["missing"] == 10


def test_duplicates_are_not_counted(kit, gaps):
    """A redelivered batch (listener crash before its ack) stores nothing and counts nothing, so it
    cannot hide a gap; redelivered heartbeats (nothing stored to tell) never raise an "extra"."""
    send(kit, [*range(50), *range(51, 100)], at(0))
    send(kit, range(100), at(0.5))  # all redelivered, with the missing 50 still missing? no: 50 is new
    assert SeqBlock.objects.get(block=0).received == BLOCK
    assert check_sequences(at(3)) == 0
    assert not gaps

    send(kit, [*range(100, 140), *range(141, 160)], at(4))
    send(kit, range(100, 140), at(4.5))  # a redelivery of what was stored: not counted
    assert check_sequences(at(7)) == 1
    assert gaps[0]["missing"] == 1

    send(kit, range(160, 200), at(8), type_="heartbeat")
    send(kit, range(160, 200), at(8.5), type_="heartbeat")  # heartbeats redelivered: counted twice
    assert check_sequences(at(11)) == 0
    assert len(gaps) == 1


def test_duplicate_alarm_messages_are_not_counted(kit, gaps):
    ingest(
        [(kit.meter, msg(s, type_="fault")) for s in (0, 1)],
        transport="test",
        now=at(0),
        limiter=MemoryLimiter(),
    )
    ingest([(kit.meter, msg(1, type_="fault"))], transport="test", now=at(0.2), limiter=MemoryLimiter())
    assert SeqBlock.objects.get().received == 2


def test_a_silent_listener_slot_holds_the_judgement(kit, gaps, settings):
    """A slot that stopped beating may still hold part of the stream in its broker session: what
    arrived after it went silent is not judged until it is back (or the hold has passed)."""
    settings.MQTT_LISTENER_SILENCE = 120
    ListenerBeat.objects.create(client_id="sf-listener-2", started_at=at(0), last_beat_at=at(0.5))
    send(kit, range(0, 200, 2), at(1))  # the other slot's share only
    assert check_sequences(at(10)) == 0
    assert not SeqCursor.objects.exists()
    send(kit, range(1, 200, 2), at(20))  # slot 2 back: its share, 19 minutes late
    ListenerBeat.objects.filter(client_id="sf-listener-2").update(last_beat_at=at(22.9))
    assert check_sequences(at(23)) == 0
    assert not gaps and SeqCursor.objects.get().next == 200


def test_messages_without_seq_count_nothing(kit):
    ingest(
        [(kit.meter, Payload.model_validate({"device_id": "EL-0001", "ts": T0.isoformat(), "channels": {}}))],
        transport="test",
        now=T0,
    )
    assert not SeqBlock.objects.exists()


@pytest.mark.parametrize("bad", [-1, 2**63, "x"])
def test_seq_must_be_a_non_negative_integer(bad):
    with pytest.raises(ValidationError, match="seq"):
        Payload.model_validate({"device_id": "EL-0001", "ts": T0.isoformat(), "seq": bad})
