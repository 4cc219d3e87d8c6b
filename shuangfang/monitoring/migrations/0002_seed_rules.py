from django.db import migrations


def seed(apps, schema_editor):
    from shuangfang.monitoring.catalogue import seed_rules

    seed_rules(apps.get_model("monitoring", "AlarmRule"))


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
