"""LS variant A's bands are commonly cited but the standard's text was not retrieved
(domain-reference §3.2 [M]): it is tagged unverified so the warning shows where it is used."""

from django.db import migrations


def forwards(apps, schema_editor):
    AssessmentMethod = apps.get_model("risks", "AssessmentMethod")
    AssessmentMethod.objects.filter(code="ls_a", version=1, confidence="common").update(confidence="unverified")


class Migration(migrations.Migration):
    dependencies = [("risks", "0003_palette_own_names")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
