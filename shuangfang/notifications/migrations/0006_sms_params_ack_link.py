"""``link`` in a message is now the page and ``ack_link`` the one-tap acknowledgement (before, both
were the acknowledgement). An SMS or voice provider that listed ``link`` in its approved template's
variables keeps sending the one-tap link: ``link`` becomes ``ack_link`` there."""

from django.db import migrations

SMS_AND_VOICE = {"aliyun_sms", "aliyun_voice", "tencent_sms", "tencent_voice"}


def forwards(apps, schema_editor):
    Provider = apps.get_model("notifications", "Provider")
    for provider in Provider.objects.filter(kind__in=SMS_AND_VOICE):
        names = (provider.params or {}).get("template_params")
        if isinstance(names, list) and "link" in names and "ack_link" not in names:
            provider.params = {
                **provider.params,
                "template_params": ["ack_link" if n == "link" else n for n in names],
            }
            provider.save(update_fields=["params"])


class Migration(migrations.Migration):
    dependencies = [("notifications", "0005_fernet_secrets")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
