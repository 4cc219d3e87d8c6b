"""Deliveries: the workflow of one message on one channel (:data:`FLOW`). Every move is the
system's (``actor=None``): the sending worker (``engine``) and the providers' receipts
(``providers.record_receipt``).

A delivery is created ``queued``, or already ``delivered`` (the inbox) or already ``failed`` (no
usable address or provider: ``planning.Planner.plan``); creating it is not a move. Then:

=========  ==========================  =====================================================
action     from → to                   stamps on the row
=========  ==========================  =====================================================
claim      queued → sending            attempts + 1, lease, first attempt (when it is due)
           sending → sending           the same, when the lease of a dead worker ran out
sent       sending → sent              sent at, provider reference
deliver    sending → delivered         sent and delivered at (robots, inbox)
           sent → delivered            delivered at (the provider's receipt)
retry      sending → queued            next attempt (backoff), last error
fail       sending / sent → failed     last error; then the next channel is planned
=========  ==========================  =====================================================

**No audit rows** (``unaudited``): deliveries are the busiest rows of the system (a burst of alarms
is thousands of them), every move is the system's, and the row itself is the record of its moves
(``attempts``, ``first_attempt_at``, ``sent_at``, ``delivered_at``, ``next_attempt_at``,
``last_error``, ``provider_ref``), shown at ``/notifications/deliveries/``. The person's part (who
acknowledged what) is audited on the incident.

The claim: ``claim_on=("attempts",)``: a worker records the outcome of the attempt it claimed only
(``filter(pk=…, status="sending", attempts=n)``), never over the worker that claimed the row again
after its lease ran out.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shuangfang.core.workflow import Transition, Workflow

from .choices import DeliveryStatus
from .models import Delivery
from .planning import Planner

QUEUED, SENDING, SENT = DeliveryStatus.QUEUED, DeliveryStatus.SENDING, DeliveryStatus.SENT
DELIVERED, FAILED = DeliveryStatus.DELIVERED, DeliveryStatus.FAILED
LEASE = dt.timedelta(minutes=2)


def _due(d: Delivery, actor: Any, context: dict[str, Any]) -> None:
    now = context["now"]
    if d.status == SENDING and (d.lease_until is None or d.lease_until >= now):
        raise ValidationError(_("This delivery is being sent."))
    if d.status == QUEUED and d.next_attempt_at is not None and d.next_attempt_at > now:
        raise ValidationError(_("This delivery is not due yet."))


def _claimed(d: Delivery, actor: Any, context: dict[str, Any]) -> None:
    now = context["now"]
    # Computed by the update, per row (one update for a batch), and read back.
    d.attempts = F("attempts") + 1
    d.first_attempt_at = Coalesce("first_attempt_at", now)
    d.lease_until = now + LEASE


def _forget_code(d: Delivery) -> None:
    if "code" in d.extra:  # a verification code is not kept once the attempt is over
        d.extra = {}


def _sent(d: Delivery, actor: Any, context: dict[str, Any]) -> None:
    d.sent_at = context["now"]
    d.provider_ref = str(context.get("ref") or "")[:100]
    d.last_error = ""
    d.lease_until = d.next_attempt_at = None
    _forget_code(d)


def _delivered(d: Delivery, actor: Any, context: dict[str, Any]) -> None:
    d.delivered_at = context["now"]


def _retry(d: Delivery, actor: Any, context: dict[str, Any]) -> None:
    d.next_attempt_at = context["next_attempt_at"]
    d.last_error = str(context.get("error") or "")[:500]
    d.lease_until = None


def _failed(d: Delivery, actor: Any, context: dict[str, Any]) -> None:
    d.last_error = str(context.get("error") or "")[:500]
    d.lease_until = d.next_attempt_at = None
    _forget_code(d)


def _fall_through(d: Delivery, actor: Any, context: dict[str, Any]) -> None:
    """The next channel for the person (voice → SMS → email), in the same transaction."""
    note = d.notification
    used = set(note.deliveries.values_list("channel", flat=True))
    Planner(note.organization, context["now"]).fall_through(d, used, context["now"])


FLOW: Workflow[Delivery] = Workflow(
    Delivery,
    [
        Transition([QUEUED, SENDING], "claim", SENDING, guard=_due, effects=[_claimed]),
        Transition(SENDING, "sent", SENT, effects=[_sent], label=gettext_lazy("Sent")),
        Transition(SENDING, "deliver", DELIVERED, effects=[_sent, _delivered]),
        Transition(SENT, "deliver", DELIVERED, effects=[_delivered], label=gettext_lazy("Delivered")),
        Transition(SENDING, "retry", QUEUED, effects=[_retry]),
        Transition([SENDING, SENT], "fail", FAILED, effects=[_failed], then=[_fall_through]),
    ],
    claim_on=("attempts",),
    unaudited=(
        "system moves only, in bulk; the delivery row records its attempts and times "
        "(see the module's docstring)"
    ),
)
