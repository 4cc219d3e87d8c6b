"""The sweeps: run due escalation steps and send due deliveries.

Both claim rows in the database. On PostgreSQL the claim is ``SELECT … FOR UPDATE SKIP LOCKED`` so
two workers take disjoint rows; on SQLite writers are serialised by the IMMEDIATE transaction mode.

* An escalation step is one transaction: lock the incident, write its notifications and delivery
  rows, advance ``step_index`` / ``next_escalation_at``. A worker that dies mid-step rolls it all
  back; the step runs again later, once.
* A delivery is claimed (status ``sending``, a lease, attempts + 1: ``deliveries.FLOW``) and
  committed before the provider is called; the outcome is written after. A worker that dies while
  sending leaves a lease that expires, and the delivery is retried. Temporary failures retry with exponential
  backoff up to ``MAX_ATTEMPTS``; permanent ones fall through to the next channel.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import logging
import random
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone, translation

from shuangfang.core.vocabulary import Severity
from shuangfang.core.workflow import IllegalTransition
from shuangfang.duty.services import on_duty
from shuangfang.orgs.models import Post, User

from . import deliveries, links, texts
from .channels import send
from .channels.base import OutMessage, Result
from .choices import PROVIDER_CHANNEL, Channel, DeliveryStatus, IncidentStatus, ProviderKind, StepTarget
from .models import Delivery, Incident
from .planning import Planner, institution_of, recipients_for_roles

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 12
LEASE = deliveries.LEASE
BACKOFF_BASE_SECONDS = 30
BACKOFF_CAP_SECONDS = 300


def backoff(attempts: int) -> dt.timedelta:
    """30 s, 60 s, 120 s, 240 s, then every 5 min (± 10 %): 12 attempts span about 45 minutes, so a
    provider down for 10 minutes loses nothing."""
    seconds = min(BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0), BACKOFF_CAP_SECONDS)
    return dt.timedelta(seconds=seconds * random.uniform(0.9, 1.1))


def _skip_locked(qs):
    if connection.features.has_select_for_update_skip_locked:
        return qs.select_for_update(skip_locked=True, of=("self",))
    return qs


# --- Escalation --------------------------------------------------------------------------------


def _step_recipients(
    incident: Incident, step: dict, now: dt.datetime, cache: dict | None = None
) -> list[User]:
    """The people a step reaches. ``cache`` (per sweep batch) keeps rosters and role holders, so a
    burst of incidents at one institution costs one roster lookup, not one per incident."""
    cache = cache if cache is not None else {}
    target = step.get("target")
    key = (incident.organization_id, target, step.get("user_id"), step.get("role"), step.get("post_id"))
    if key in cache:
        return cache[key]
    people: list[User] = []
    if target == StepTarget.USER:
        people = list(User.objects.filter(pk=step.get("user_id"), is_active=True))
    elif target == StepTarget.ROLE:
        people = recipients_for_roles(incident.organization, [step.get("role", "")])
    elif target == StepTarget.ON_DUTY:
        post = Post.objects.filter(pk=step["post_id"]).first() if step.get("post_id") else None
        people = on_duty(institution_of(incident.organization), at=now, post=post)
    cache[key] = people
    return people


def run_step(incident: Incident, now: dt.datetime, cache: dict | None = None) -> None:
    """Run the incident's current step (the row is locked by the caller) and schedule the next."""
    cache = cache if cache is not None else {}
    snapshot = incident.policy_snapshot or {}
    steps = snapshot.get("steps") or []
    repeat = int(snapshot.get("repeat", 0))
    planner = cache.get(("planner", incident.organization_id))
    if planner is None:
        planner = cache[("planner", incident.organization_id)] = Planner(incident.organization, now)
    # Steps that reach nobody (nobody on duty, a role left empty) are passed over at once.
    for _guard in range(len(steps) * (repeat + 1) + 1):
        if incident.step_index >= len(steps):
            if incident.round < repeat:
                incident.round += 1
                incident.step_index = 0
            else:
                incident.next_escalation_at = None
                break
        step = steps[incident.step_index]
        people = _step_recipients(incident, step, now, cache)
        channels = list(step.get("channels") or [Channel.INBOX])
        for person in people:
            planner.message(
                recipient=person,
                kind=incident.kind,
                severity=incident.severity,
                title=incident.title,
                title_msg=incident.title_msg,
                url=incident.url,
                channels=channels,
                incident=incident,
                step=incident.step_index,
                quiet=False,
            )
        group = [
            c for c in channels if c in {Channel.DINGTALK, Channel.FEISHU, Channel.WECOM, Channel.WEBHOOK}
        ]
        for provider in planner.group_providers(incident.severity, group) if group else []:
            note = planner.message(
                recipient=None,
                kind=incident.kind,
                severity=incident.severity,
                title=incident.title,
                title_msg=incident.title_msg,
                url=incident.url,
                channels=[],
                incident=incident,
                step=incident.step_index,
            )
            planner.plan(note, PROVIDER_CHANNEL[ProviderKind(provider.kind)], set(), now, provider=provider)
        incident.step_index += 1
        if people:
            incident.next_escalation_at = now + dt.timedelta(minutes=int(step.get("wait_minutes", 5)))
            break
    incident.save(update_fields=["step_index", "round", "next_escalation_at"])


def start(incident: Incident) -> bool:
    """Run a new incident's first step in the transaction that opens it (``open_incident``) and send
    its deliveries right after that commits, in the same thread: in a storm of alarms the first SMS
    does not wait for a second kick and a free worker thread while the outbox drains. Exactly once:
    the step is written with the incident (a worker killed before the commit leaves neither), and a
    delivery is claimed before it is sent (a crash after the commit leaves it due for the sweep).
    False when the step failed: it is rolled back alone, and the sweep runs it."""
    from shuangfang.core.outbox import batch_memo

    # Incidents opened in one drain transaction (a storm) share the lookups of their first steps,
    # and their deliveries are claimed together after the commit.
    memo = batch_memo()
    cache: dict = memo.setdefault("notifications.steps", {})
    pending: list[int] = memo.setdefault("notifications.send", [])
    now = timezone.now()
    key = ("planner", incident.organization_id)
    seen = len(cache[key].queued) if key in cache else 0
    try:
        with transaction.atomic():
            run_step(incident, now, cache)
    except Exception:
        log.exception("the first step of incident %s failed; the sweep will run it", incident.pk)
        incident.refresh_from_db(fields=["step_index", "round", "next_escalation_at"])
        return False
    queued = cache[key].queued[seen:] if key in cache else []
    if queued:
        pending.extend(d.pk for d in queued)
        transaction.on_commit(functools.partial(send_now, pending))
    return True


def send_now(ids: list[int]) -> None:
    """After the commit that planned them (``start``): send these deliveries now (the first call
    takes the list, shared by the incidents of a batch, and empties it). What is left over (an
    attempt to retry, the next channel after a failure, an error here) is the sweep's: woken."""
    from .tasks import enqueue_process_due

    taken = list(ids)
    ids.clear()
    if not taken:
        return
    try:
        ok = attempt_all(claim_deliveries(timezone.now(), len(taken), taken))
    except Exception:
        log.exception("deliveries %s could not be sent at once; the sweep will", taken)
        ok = False
    if not ok:
        enqueue_process_due()


def run_escalations(now: dt.datetime | None = None, limit: int = 50) -> int:
    """Run every due step; returns how many steps ran."""
    done = 0
    while True:
        now_ = now or timezone.now()
        with transaction.atomic():
            qs = Incident.objects.filter(status=IncidentStatus.OPEN, next_escalation_at__lte=now_).order_by(
                "next_escalation_at"
            )
            batch = list(_skip_locked(qs).select_related("organization", "organization__institution")[:limit])
            cache: dict = {}
            for incident in batch:
                run_step(incident, now_, cache)
        done += len(batch)
        if len(batch) < limit:
            return done


# --- Deliveries --------------------------------------------------------------------------------


def claim_deliveries(now: dt.datetime, limit: int = 100, ids: list[int] | None = None) -> list[Delivery]:
    """Claim the due deliveries (``deliveries.FLOW`` "claim", one update for the batch) and commit,
    before any provider is called."""
    with transaction.atomic():
        due = Q(status=DeliveryStatus.QUEUED, next_attempt_at__lte=now) | Q(
            status=DeliveryStatus.SENDING, lease_until__lt=now
        )
        qs = Delivery.objects.filter(due).order_by("next_attempt_at")
        if ids is not None:
            qs = qs.filter(pk__in=ids)
        picked = list(
            _skip_locked(qs).select_related(
                "notification",
                "notification__organization",
                "notification__organization__institution",
                "notification__incident",
                "notification__recipient",
                "provider",
                "organization",
            )[:limit]
        )
        deliveries.FLOW.move_many(picked, "claim", actor=None, now=now)
    return picked


def _context(delivery: Delivery) -> dict[str, str]:
    note = delivery.notification
    link = settings.SITE_URL + (note.url or "/")
    ack = ""
    if note.incident_id and note.recipient_id:
        ack = links.ack_url(note.incident_id, note.recipient_id)
    elif note.incident_id:
        ack = settings.SITE_URL + f"/notifications/incidents/{note.incident.uuid}/"  # type: ignore[union-attr]
    return {
        "title": note.shown_title,  # in the recipient's language (``attempt``)
        "org": institution_of(note.organization).name,
        "link": link,  # the page ("查看")
        "ack_link": ack or link,  # the one-tap acknowledgement, or the page when there is none
        "severity": str(Severity(note.severity).label),
        "code": str(delivery.extra.get("code", "")),
    }


def recipient_language(delivery: Delivery) -> str:
    """The recipient's own language; the site's for a group channel (no one recipient)."""
    recipient = delivery.notification.recipient
    return recipient.language if recipient is not None else settings.LANGUAGE_CODE


def attempt(delivery: Delivery) -> Result:
    with translation.override(recipient_language(delivery)):
        ctx = _context(delivery)
        subject, text = texts.render(delivery.notification.kind, delivery.channel, ctx)
    msg = OutMessage(
        address=delivery.address,
        subject=subject,
        text=text,
        params=ctx,
        delivery_id=str(delivery.uuid),
        event_id=str(delivery.notification.uuid),
    )
    return send(delivery.provider, msg, channel=delivery.channel)


def record(delivery: Delivery, result: Result, now: dt.datetime | None = None) -> None:
    """The outcome of the attempt this worker claimed (``deliveries.FLOW``): sent or delivered, a
    retry after a backoff, or failed for good (then the next channel)."""
    now = now or timezone.now()
    if not result.ok:
        log.warning(
            "delivery %s via %s attempt %s failed: %s",
            delivery.pk,
            delivery.channel,
            delivery.attempts,
            result.error,
        )
    context: dict[str, Any]
    if result.ok:
        action, context = ("deliver" if result.delivered else "sent"), {"ref": result.ref}
    elif result.temporary and delivery.attempts < MAX_ATTEMPTS:
        action, context = (
            "retry",
            {"error": result.error, "next_attempt_at": now + backoff(delivery.attempts)},
        )
    else:
        action, context = "fail", {"error": result.error}
    # Refused: the lease ran out and another worker claimed the delivery again; its outcome counts.
    with contextlib.suppress(IllegalTransition):
        deliveries.FLOW.move(delivery, action, actor=None, now=now, **context)


def attempt_all(batch: list[Delivery]) -> bool:
    """Attempt each claimed delivery and record its outcome; whether every one went through."""
    ok = True
    for delivery in batch:
        try:
            result = attempt(delivery)
        except Exception as exc:  # a bug in an adapter must not stop the sweep
            log.exception("delivery %s crashed", delivery.pk)
            result = Result(False, temporary=True, error=f"internal error: {exc.__class__.__name__}")
        record(delivery, result)
        ok = ok and result.ok
    return ok


def send_due_deliveries(
    now: dt.datetime | None = None, limit: int = 100, ids: list[int] | None = None
) -> int:
    sent = 0
    while True:
        batch = claim_deliveries(now or timezone.now(), limit, ids)
        attempt_all(batch)
        sent += len(batch)
        if not batch or ids is not None:  # loop once more: fall-through deliveries are due now
            return sent


def process_due(now: dt.datetime | None = None) -> tuple[int, int]:
    """One sweep: due escalation steps, then due deliveries, until nothing is due."""
    steps = deliveries = 0
    for _round in range(20):
        s = run_escalations(now)
        d = send_due_deliveries(now)
        steps, deliveries = steps + s, deliveries + d
        if not s and not d:
            break
    return steps, deliveries
