"""Checklist items named their major-hazard criterion in free text; they now link by code. Where the
text is a criterion's code, or the whole text of exactly one criterion, the code is set; any other
text (an article reference such as "养老机构重大事故隐患判定标准 第4条", which names no single
situation) stays as it was, shown beside the empty code for an officer to choose."""

from django.db import migrations


def link(apps, schema_editor):
    Criterion = apps.get_model("criteria", "Criterion")
    ChecklistItem = apps.get_model("inspections", "ChecklistItem")
    by_code = set(Criterion.objects.values_list("code", flat=True))
    by_text: dict[str, set[str]] = {}
    for code, text in Criterion.objects.filter(truncated=False).values_list("code", "text"):
        by_text.setdefault(text.strip().rstrip("；。;."), set()).add(code)
    for item in ChecklistItem.objects.exclude(major_criterion="").filter(criterion_code=""):
        text = item.major_criterion.strip()
        codes = {text} if text in by_code else by_text.get(text.rstrip("；。;."), set())
        if len(codes) == 1:
            ChecklistItem.objects.filter(pk=item.pk).update(criterion_code=codes.pop())


class Migration(migrations.Migration):
    dependencies = [
        ("inspections", "0008_checklistitem_criterion_code"),
        ("criteria", "0002_shipped_criteria"),
    ]

    operations = [migrations.RunPython(link, migrations.RunPython.noop)]
