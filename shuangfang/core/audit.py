"""The audit trail: services call :func:`record` inside their transaction."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections.abc import Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from .models import AuditEntry
from .types import Label

# Human labels of audit actions, registered by each app next to its services.
ACTION_LABELS: dict[str, Label] = {}


def register_actions(labels: dict[str, Label]) -> None:
    ACTION_LABELS.update(labels)


def action_label(code: str) -> str:
    return str(ACTION_LABELS.get(code, code))


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple | set):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """Field values of ``obj`` in a JSON-friendly form (foreign keys by their display name)."""
    out: dict[str, Any] = {}
    for name in fields:
        value = getattr(obj, name)
        field = obj._meta.get_field(name)
        if getattr(field, "choices", None) and not field.is_relation:
            display = getattr(obj, f"get_{name}_display", None)
            value = display() if display and value not in (None, "") else value
        out[name] = _plain(value)
    return out


def diff(before: dict[str, Any] | None, after: dict[str, Any] | None) -> dict[str, list[Any]]:
    before = before or {}
    after = after or {}
    keys = list(dict.fromkeys([*before.keys(), *after.keys()]))
    return {k: [before.get(k), after.get(k)] for k in keys if before.get(k) != after.get(k)}


def entry(
    *,
    actor,
    action: str,
    obj: models.Model,
    organization=None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    note: str = "",
) -> AuditEntry:
    """An unsaved audit row (for ``bulk_create``); :func:`record` saves one."""
    return AuditEntry(
        actor=actor if getattr(actor, "pk", None) else None,
        organization=organization,
        action=action,
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        changes=diff(before, after),
        note=note,
    )


def record(
    *,
    actor,
    action: str,
    obj: models.Model,
    organization=None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    note: str = "",
) -> AuditEntry:
    row = entry(
        actor=actor, action=action, obj=obj, organization=organization, before=before, after=after, note=note
    )
    row.save(force_insert=True)
    return row
