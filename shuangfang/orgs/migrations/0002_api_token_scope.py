"""API tokens get a scope, an expiry and die with their owner's deactivation.

Tokens issued before this migration had full rights and no expiry: they keep read-write (an
integration keeps working) but get the default lifetime from now, and the tokens of people who are
inactive today are revoked (they would otherwise come back to life on reactivation)."""

from datetime import timedelta

from django.conf import settings
from django.db import migrations, models
from django.utils import timezone


def bound_old_tokens(apps, schema_editor):
    ApiToken = apps.get_model("orgs", "ApiToken")
    now = timezone.now()
    ApiToken.objects.filter(expires_at__isnull=True).update(
        expires_at=now + timedelta(days=settings.API_TOKEN_DEFAULT_DAYS)
    )
    ApiToken.objects.filter(revoked_at__isnull=True, user__is_active=False).update(revoked_at=now)


class Migration(migrations.Migration):
    dependencies = [
        ("orgs", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="scope",
            field=models.CharField(
                choices=[("read", "Read only"), ("read_write", "Read and write")],
                default="read_write",
                max_length=12,
                verbose_name="scope",
            ),
        ),
        migrations.AlterField(
            model_name="apitoken",
            name="scope",
            field=models.CharField(
                choices=[("read", "Read only"), ("read_write", "Read and write")],
                default="read",
                max_length=12,
                verbose_name="scope",
            ),
        ),
        migrations.RunPython(bound_old_tokens, migrations.RunPython.noop),
    ]
