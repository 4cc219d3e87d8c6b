from django.db import migrations


def load(apps, schema_editor):
    # The shipped file through the same importer an administrator uses, on the historical models.
    from shuangfang.criteria.seed import load_shipped

    load_shipped(apps=apps)


class Migration(migrations.Migration):
    dependencies = [("criteria", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
