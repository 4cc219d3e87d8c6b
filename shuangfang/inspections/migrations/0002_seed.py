from django.db import migrations


def seed(apps, schema_editor):
    from shuangfang.inspections import seed as data

    data.load(apps)


class Migration(migrations.Migration):
    dependencies = [("inspections", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
