"""A person's own contacts and preferences: a phone or email address verified by a code sent to it,
and quiet hours."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shuangfang.core import audit
from shuangfang.core.vocabulary import Severity
from shuangfang.orgs.models import User
from shuangfang.orgs.services import normalize_phone

from .choices import Channel, ContactKind, DeliveryStatus
from .models import (
    Contact,
    Delivery,
    Notification,
    Preference,
)
from .planning import Planner, kick

audit.register_actions(
    {
        "notifications.contact_set": gettext_lazy("Contact address set"),
        "notifications.contact_verified": gettext_lazy("Contact address verified"),
        "notifications.quiet_hours": gettext_lazy("Quiet hours set"),
    }
)

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
