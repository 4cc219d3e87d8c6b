"""The starting data: the criteria that could be read of the official texts (``data/major-hazard-
criteria.json``, with its sources and notes), loaded by a data migration and by
``manage.py load_criteria``. Idempotent: loading it again changes nothing."""

from __future__ import annotations

from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
SHIPPED = DATA / "major-hazard-criteria.json"
# What the research file's notes say of GB 35181-2025 (dates, source), in the import shape: it
# supersedes the 2017 elements, whose text it does not carry; and of the national 《养老机构重大事故
# 隐患判定准则》 reported in 2026 (unverified: no date, no text, never citable).
SUPPLEMENTS = (DATA / "gb35181-2025.json", DATA / "elderly-gb-2026.json")


def load_shipped(path: Path = SHIPPED, apps=None):
    from .importing import parse_json
    from .services import ImportResult, import_standards

    result = import_standards(actor=None, standards=parse_json(path.read_bytes()), apps=apps)
    if path != SHIPPED:
        return result
    standards = list(result.standards)
    for extra in SUPPLEMENTS:
        standards += import_standards(
            actor=None, standards=parse_json(extra.read_bytes()), apps=apps
        ).standards
    return ImportResult(standards, result.new_items, result.updated_items)
