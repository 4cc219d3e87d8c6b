from django.db import migrations


def forwards(apps, schema_editor):
    from shuangfang.risks.seed import seed_library, seed_methods

    seed_methods(apps.get_model("risks", "AssessmentMethod"))
    seed_library(apps.get_model("risks", "LibraryEntry"))


class Migration(migrations.Migration):
    dependencies = [("risks", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
