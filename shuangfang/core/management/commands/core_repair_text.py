"""Repair text stored before input was checked (docs/security.md, "Text a database cannot keep")."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import models, transaction

REPLACEMENT = "\ufffd"
TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField)


def repaired(value: Any) -> Any:
    """``value`` with NUL characters dropped and lone surrogates replaced by U+FFFD (in JSON too)."""
    if isinstance(value, str):
        value = value.replace("\x00", "")
        if any(0xD800 <= ord(c) <= 0xDFFF for c in value):
            value = "".join(REPLACEMENT if 0xD800 <= ord(c) <= 0xDFFF else c for c in value)
        return value
    if isinstance(value, list):
        return [repaired(v) for v in value]
    if isinstance(value, dict):
        return {repaired(k): repaired(v) for k, v in value.items()}
    return value


def repair_all(*, dry_run: bool = False) -> list[tuple[str, int, str]]:
    """Every (model, pk, field) whose text a page could not show; repaired unless ``dry_run``."""
    found = []
    for model in apps.get_models():
        if not model.__module__.startswith("shuangfang."):
            continue
        names = [f.name for f in model._meta.concrete_fields if isinstance(f, TEXT_FIELDS)]
        if not names:
            continue
        manager = model._base_manager
        for row in manager.values_list("pk", *names).iterator(chunk_size=2000):
            values = dict(zip(names, row[1:], strict=True))
            changes = {name: repaired(v) for name, v in values.items() if repaired(v) != v}
            if changes:
                found += [(model._meta.label, row[0], name) for name in changes]
                if not dry_run:
                    with transaction.atomic():
                        manager.filter(pk=row[0]).update(**changes)
    return found


class Command(BaseCommand):
    help = (
        "Find text no page can show (NUL characters, lone surrogates: stored before input was "
        "checked) and repair it: NUL dropped, a lone surrogate replaced by U+FFFD."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="list what would be repaired")

    def handle(self, *args, dry_run: bool = False, **options):
        found = repair_all(dry_run=dry_run)
        for label, pk, name in found:
            self.stdout.write(f"{label} {pk} {name}")
        verb = "would repair" if dry_run else "repaired"
        self.stdout.write(f"{verb} {len(found)} field(s)")
