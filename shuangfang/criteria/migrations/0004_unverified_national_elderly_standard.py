from django.db import migrations


def load(apps, schema_editor):
    # The national elderly-care standard reported in 2026 (unverified, no text): listed, not citable.
    from shuangfang.criteria.importing import parse_json
    from shuangfang.criteria.seed import DATA
    from shuangfang.criteria.services import import_standards

    import_standards(
        actor=None, standards=parse_json((DATA / "elderly-gb-2026.json").read_bytes()), apps=apps
    )


class Migration(migrations.Migration):
    dependencies = [("criteria", "0003_selfassessment_selfassessmentanswer_and_more")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
