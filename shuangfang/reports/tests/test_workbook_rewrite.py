"""Reports stored before the safe cell writer get their workbook written again from their figures."""

from __future__ import annotations

import io
from importlib import import_module

from django.apps import apps
from django.db import connection
from openpyxl import load_workbook

from shuangfang.reports.models import Report

from .helpers import stored_report

rewrite = import_module("shuangfang.reports.migrations.0002_rewrite_workbooks_safely").rewrite


def test_stored_workbooks_are_rewritten_safely(world):
    world.inst_a.name = '=HYPERLINK("http://x","y")'
    world.inst_a.save(update_fields=["name"])
    report = stored_report(world.inst_a)  # placeholder files, as a report made before the fix
    rewrite(apps, connection.schema_editor())
    report.refresh_from_db()
    summary = load_workbook(io.BytesIO(bytes(report.xlsx))).worksheets[0]
    name = summary["B2"]
    assert name.value == world.inst_a.name and name.data_type == "s" and name.quotePrefix
    assert bytes(Report.objects.get(pk=report.pk).pdf).startswith(b"%PDF")
