"""Two checklist library items corrected, and the checklist items copied from them unless edited:
D02 (special equipment inspection) is graded major like its basis (elderly-care major-hazard
standard Art. 4) and B08; E03 keeps footage three months (domain-reference §4.6), not 90 days."""

from django.db import migrations

E03_OLD = "出入口、接待室、走廊、食堂、观察室监控覆盖，录像保存不少于90天"
E03_NEW = "出入口、接待室、走廊、食堂、观察室监控覆盖，录像保存不少于3个月"


def forwards(apps, schema_editor):
    LibraryItem = apps.get_model("inspections", "LibraryItem")
    ChecklistItem = apps.get_model("inspections", "ChecklistItem")
    LibraryItem.objects.filter(code="D02").update(default_grade="major")
    LibraryItem.objects.filter(code="E03", text=E03_OLD).update(text=E03_NEW)
    from_library = ChecklistItem.objects.filter(source_kind="library")
    from_library.filter(source_ref="D02", default_grade="general").update(default_grade="major")
    from_library.filter(source_ref="E03", text=E03_OLD).update(text=E03_NEW)


class Migration(migrations.Migration):
    dependencies = [("inspections", "0005_patrol_route")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
