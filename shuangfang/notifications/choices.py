from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Channel(models.TextChoices):
    INBOX = "inbox", _("In-app inbox")
    EMAIL = "email", pgettext_lazy("channel", "Email")
    SMS = "sms", _("SMS")
    VOICE = "voice", _("Voice call")
    DINGTALK = "dingtalk", _("DingTalk group robot")
    FEISHU = "feishu", _("Feishu group robot")
    WECOM = "wecom", _("WeCom group robot")
    WEBHOOK = "webhook", _("Signed webhook")
    WECOM_WORK = "wecom_work", _("WeCom work message")
    DINGTALK_WORK = "ding_work", _("DingTalk work message")


# Channels that reach a group (one message per institution), not a person.
GROUP_CHANNELS = {Channel.DINGTALK, Channel.FEISHU, Channel.WECOM, Channel.WEBHOOK}
# When a personal channel fails for good, the next one tried (the inbox always has the message).
FALLBACK = {
    Channel.VOICE: Channel.SMS,
    Channel.SMS: Channel.EMAIL,
    Channel.WECOM_WORK: Channel.SMS,
    Channel.DINGTALK_WORK: Channel.SMS,
}
# Work messages to one person through the install's WeCom / DingTalk app (channels.workmsg): no
# provider row, the app is configured in the settings.
WORK_CHANNELS = {Channel.WECOM_WORK, Channel.DINGTALK_WORK}


class ContactKind(models.TextChoices):
    PHONE = "phone", _("Mobile phone")
    EMAIL = "email", _("Email")


# Which verified contact a personal channel uses.
CHANNEL_CONTACT = {
    Channel.SMS: ContactKind.PHONE,
    Channel.VOICE: ContactKind.PHONE,
    Channel.EMAIL: ContactKind.EMAIL,
}


class ProviderKind(models.TextChoices):
    ALIYUN_SMS = "aliyun_sms", _("Aliyun SMS (Dysmsapi)")
    ALIYUN_VOICE = "aliyun_voice", _("Aliyun voice (Dyvmsapi)")
    TENCENT_SMS = "tencent_sms", _("Tencent Cloud SMS")
    TENCENT_VOICE = "tencent_voice", _("Tencent Cloud voice (VMS)")
    DINGTALK = "dingtalk", _("DingTalk group robot")
    FEISHU = "feishu", _("Feishu group robot")
    WECOM = "wecom", _("WeCom group robot")
    WEBHOOK = "webhook", _("Signed webhook")


PROVIDER_CHANNEL = {
    ProviderKind.ALIYUN_SMS: Channel.SMS,
    ProviderKind.TENCENT_SMS: Channel.SMS,
    ProviderKind.ALIYUN_VOICE: Channel.VOICE,
    ProviderKind.TENCENT_VOICE: Channel.VOICE,
    ProviderKind.DINGTALK: Channel.DINGTALK,
    ProviderKind.FEISHU: Channel.FEISHU,
    ProviderKind.WECOM: Channel.WECOM,
    ProviderKind.WEBHOOK: Channel.WEBHOOK,
}


class IncidentStatus(models.TextChoices):
    OPEN = "open", _("Open, escalating")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    RESOLVED = "resolved", _("Resolved")


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")


class StepTarget(models.TextChoices):
    USER = "user", _("A person")
    ROLE = "role", _("Holders of a role")
    ON_DUTY = "on_duty", _("Whoever is on duty")
