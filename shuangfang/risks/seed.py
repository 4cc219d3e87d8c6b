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
    for row in library_data.rows():
        Entry.objects.update_or_create(
            organization=None, institution_type=row["institution_type"], name=row["name"], defaults=row
        )
