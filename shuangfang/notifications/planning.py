"""Planning messages and their deliveries: :func:`notify` (a one-off message: the inbox always, plus
the person's channels by severity and the institution's group robots), the :class:`Planner` that
chooses a provider and an address per channel and falls through to the next channel, quiet hours,
role holders, and marking a message read."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from shuangfang.core.vocabulary import SEVERITY_RANK, Severity
from shuangfang.orgs.models import Membership, Organization, User

from .channels import workmsg
from .choices import (
    CHANNEL_CONTACT,
    FALLBACK,
    GROUP_CHANNELS,
    PROVIDER_CHANNEL,
    WORK_CHANNELS,
    Channel,
    DeliveryStatus,
    ProviderKind,
)
from .models import (
    Contact,
    Delivery,
    Incident,
    Notification,
    Preference,
    Provider,
)

# Channels for a one-off message when the person chose none (the inbox is always added).
DEFAULT_CHANNELS = {
    Severity.INFO: [],
    Severity.WARNING: [Channel.EMAIL],
    Severity.CRITICAL: [Channel.SMS, Channel.EMAIL],
}


def institution_of(org: Organization) -> Organization:
    return org.institution if org.institution_id and org.institution else org


def kick() -> None:
    """After commit: wake a worker to run due escalation steps and deliveries."""
    from . import tasks

    transaction.on_commit(tasks.enqueue_process_due)


class Planner:
    """Creates notifications and their delivery rows. Lookups (providers, contacts, quiet hours) are
    loaded once per batch so a thousand incidents do not mean a thousand provider queries."""

    def __init__(self, organization: Organization, now: dt.datetime | None = None) -> None:
        self.org = organization
        self.institution = institution_of(organization)
        self.now = now or timezone.now()
        self._providers: list[Provider] | None = None
        self.queued: list[Delivery] = []  # the deliveries planned to be sent (``engine.start``)

    def _all_providers(self) -> list[Provider]:
        if self._providers is None:
            self._providers = list(
                Provider.objects.filter(organization=self.institution, is_active=True).order_by("kind", "pk")
            )
        return self._providers

    def provider(self, channel: str) -> Provider | None:
        return next(
            (p for p in self._all_providers() if PROVIDER_CHANNEL[ProviderKind(p.kind)] == channel), None
        )

    def group_providers(self, severity: str, channels: Iterable[str] | None = None) -> list[Provider]:
        wanted = set(channels) if channels is not None else set(GROUP_CHANNELS)
        return [
            p
            for p in self._all_providers()
            if PROVIDER_CHANNEL[ProviderKind(p.kind)] in wanted
            and PROVIDER_CHANNEL[ProviderKind(p.kind)] in GROUP_CHANNELS
            and admits(p, severity)
        ]

    def message(
        self,
        *,
        recipient: User | None,
        kind: str,
        severity: str,
        title: str,
        url: str,
        channels: list[str],
        incident: Incident | None = None,
        step: int | None = None,
        quiet: bool = True,
        origin: str = "",
        title_msg: dict | None = None,
    ) -> Notification:
        note = Notification.objects.create(
            organization=self.org,
            recipient=recipient,
            kind=kind,
            severity=severity,
            title=title[:200],  # system-made title: may be cut
            title_msg=title_msg or {},
            url=url,
            incident=incident,
            step=step,
            origin=origin,
        )
        not_before = self.now
        if recipient is not None:
            Delivery.objects.create(
                organization=self.org,
                notification=note,
                channel=Channel.INBOX,
                address=recipient.username,
                status=DeliveryStatus.DELIVERED,
                sent_at=self.now,
                delivered_at=self.now,
                first_attempt_at=self.now,
            )
            if quiet and severity != Severity.CRITICAL and incident is None:
                not_before = quiet_until(recipient, self.now) or self.now
        used: set[str] = {Channel.INBOX}
        for channel in channels:
            # Group channels (robots, webhook) get one message per step, not one per person.
            if channel in used or channel == Channel.INBOX or channel in GROUP_CHANNELS:
                continue
            self.plan(note, channel, used, not_before)
        return note

    def plan(
        self,
        note: Notification,
        channel: str,
        used: set[str],
        not_before: dt.datetime,
        fallback_from: Delivery | None = None,
        provider: Provider | None = None,
    ) -> Delivery:
        """One delivery on ``channel``; an unusable channel is recorded as failed and falls through."""
        used.add(channel)
        address, error = "", ""
        if provider is None and channel != Channel.EMAIL and channel not in WORK_CHANNELS:
            provider = self.provider(channel)
        if channel in GROUP_CHANNELS:
            address = provider.name if provider else ""
        elif channel in WORK_CHANNELS:
            address, error = workmsg.address(note.recipient, channel, _contact)
        else:
            contact = (
                _contact(note.recipient, CHANNEL_CONTACT.get(Channel(channel))) if note.recipient else None
            )
            if contact is None:
                error = _("no phone or email address on file")
            elif contact.verified_at is None:
                error = _("address %(address)s is not verified") % {"address": contact.address}
                address = contact.address
            else:
                address = contact.address
        if not error and channel != Channel.EMAIL and channel not in WORK_CHANNELS and provider is None:
            error = _("no %(channel)s provider configured for %(org)s") % {
                "channel": Channel(channel).label,
                "org": self.institution.name,
            }
        if not error and provider is not None and not admits(provider, note.severity):
            error = _("%(provider)s sends only from severity %(severity)s up") % {
                "provider": provider.name,
                "severity": Severity(provider.min_severity).label,
            }
        delivery = Delivery.objects.create(
            organization=note.organization,
            notification=note,
            channel=channel,
            provider=provider,
            address=address,
            status=DeliveryStatus.FAILED if error else DeliveryStatus.QUEUED,
            last_error=error,
            next_attempt_at=None if error else not_before,
            fallback_from=fallback_from,
        )
        if error:
            self.fall_through(delivery, used, not_before)
        else:
            self.queued.append(delivery)
        return delivery

    def fall_through(self, failed: Delivery, used: set[str], not_before: dt.datetime) -> Delivery | None:
        nxt = FALLBACK.get(Channel(failed.channel))
        while nxt is not None and nxt in used:
            nxt = FALLBACK.get(nxt)
        if nxt is None or failed.notification.recipient_id is None:
            return None
        return self.plan(failed.notification, nxt, used, not_before, fallback_from=failed)


def admits(provider: Provider, severity: str) -> bool:
    """The provider's lowest severity, for every kind of channel (SMS and voice as group robots)."""
    return SEVERITY_RANK[Severity(severity)] >= SEVERITY_RANK[Severity(provider.min_severity)]


def _contact(user: User | None, kind: str | None) -> Contact | None:
    if user is None or kind is None:
        return None
    cache = user.__dict__.setdefault("_notif_contacts", None)
    if cache is None:
        cache = {c.kind: c for c in Contact.objects.filter(user=user)}
        user.__dict__["_notif_contacts"] = cache
    return cache.get(kind)


def quiet_until(user: User, now: dt.datetime) -> dt.datetime | None:
    """The end of ``user``'s quiet hours if ``now`` falls inside them (local time), else None."""
    pref = Preference.objects.filter(user=user).first()
    if (
        pref is None
        or pref.quiet_start is None
        or pref.quiet_end is None
        or pref.quiet_start == pref.quiet_end
    ):
        return None
    local = timezone.localtime(now)
    t = local.time()
    start, end = pref.quiet_start, pref.quiet_end
    inside = (start <= t < end) if start < end else (t >= start or t < end)
    if not inside:
        return None
    end_dt = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    if end_dt <= local:
        end_dt += dt.timedelta(days=1)
    return end_dt


def recipients_for_roles(organization: Organization, roles: Iterable[str]) -> list[User]:
    """Holders of ``roles`` in ``organization``'s institution, and (for bureau roles) in the
    bureaus above it."""
    inst = institution_of(organization)
    roles = list(roles)
    if not roles:
        return []
    ids = (
        Membership.objects.active()
        .filter(role__in=roles)
        .filter(Q(organization__path__startswith=inst.path) | Q(organization_id__in=inst.ancestor_ids))
        .values("user_id")
    )
    return list(User.objects.filter(pk__in=ids, is_active=True).order_by("pk"))


@transaction.atomic
def notify(
    *,
    recipients: Iterable[User],
    kind: str,
    title: str,
    url: str = "",
    severity: str = Severity.INFO,
    organization: Organization,
    channels: list[str] | None = None,
    groups: bool = True,
    origin: str = "",
    title_msg: dict | None = None,
) -> list[Notification]:
    """Tell people something once: the inbox always, their other channels by severity (or
    ``channels``), and the institution's group robots that take this severity. With ``origin`` (an
    outbox event's key) a second call for the same event tells nobody again."""
    if origin and Notification.objects.filter(origin=origin, kind=kind).exists():
        return []
    Severity(severity)  # refuse an unknown severity
    planner = Planner(organization)
    notes = []
    seen: set[int] = set()
    for user in recipients:
        if user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        pref = Preference.objects.filter(user=user).first()
        wanted = (
            channels
            if channels is not None
            else (pref.channels if pref and pref.channels else DEFAULT_CHANNELS[Severity(severity)])
        )
        notes.append(
            planner.message(
                recipient=user,
                kind=kind,
                severity=severity,
                title=title,
                url=url,
                channels=list(wanted),
                origin=origin,
                title_msg=title_msg,
            )
        )
    if groups:
        for provider in planner.group_providers(severity):
            note = planner.message(
                recipient=None,
                kind=kind,
                severity=severity,
                title=title,
                url=url,
                channels=[],
                origin=origin,
                title_msg=title_msg,
            )
            planner.plan(
                note, PROVIDER_CHANNEL[ProviderKind(provider.kind)], set(), planner.now, provider=provider
            )
            notes.append(note)
    kick()
    return notes


@transaction.atomic
def mark_read(*, actor: User, notification: Notification) -> None:
    if notification.recipient_id != actor.pk:
        raise PermissionDenied("notifications.inbox")
    Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=timezone.now())
