"""Work messages to one person through the institution's WeCom (企业微信) or DingTalk (钉钉) app,
not a group robot: the app's settings, access token and request shapes are ``orgs.workapps``. No
provider row: the app is configured once for the install (docs/operations.md "Work apps")."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

from shuangfang.notifications.choices import Channel, ContactKind
from shuangfang.orgs import workapps

from .base import OutMessage, Result

APPS = {Channel.WECOM_WORK: workapps.WECOM, Channel.DINGTALK_WORK: workapps.DINGTALK}


def _match(channel: str) -> str:
    return settings.WECOM_MATCH if APPS[channel] == workapps.WECOM else settings.DINGTALK_MATCH  # type: ignore[index]


def address(user, channel: str, contact_of) -> tuple[str, str]:
    """(address, error) of ``user`` on a work-message channel: their login name, or their verified
    mobile phone when the app matches people by phone. ``contact_of(user, kind)``: their contact."""
    app = APPS[channel]  # type: ignore[index]
    if not workapps.enabled(app):
        return "", _("the %(channel)s app is not configured") % {"channel": Channel(channel).label}
    if user is None:
        return "", _("no phone or email address on file")
    if _match(channel) != "mobile":
        return user.username, ""
    contact = contact_of(user, ContactKind.PHONE)
    if contact is None:
        return "", _("no phone or email address on file")
    if contact.verified_at is None:
        return contact.address, _("address %(address)s is not verified") % {"address": contact.address}
    return contact.address, ""


def send(channel: str, msg: OutMessage) -> Result:
    text = msg.text
    link = msg.params.get("link", "")
    if link and link not in text:
        text = f"{text}\n{link}"
    try:
        ref = workapps.send_text(APPS[channel], msg.address, text)  # type: ignore[index]
    except workapps.WorkAppError as exc:
        return Result(False, temporary=exc.temporary, error=str(exc))
    return Result(True, ref=ref)
