"""Rewrite the stored workbook of every report through the safe cell writer (issue 13): a workbook
made before it could carry a hazard title as a live formula. The workbook is a function of the
stored figures, so it is rendered again from them; the PDF and the figures are left as they are."""

from django.db import migrations


def rewrite(apps, schema_editor):
    from shuangfang.reports import render

    Report = apps.get_model("reports", "Report")
    for report in Report.objects.only("pk", "figures").iterator(chunk_size=50):
        if report.figures:
            Report.objects.filter(pk=report.pk).update(xlsx=render.xlsx(report.figures))


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial")]

    operations = [migrations.RunPython(rewrite, migrations.RunPython.noop, elidable=True)]
