"""Public services of the notifications app (other apps call these, or publish events).

* :func:`notify` — a one-off message to people (inbox always, plus their channels by severity).
* :func:`open_incident` — an escalating incident with the institution's policy copied onto it.
* :func:`acknowledge_incident`, :func:`resolve_incident` — stop the escalation.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import hashlib
import logging
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from shuangfang.core import audit
from shuangfang.core.events import publish
from shuangfang.core.tenancy import can, require
from shuangfang.orgs.models import Membership, Organization, Post, User
from shuangfang.orgs.services import normalize_phone

from .choices import (
    CHANNEL_CONTACT,
    FALLBACK,
    GROUP_CHANNELS,
    INCIDENT_TRANSITIONS,
    PROVIDER_CHANNEL,
    SEVERITY_RANK,
    Channel,
    ContactKind,
    DeliveryStatus,
    IncidentStatus,
    ProviderKind,
    Severity,
    StepTarget,
)
from .models import (
    Contact,
    Delivery,
    EscalationPolicy,
    EscalationStep,
    Incident,
    Notification,
    Preference,
    Provider,
)
from .sealing import seal

log = logging.getLogger(__name__)

# Channels for a one-off message when the person chose none (the inbox is always added).
DEFAULT_CHANNELS = {
    Severity.INFO: [],
    Severity.WARNING: [Channel.EMAIL],
    Severity.CRITICAL: [Channel.SMS, Channel.EMAIL],
}
# Used when an institution has no policy for an incident: on duty → safety officer → head.
BUILTIN_POLICY = {
    "name": "内置：当班人 → 安全管理员 → 机构负责人",
    "repeat": 2,
    "steps": [
        {"target": "on_duty", "channels": ["inbox", "sms", "voice"], "wait_minutes": 5},
        {
            "target": "role",
            "role": "safety_officer",
            "channels": ["inbox", "sms", "voice"],
            "wait_minutes": 10,
        },
        {
            "target": "role",
            "role": "institution_head",
            "channels": ["inbox", "sms", "voice"],
            "wait_minutes": 10,
        },
    ],
}
INCIDENT_FIELDS = ["status", "acknowledged_by", "acknowledged_via", "acknowledged_at", "resolved_at"]


def _institution(org: Organization) -> Organization:
    return org.institution if org.institution_id and org.institution else org


def kick() -> None:
    """After commit: wake a worker to run due escalation steps and deliveries."""
    from . import tasks

    transaction.on_commit(tasks.enqueue_process_due)


# --- Planning deliveries ---------------------------------------------------------------------------


class Planner:
    """Creates notifications and their delivery rows. Lookups (providers, contacts, quiet hours) are
    loaded once per batch so a thousand incidents do not mean a thousand provider queries."""

    def __init__(self, organization: Organization, now: dt.datetime | None = None) -> None:
        self.org = organization
        self.institution = _institution(organization)
        self.now = now or timezone.now()
        self._providers: list[Provider] | None = None

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
            and SEVERITY_RANK[Severity(severity)] >= SEVERITY_RANK[Severity(p.min_severity)]
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
    ) -> Notification:
        note = Notification.objects.create(
            organization=self.org,
            recipient=recipient,
            kind=kind,
            severity=severity,
            title=title[:200],
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
        if provider is None and channel != Channel.EMAIL:
            provider = self.provider(channel)
        if channel in GROUP_CHANNELS:
            address = provider.name if provider else ""
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
        if not error and channel != Channel.EMAIL and provider is None:
            error = _("no %(channel)s provider configured for %(org)s") % {
                "channel": Channel(channel).label,
                "org": self.institution.name,
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
        return delivery

    def fall_through(self, failed: Delivery, used: set[str], not_before: dt.datetime) -> Delivery | None:
        nxt = FALLBACK.get(Channel(failed.channel))
        while nxt is not None and nxt in used:
            nxt = FALLBACK.get(nxt)
        if nxt is None or failed.notification.recipient_id is None:
            return None
        return self.plan(failed.notification, nxt, used, not_before, fallback_from=failed)


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
    inst = _institution(organization)
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
) -> list[Notification]:
    """Tell people something once: the inbox always, their other channels by severity (or
    ``channels``), and the institution's group robots that take this severity. With ``origin`` (an
    outbox event's key) a second call for the same event tells nobody again."""
    Severity(severity)  # refuse an unknown severity
    if origin and Notification.objects.filter(origin=origin, kind=kind).exists():
        return []
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
            )
        )
    if groups:
        for provider in planner.group_providers(severity):
            note = planner.message(
                recipient=None, kind=kind, severity=severity, title=title, url=url, channels=[], origin=origin
            )
            planner.plan(
                note, PROVIDER_CHANNEL[ProviderKind(provider.kind)], set(), planner.now, provider=provider
            )
            notes.append(note)
    kick()
    return notes


# --- Incidents -----------------------------------------------------------------------------------


def choose_policy(organization: Organization, kind: str, severity: str) -> dict:
    inst = _institution(organization)
    for policy in EscalationPolicy.objects.filter(organization=inst, is_active=True).prefetch_related(
        "steps"
    ):
        if (
            fnmatch.fnmatchcase(kind, policy.event_kind)
            and SEVERITY_RANK[Severity(severity)] >= SEVERITY_RANK[Severity(policy.min_severity)]
        ):
            return snapshot_policy(policy)
    return dict(BUILTIN_POLICY)


def snapshot_policy(policy: EscalationPolicy) -> dict:
    return {
        "name": policy.name,
        "repeat": policy.repeat,
        "steps": [
            {
                "target": s.target,
                "user_id": s.user_id,
                "role": s.role,
                "post_id": s.post_id,
                "channels": list(s.channels),
                "wait_minutes": s.wait_minutes,
            }
            for s in policy.steps.all()
        ],
    }


def open_incident(
    *,
    organization: Organization,
    kind: str,
    severity: str,
    title: str,
    url: str,
    source_kind: str,
    source_uuid,
    actor: User | None = None,
) -> Incident:
    """Open an escalating incident (idempotent per source while not resolved). The first step
    runs as soon as a worker picks it up, right after commit."""
    Severity(severity)
    if actor is not None:
        require(actor, "notifications.inbox", organization)
    existing = (
        Incident.objects.filter(source_kind=source_kind, source_uuid=str(source_uuid))
        .exclude(status=IncidentStatus.RESOLVED)
        .first()
    )
    if existing:
        return existing
    snapshot = choose_policy(organization, kind, severity)
    try:
        with transaction.atomic():
            incident = Incident.objects.create(
                organization=organization,
                kind=kind,
                severity=severity,
                title=title[:200],
                url=url,
                source_kind=source_kind,
                source_uuid=str(source_uuid),
                policy_name=snapshot.get("name", ""),
                policy_snapshot=snapshot,
                next_escalation_at=timezone.now() if snapshot.get("steps") else None,
            )
            audit.record(
                actor=actor,
                action="notifications.incident_open",
                obj=incident,
                organization=organization,
                after={"title": incident.title, "policy": incident.policy_name},
            )
    except IntegrityError:  # another worker opened it a moment ago
        return Incident.objects.get(
            source_kind=source_kind,
            source_uuid=str(source_uuid),
            status__in=[IncidentStatus.OPEN, IncidentStatus.ACKNOWLEDGED],
        )
    kick()
    return incident


def may_acknowledge(user: User, incident: Incident) -> bool:
    return (
        can(user, "notifications.incidents", incident.organization)
        or Notification.objects.filter(incident=incident, recipient=user).exists()
    )


def _move(incident: Incident, to: str, **fields) -> bool:
    """Conditional update: only from a status that may move to ``to``. False when it already moved."""
    allowed_from = [s for s, targets in INCIDENT_TRANSITIONS.items() if to in targets]
    return bool(
        Incident.objects.filter(pk=incident.pk, status__in=allowed_from).update(
            status=to, next_escalation_at=None, **fields
        )
    )


@transaction.atomic
def acknowledge_incident(
    *, incident: Incident, actor: User, via: str = "inbox", notify_source: bool = True
) -> Incident:
    """Stop the escalation and record who and when. Acknowledging twice changes nothing."""
    if not may_acknowledge(actor, incident):
        raise PermissionDenied("notifications.acknowledge")
    now = timezone.now()
    if not _move(
        incident,
        IncidentStatus.ACKNOWLEDGED,
        acknowledged_by=actor,
        acknowledged_at=now,
        acknowledged_via=via[:20],
    ):
        incident.refresh_from_db()
        if incident.status == IncidentStatus.RESOLVED:
            raise ValidationError(_("This incident is already resolved."))
        return incident
    incident.refresh_from_db()
    audit.record(
        actor=actor,
        action="notifications.incident_ack",
        obj=incident,
        organization=incident.organization,
        before={"status": IncidentStatus.OPEN},
        after={"status": incident.status, "via": via},
    )
    if notify_source:
        publish(
            "incident.acknowledged",
            organization_id=incident.organization_id,
            object_uuid=str(incident.uuid),
            title=_("%(title)s acknowledged by %(name)s") % {"title": incident.title, "name": actor},
            url=incident.url,
            severity=incident.severity,
            source_kind=incident.source_kind,
            source_uuid=incident.source_uuid,
            acknowledged_by_id=actor.pk,
        )
    return incident


@transaction.atomic
def resolve_incident(*, incident: Incident, actor: User | None = None, via: str = "") -> Incident:
    if actor is not None and not may_acknowledge(actor, incident):
        raise PermissionDenied("notifications.resolve")
    if _move(incident, IncidentStatus.RESOLVED, resolved_at=timezone.now()):
        incident.refresh_from_db()
        audit.record(
            actor=actor,
            action="notifications.incident_resolve",
            obj=incident,
            organization=incident.organization,
            after={"status": incident.status, "via": via},
        )
    else:
        incident.refresh_from_db()
    return incident


def stop_for_source(
    source_kind: str, source_uuid: str, *, acknowledged_by_id: int | None = None, resolve: bool = False
) -> Incident | None:
    """The source app acknowledged or cleared its object: stop that incident (idempotent)."""
    incident = (
        Incident.objects.filter(source_kind=source_kind, source_uuid=str(source_uuid))
        .exclude(status=IncidentStatus.RESOLVED)
        .first()
    )
    if incident is None:
        return None
    if resolve:
        return resolve_incident(incident=incident, via=source_kind)
    with transaction.atomic():
        by = User.objects.filter(pk=acknowledged_by_id).first() if acknowledged_by_id else None
        if _move(
            incident,
            IncidentStatus.ACKNOWLEDGED,
            acknowledged_by=by,
            acknowledged_at=timezone.now(),
            acknowledged_via=source_kind[:20],
        ):
            incident.refresh_from_db()
            audit.record(
                actor=by,
                action="notifications.incident_ack",
                obj=incident,
                organization=incident.organization,
                after={"status": incident.status, "via": source_kind},
            )
    return incident


# --- Contacts and verification --------------------------------------------------------------------

CODE_TTL = dt.timedelta(minutes=10)
MAX_CODE_ATTEMPTS = 5


def _hash_code(contact_id: int, code: str) -> str:
    return hashlib.sha256(f"{settings.SECRET_KEY}:{contact_id}:{code}".encode()).hexdigest()


@transaction.atomic
def set_contact(*, actor: User, kind: str, address: str) -> tuple[Contact, str]:
    """Record one's phone or email (unverified) and send a code to it. Returns (contact, code) —
    the code is returned for tests only; it travels by the channel itself."""
    kind = ContactKind(kind)
    if kind == ContactKind.PHONE:
        address = normalize_phone(address)
        if not address:
            raise ValidationError(_("Enter a mobile number."))
    else:
        from django.core.validators import validate_email

        address = address.strip().lower()
        validate_email(address)
    contact, _created = Contact.objects.get_or_create(user=actor, kind=kind, defaults={"address": address})
    code = f"{secrets.randbelow(10**6):06d}"
    contact.address = address
    contact.verified_at = None
    contact.code_hash = _hash_code(contact.pk, code)
    contact.code_sent_at = timezone.now()
    contact.code_attempts = 0
    contact.save()
    audit.record(
        actor=actor, action="notifications.contact_set", obj=contact, after={"kind": kind, "address": address}
    )
    channel = Channel.SMS if kind == ContactKind.PHONE else Channel.EMAIL
    _send_code(actor, contact, channel, code)
    return contact, code


def _send_code(user: User, contact: Contact, channel: str, code: str) -> None:
    membership = user.active_memberships().select_related("organization").first()
    if membership is None:
        return
    planner = Planner(membership.organization)
    note = Notification.objects.create(
        organization=membership.organization,
        recipient=user,
        kind="contact.verify",
        severity=Severity.INFO,
        title=_("Verification code sent"),
        url="",
    )
    provider = None if channel == Channel.EMAIL else planner.provider(channel)
    Delivery.objects.create(
        organization=membership.organization,
        notification=note,
        channel=channel,
        provider=provider,
        address=contact.address,
        status=DeliveryStatus.QUEUED if (provider or channel == Channel.EMAIL) else DeliveryStatus.FAILED,
        last_error="" if (provider or channel == Channel.EMAIL) else _("no SMS provider configured"),
        next_attempt_at=timezone.now(),
        extra={"code": code},  # the $code template value; cleared once sent
    )
    kick()


def verify_contact(*, actor: User, kind: str, code: str) -> Contact:
    """Check the code sent to the address. A wrong code is counted (outside any rollback)."""
    contact = Contact.objects.filter(user=actor, kind=kind).first()
    if contact is None or not contact.code_hash:
        raise ValidationError(_("Ask for a code first."))
    if contact.code_attempts >= MAX_CODE_ATTEMPTS:
        raise ValidationError(_("Too many wrong codes. Ask for a new one."))
    if contact.code_sent_at is None or timezone.now() - contact.code_sent_at > CODE_TTL:
        raise ValidationError(_("The code has expired. Ask for a new one."))
    if not secrets.compare_digest(contact.code_hash, _hash_code(contact.pk, code.strip())):
        Contact.objects.filter(pk=contact.pk).update(code_attempts=F("code_attempts") + 1)
        raise ValidationError(_("Wrong code."))
    with transaction.atomic():
        # Conditional: a code is used once, even by two requests at the same moment.
        if not Contact.objects.filter(pk=contact.pk, code_hash=contact.code_hash).update(
            verified_at=timezone.now(), code_hash=""
        ):
            raise ValidationError(_("Ask for a code first."))
        contact.refresh_from_db()
        audit.record(
            actor=actor,
            action="notifications.contact_verified",
            obj=contact,
            after={"address": contact.address},
        )
    return contact


@transaction.atomic
def set_quiet_hours(*, actor: User, quiet_start: dt.time | None, quiet_end: dt.time | None) -> Preference:
    pref, _created = Preference.objects.get_or_create(user=actor)
    pref.quiet_start, pref.quiet_end = quiet_start, quiet_end
    pref.save()
    audit.record(
        actor=actor,
        action="notifications.quiet_hours",
        obj=pref,
        after={"from": str(quiet_start or ""), "until": str(quiet_end or "")},
    )
    return pref


# --- Providers ---------------------------------------------------------------------------------


@transaction.atomic
def save_provider(
    *,
    actor: User,
    organization: Organization,
    kind: str,
    name: str,
    provider: Provider | None = None,
    endpoint: str = "",
    access_key: str = "",
    secret: str = "",
    secret_env: str = "",
    params: dict | None = None,
    min_severity: str = Severity.INFO,
    is_active: bool = True,
) -> Provider:
    """Create or change a provider. An empty ``secret`` keeps the stored one; it is never shown."""
    inst = _institution(organization)
    require(actor, "notifications.configure", inst)
    ProviderKind(kind)
    if kind == ProviderKind.WEBHOOK and not endpoint:
        raise ValidationError(_("A webhook needs an endpoint URL."))
    provider = provider or Provider(organization=inst)
    provider.kind, provider.name, provider.endpoint = kind, name.strip(), endpoint.strip()
    provider.access_key, provider.secret_env = access_key.strip(), secret_env.strip()
    provider.params = params or {}
    provider.min_severity, provider.is_active = min_severity, is_active
    if secret:
        provider.secret_sealed = seal(secret)
    provider.save()
    audit.record(
        actor=actor,
        action="notifications.provider_save",
        obj=provider,
        organization=inst,
        after={
            "kind": kind,
            "name": name,
            "endpoint": endpoint,
            "secret": "(changed)" if secret else "(kept)",
            "params": provider.params,
        },
    )
    return provider


@transaction.atomic
def mark_read(*, actor: User, notification: Notification) -> None:
    if notification.recipient_id != actor.pk:
        raise PermissionDenied("notifications.inbox")
    Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=timezone.now())


# --- Delivery receipts ----------------------------------------------------------------------------


def receipt_token(provider: Provider) -> str:
    key = hashlib.sha256(f"{settings.SECRET_KEY}:receipt".encode()).digest()
    import hmac as _hmac

    return _hmac.new(key, str(provider.uuid).encode(), hashlib.sha256).hexdigest()[:32]


def record_receipt(*, provider: Provider, ref: str, delivered: bool, error: str = "") -> int:
    """The provider reports the fate of a message it accepted (Aliyun SmsReport, Tencent status
    callback). ``sent → delivered``, or ``sent → failed`` (then it falls through to the next
    channel). Idempotent: a repeated report changes nothing."""
    from .choices import DeliveryStatus as S

    now = timezone.now()
    rows = list(
        Delivery.objects.filter(provider=provider, provider_ref=ref, status=S.SENT).select_related(
            "notification"
        )
    )
    for d in rows:
        if delivered:
            Delivery.objects.filter(pk=d.pk, status=S.SENT).update(status=S.DELIVERED, delivered_at=now)
            continue
        with transaction.atomic():
            if Delivery.objects.filter(pk=d.pk, status=S.SENT).update(
                status=S.FAILED, last_error=error[:500]
            ):
                used = set(d.notification.deliveries.values_list("channel", flat=True))
                Planner(d.notification.organization, now).fall_through(d, used, now)
    if rows and not delivered:
        kick()
    return len(rows)


# --- Escalation policies ---------------------------------------------------------------------------


@dataclass
class StepSpec:
    target: str
    channels: list[str]
    wait_minutes: int
    role: str = ""
    user: User | None = None
    post: Post | None = None


POLICY_FIELDS = ["name", "event_kind", "min_severity", "repeat", "priority", "is_active"]


@transaction.atomic
def save_policy(
    *,
    actor: User,
    organization: Organization,
    steps: list[StepSpec],
    policy: EscalationPolicy | None = None,
    name: str,
    event_kind: str = "*",
    min_severity: str = Severity.INFO,
    repeat: int = 0,
    priority: int = 100,
    is_active: bool = True,
) -> EscalationPolicy:
    """Create or change a policy. Running incidents keep the copy they took when they opened."""
    inst = _institution(organization)
    require(actor, "notifications.configure", inst)
    if not steps:
        raise ValidationError(_("A policy needs at least one step."))
    if repeat > 5:
        raise ValidationError(_("Repeat the chain at most 5 times."))
    for i, step in enumerate(steps, start=1):
        StepTarget(step.target)
        if step.target == StepTarget.USER and step.user is None:
            raise ValidationError(_("Step %(n)s: choose the person.") % {"n": i})
        if step.target == StepTarget.ROLE and not step.role:
            raise ValidationError(_("Step %(n)s: choose the role.") % {"n": i})
        if not step.channels:
            raise ValidationError(_("Step %(n)s: choose at least one channel.") % {"n": i})
        if step.post is not None and step.post.organization_id != inst.pk:
            raise ValidationError(_("Step %(n)s: the post belongs to another institution.") % {"n": i})
        if (
            step.user is not None
            and not Membership.objects.active()
            .filter(user=step.user, organization__path__startswith=inst.path)
            .exists()
        ):
            raise ValidationError(
                _("Step %(n)s: %(name)s is not a member of this institution.") % {"n": i, "name": step.user}
            )
    before = audit.snapshot(policy, POLICY_FIELDS) if policy else None
    policy = policy or EscalationPolicy(organization=inst)
    policy.name, policy.event_kind, policy.min_severity = (
        name.strip(),
        event_kind.strip() or "*",
        min_severity,
    )
    policy.repeat, policy.priority, policy.is_active = repeat, priority, is_active
    policy.save()
    policy.steps.all().delete()
    EscalationStep.objects.bulk_create(
        [
            EscalationStep(
                policy=policy,
                position=i,
                target=st.target,
                role=st.role if st.target == StepTarget.ROLE else "",
                user=st.user if st.target == StepTarget.USER else None,
                post=st.post if st.target == StepTarget.ON_DUTY else None,
                channels=list(st.channels),
                wait_minutes=st.wait_minutes,
            )
            for i, st in enumerate(steps)
        ]
    )
    after = audit.snapshot(policy, POLICY_FIELDS)
    after["steps"] = snapshot_policy(policy)["steps"]
    audit.record(
        actor=actor,
        action="notifications.policy_save",
        obj=policy,
        organization=inst,
        before=before,
        after=after,
    )
    return policy


def open_incident_titles(organization: Organization, limit: int = 20) -> list[str]:
    """Titles of the institution's incidents not yet resolved (for the shift handover)."""
    inst = _institution(organization)
    qs = Incident.objects.filter(organization__path__startswith=inst.path).exclude(
        status=IncidentStatus.RESOLVED
    )
    return [f"{i.title}（{i.get_status_display()}）" for i in qs.order_by("opened_at")[:limit]]
