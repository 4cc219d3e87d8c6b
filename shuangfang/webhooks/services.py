"""Webhook subscriptions: register one (the URL checked against the SSRF guard, a secret made for
it), the outbox consumer that writes one delivery per matching subscription, and the sender that
delivers what is due, retries with backoff and switches off a subscriber failing for a day."""

from __future__ import annotations

import datetime as dt
import http.client
import json
import logging
import secrets
import time
import urllib.error
import urllib.request

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shuangfang.core import audit, events
from shuangfang.core.outbox import enqueue_once
from shuangfang.core.tenancy import require
from shuangfang.core.vocabulary import Severity
from shuangfang.notifications import outbound
from shuangfang.notifications.sealing import seal, unseal
from shuangfang.orgs.models import Organization

from .models import Delivery, Subscription
from .signing import sign

# The event kinds a subscriber may choose (each has this app's consumer in shuangfang/events.py).
KINDS = {
    "hazard.reported": gettext_lazy("Hazard reported"),
    "hazard.assigned": gettext_lazy("Hazard confirmed and assigned"),
    "hazard.major_reported": gettext_lazy("Hazard confirmed as major"),
    "hazard.criterion_cited": gettext_lazy("Hazard cites a major-hazard criterion"),
    "hazard.overdue": gettext_lazy("Hazard overdue"),
    "hazard.closed": gettext_lazy("Hazard closed"),
    "alarm.opened": gettext_lazy("Alarm opened"),
    "alarm.cleared": gettext_lazy("Alarm cleared"),
    "inspection.task_missed": gettext_lazy("Inspection task missed"),
}
CONSUMER = "shuangfang.webhooks.services.fan_out"
BACKOFF_CAP = 3600
LEASE = dt.timedelta(minutes=2)  # a sender that died mid-request: the row is due again after this

log = logging.getLogger(__name__)

# Set while a send is queued and not yet started: a burst of events queues one send, not one each
# (the same pattern as the outbox's kick). It expires by itself: a lost task holds back seconds.
SEND_PENDING = "webhooks:send-queued"
SEND_PENDING_SECONDS = 5


def kick() -> None:
    """After the commit that wrote deliveries: ask the worker to send them now (the periodic sender
    takes them within a minute otherwise; it also does the retries, whose waits are minutes long)."""
    enqueue_once(SEND_PENDING, "shuangfang.webhooks.tasks.send_webhooks_now", "the webhook send")


def _ancestors(path: str) -> list[str]:
    parts = [p for p in path.split("/") if p]
    return ["/" + "/".join(parts[: n + 1]) + "/" for n in range(len(parts))]


def subscribe(*, actor, organization: Organization, url: str, kinds: list[str]) -> tuple[Subscription, str]:
    """A subscription and its secret (shown once to the person who registered it)."""
    require(actor, "webhook.manage", organization)
    url = (url or "").strip()
    unknown = sorted(set(kinds) - set(KINDS))
    if not kinds or unknown:
        raise ValidationError(_("Choose at least one event kind from the list."))
    if (
        not url.lower().startswith("https://")
        and not settings.DEBUG
        and not getattr(settings, "WEBHOOK_ALLOW_HTTP", False)
    ):
        raise ValidationError(_("The URL must start with https://."))
    outbound.check_url(url)  # SSRF: private, loopback and metadata addresses refused
    secret = secrets.token_urlsafe(32)
    with transaction.atomic():
        sub = Subscription.objects.create(
            organization=organization,
            url=url,
            kinds=sorted(set(kinds)),
            secret=seal(secret),
            created_by=actor,
        )
        after = {"url": url, "kinds": sub.kinds}
        audit.record(actor=actor, action="webhook.subscribe", obj=sub, organization=organization, after=after)
    return sub, secret


def switch(*, actor, subscription: Subscription, on: bool) -> Subscription:
    require(actor, "webhook.manage", subscription.organization)
    with transaction.atomic():
        Subscription.objects.filter(pk=subscription.pk).update(
            is_active=on,
            failing_since=None,
            disabled_at=None if on else timezone.now(),
            disabled_reason="" if on else _("Switched off by %(name)s") % {"name": actor},
        )
        if on:  # what waited while it was off goes out now
            subscription.deliveries.filter(delivered_at=None, gave_up_at=None).update(
                next_attempt_at=timezone.now()
            )
            transaction.on_commit(kick)
        action = "webhook.switch_on" if on else "webhook.switch_off"
        audit.record(actor=actor, action=action, obj=subscription, organization=subscription.organization)
    subscription.refresh_from_db()
    return subscription


def fan_out(kind: str, event) -> None:
    """Outbox consumer: one delivery per active subscription of the event's organisation or a bureau
    above it that chose ``kind`` (idempotent on the event's origin). Database work only: the
    sending is kicked after the drain's commit, so a subscriber hears of the event within moments,
    not at the next minute's sweep."""
    org = Organization.objects.filter(pk=event.organization_id).first()
    if org is None:
        return
    origin = event.origin(kind)
    subs = Subscription.objects.filter(is_active=True, organization__path__in=_ancestors(org.path))
    body = {
        "event": kind,
        "occurred_at": timezone.now().isoformat(),
        "organization": {"id": str(org.uuid), "name": org.name},
        "record": {"id": event.object_uuid, "url": settings.SITE_URL + event.url if event.url else ""},
        "title": event.title,
        "severity": str(event.severity),
    }
    wrote = False
    for sub in subs:
        if kind not in sub.kinds or sub.deliveries.filter(origin=origin).exists():
            continue
        try:
            with transaction.atomic():
                Delivery.objects.create(subscription=sub, kind=kind, origin=origin, body=body)
        except IntegrityError:
            continue  # written by a replay of this event
        wrote = True
    if wrote:
        transaction.on_commit(kick)


def backoff(attempts: int) -> dt.timedelta:
    return dt.timedelta(seconds=min(60 * 2 ** max(attempts - 1, 0), BACKOFF_CAP))


def send_due(limit: int = 100) -> int:
    """Deliver what is due, one request at a time, each with the outbound timeout: a slow or broken
    receiver costs its own attempt, never another subscriber's delivery."""
    now = timezone.now()
    due = list(
        Delivery.objects.filter(
            delivered_at=None, gave_up_at=None, next_attempt_at__lte=now, subscription__is_active=True
        )
        .order_by("next_attempt_at", "id")
        .values_list("pk", "attempts")[:limit]
    )
    sent = 0
    for pk, attempts in due:
        claimed = Delivery.objects.filter(pk=pk, attempts=attempts, delivered_at=None).update(
            attempts=F("attempts") + 1, next_attempt_at=now + LEASE, last_attempt_at=now
        )
        if claimed:
            _attempt(Delivery.objects.select_related("subscription__organization").get(pk=pk))
            sent += 1
    return sent


def _attempt(d: Delivery) -> None:
    sub = d.subscription
    body = json.dumps({"id": str(d.uuid), **d.body}, ensure_ascii=False, separators=(",", ":")).encode()
    ts = str(int(time.time()))
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "Shuangfang-Webhook/1",
        "X-Shuangfang-Timestamp": ts,
        "X-Shuangfang-Delivery": str(d.uuid),
        "X-Shuangfang-Event": d.kind,
        "X-Shuangfang-Signature": sign(unseal(sub.secret), ts, body),
    }
    code, error = None, ""
    try:
        req = urllib.request.Request(sub.url, data=body, method="POST", headers=headers)  # noqa: S310
        with outbound.open_url(req, timeout=settings.WEBHOOK_TIMEOUT) as resp:
            code = resp.status
    except outbound.Refused as exc:
        error = f"refused: {exc}"
    except urllib.error.HTTPError as exc:
        code, error = exc.code, f"HTTP {exc.code}"
    except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
        error = f"network: {getattr(exc, 'reason', exc)}"
    except http.client.HTTPException as exc:  # garbage instead of an HTTP answer: retried like a 5xx
        error = f"the answer is not HTTP: {type(exc).__name__}"
    _record(d, code, error, permanent=error.startswith("refused") and "unresolved" not in error)


def _record(d: Delivery, code: int | None, error: str, *, permanent: bool) -> None:
    now = timezone.now()
    ok = code is not None and 200 <= code < 300
    with transaction.atomic():
        if ok:
            Delivery.objects.filter(pk=d.pk).update(delivered_at=now, last_code=code, last_error="")
            Subscription.objects.filter(pk=d.subscription_id).update(last_success_at=now, failing_since=None)
            return
        Delivery.objects.filter(pk=d.pk).update(
            last_code=code,
            last_error=(error or f"HTTP {code}")[:500],
            next_attempt_at=now + backoff(d.attempts),
            gave_up_at=now if permanent else None,
        )
        Subscription.objects.filter(pk=d.subscription_id, failing_since=None).update(failing_since=now)
        sub = Subscription.objects.get(pk=d.subscription_id)
        limit = dt.timedelta(seconds=settings.WEBHOOK_DISABLE_AFTER)
        if sub.is_active and sub.failing_since and now - sub.failing_since >= limit:
            _switch_off(sub, now)


def _switch_off(sub: Subscription, now: dt.datetime) -> None:
    """Failing for a day: switched off (pending deliveries kept) and its owners told."""
    since = sub.failing_since or now
    reason = _("No delivery succeeded since %(since)s.") % {
        "since": timezone.localtime(since).strftime("%Y-%m-%d %H:%M")
    }
    Subscription.objects.filter(pk=sub.pk, is_active=True).update(
        is_active=False, disabled_at=now, disabled_reason=reason
    )
    audit.record(
        actor=None, action="webhook.switched_off", obj=sub, organization=sub.organization, note=reason
    )
    events.publish(
        "webhook.switched_off",
        organization_id=sub.organization_id,
        object_uuid=str(sub.uuid),
        title=_("Webhook %(url)s was switched off: %(reason)s") % {"url": sub.url[:80], "reason": reason},
        url=sub.get_absolute_url(),
        severity=Severity.WARNING,
        roles=["admin", "institution_head"],
        since=since.isoformat(),
    )
