"""Load the seeded methods and starter library (idempotent). Used by migration 0002 and tests."""

from __future__ import annotations

from typing import Any

from . import library_data, methods_data


def seed_methods(Method: Any) -> None:
    for spec in methods_data.METHODS:
        fields = {k: v for k, v in spec.items() if k not in ("code", "version")}
        if not Method.objects.filter(code=spec["code"], version=spec["version"]).exists():
            Method.objects.create(code=spec["code"], version=spec["version"], is_current=True, **fields)


def seed_library(Entry: Any) -> None:
    # A migration's historical model may not have the English columns yet (0005 adds them).
    fields = {f.name for f in Entry._meta.get_fields()}
    for row in library_data.rows():
        defaults = {k: v for k, v in row.items() if k in fields}
        Entry.objects.update_or_create(
            organization=None,
            institution_type=row["institution_type"],
            name=row["name"],
            defaults=defaults,
        )


def load_library_english(Entry: Any) -> None:
    """Fill the English of the national entries already installed, matched by their seeded key
    (institution type + Chinese name); factors and measures matched by their Chinese text, so an
    entry's other content is kept as it is."""
    from .library_en import english

    seeded = {(r["institution_type"], r["name"]): r for r in library_data.rows()}
    for entry in Entry.objects.filter(organization__isnull=True):
        row = seeded.get((entry.institution_type, entry.name))
        if row is None:
            continue
        entry.name_en, entry.area_en, entry.source_en = row["name_en"], row["area_en"], row["source_en"]
        for factor in entry.factors:
            factor["description_en"] = english(factor.get("description", ""))
            factor["consequence_en"] = english(factor.get("consequence", ""))
            for measure in factor.get("measures", []):
                measure["description_en"] = english(measure.get("description", ""))
                measure["what_to_check_en"] = english(measure.get("what_to_check", ""))
        entry.save(update_fields=["name_en", "area_en", "source_en", "factors"])
