from django.db import migrations

SOURCE = "Shuangfang default texts (docs/notifications.md); SMS/voice use the provider's approved template"

TEMPLATES = [
    # kind, channel, subject, body
    ("*", "inbox", "", "$title"),
    ("*", "email", "【双防】$title", "$org\n\n$title\n\n查看：$link\n\n（本邮件由双防平台自动发送，请勿回复）"),
    ("alarm.*", "email", "【告警】$title", "$org 发生告警：\n\n$title\n\n级别：$severity\n一键确认：$ack_link\n查看：$link"),
    ("*", "dingtalk", "", "【双防】$org\n$title\n$link"),
    ("*", "feishu", "", "【双防】$org\n$title\n$link"),
    ("*", "wecom", "", "【双防】$org\n$title\n$link"),
    ("*", "webhook", "$title", "$title"),
    ("alarm.*", "dingtalk", "", "【告警】$org\n$title\n级别：$severity\n一键确认：$ack_link"),
    ("alarm.*", "feishu", "", "【告警】$org\n$title\n级别：$severity\n一键确认：$ack_link"),
    ("alarm.*", "wecom", "", "【告警】$org\n$title\n级别：$severity\n一键确认：$ack_link"),
    ("hazard.overdue", "inbox", "", "【超期】$title"),
    ("hazard.deadline_approaching", "inbox", "", "【即将到期】$title"),
    ("inspection.task_missed", "inbox", "", "【漏检】$title"),
    ("contact.verify", "email", "【双防】邮箱验证码", "您的验证码是 $code，10 分钟内有效。如非本人操作，请忽略。"),
]


def seed(apps, schema_editor):
    MessageTemplate = apps.get_model("notifications", "MessageTemplate")
    for kind, channel, subject, body in TEMPLATES:
        MessageTemplate.objects.update_or_create(
            kind=kind, channel=channel, defaults={"subject": subject, "body": body, "source": SOURCE}
        )


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
