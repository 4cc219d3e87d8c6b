"""Custom palettes stored before names could be given got the national names (a green level 4
called 蓝). Such a name is dropped where the level's colour is not the national one."""

from django.db import migrations

NATIONAL_PALETTE = {"1": "#d32f2f", "2": "#f57c00", "3": "#fbc02d", "4": "#1e88e5"}
NATIONAL_NAMES = {"1": "红", "2": "橙", "3": "黄", "4": "蓝"}


def forwards(apps, schema_editor):
    LevelPalette = apps.get_model("risks", "LevelPalette")
    for row in LevelPalette.objects.all():
        names = {str(k): v for k, v in (row.names or {}).items()}
        colours = {str(k): str(v).lower() for k, v in (row.colours or {}).items()}
        if names != NATIONAL_NAMES:
            continue  # names given by the bureau: kept
        fixed = {lv: (n if colours.get(lv) == NATIONAL_PALETTE[lv] else "") for lv, n in names.items()}
        if fixed != names:
            row.names = fixed
            row.save(update_fields=["names"])


class Migration(migrations.Migration):
    dependencies = [("risks", "0002_seed")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
