"""Email through Django's mail backend (SMTP); no provider row needed."""

from __future__ import annotations

import smtplib

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

from . import base
from .base import OutMessage, Result


def email(provider, msg: OutMessage) -> Result:
    try:
        connection = get_connection(timeout=base.TIMEOUT)
        sent = EmailMessage(
            subject=msg.subject,
            body=msg.text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[msg.address],
            connection=connection,
        ).send()
    except smtplib.SMTPRecipientsRefused as exc:
        return Result(False, error=f"SMTP refused the address: {exc.recipients}")
    except smtplib.SMTPResponseException as exc:
        return Result(
            False,
            temporary=exc.smtp_code >= 400 and exc.smtp_code < 500,
            error=f"SMTP {exc.smtp_code}: {exc.smtp_error!r}",
        )
    except (OSError, smtplib.SMTPException) as exc:
        return Result(False, temporary=True, error=f"SMTP: {exc}")
    return Result(bool(sent), error="" if sent else "not sent")
