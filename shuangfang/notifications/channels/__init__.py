"""Channels: one module per provider (SMS and voice of one cloud share a module: one signature), each
sending one message and saying what happened; this module is the registry (:data:`SENDERS`) and
:func:`send`.

Each sender returns a :class:`~.base.Result`; it never raises for a provider's answer. ``temporary``
failures are retried with backoff by the delivery engine; permanent ones fall through to the next
channel. The request formats and signatures follow the providers' published algorithms:

* Aliyun RPC style (Dysmsapi ``SendSms``, Dyvmsapi ``SingleCallByTts``): :mod:`.aliyun`.
* Tencent Cloud API 3.0 ``TC3-HMAC-SHA256`` (SMS ``SendSms``, voice ``SendTtsVoice``): :mod:`.tencent`.
* DingTalk, Feishu and WeCom group robots: :mod:`.dingtalk`, :mod:`.feishu`, :mod:`.wecom`.
* Generic webhook (HMAC-SHA256 signature header): :mod:`.webhook`.
* Email (Django's mail backend): :mod:`.email`.
* WeCom and DingTalk work messages to a person (the install's app, no provider row): :mod:`.workmsg`.
"""

from __future__ import annotations

from collections.abc import Callable

from shuangfang.notifications.choices import ProviderKind

from . import aliyun, dingtalk, email, feishu, tencent, webhook, wecom, workmsg
from .base import OutMessage, PermanentFailure, Result, TemporaryFailure

SENDERS: dict[str, Callable[[object, OutMessage], Result]] = {
    ProviderKind.ALIYUN_SMS: aliyun.aliyun_sms,
    ProviderKind.ALIYUN_VOICE: aliyun.aliyun_voice,
    ProviderKind.TENCENT_SMS: tencent.tencent_sms,
    ProviderKind.TENCENT_VOICE: tencent.tencent_voice,
    ProviderKind.DINGTALK: dingtalk.dingtalk,
    ProviderKind.FEISHU: feishu.feishu,
    ProviderKind.WECOM: wecom.wecom,
    ProviderKind.WEBHOOK: webhook.webhook,
}


def send(provider, msg: OutMessage, *, channel: str) -> Result:
    try:
        if channel == "email":
            return email.email(provider, msg)
        if channel in workmsg.APPS:
            return workmsg.send(channel, msg)
        if provider is None:
            return Result(False, error="no provider configured for this channel")
        return SENDERS[provider.kind](provider, msg)
    except TemporaryFailure as exc:
        return Result(False, temporary=True, error=str(exc))
    except PermanentFailure as exc:
        return Result(False, error=str(exc))
