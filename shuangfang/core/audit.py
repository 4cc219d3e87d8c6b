"""The audit trail: services call :func:`record` inside their transaction."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import translation
from django.utils.translation import gettext as _

from .models import AuditEntry
from .types import Label

# Human labels of audit actions, registered by each app next to its services
# (``core/tests/test_words.py`` fails on an action written without one).
ACTION_LABELS: dict[str, Label] = {}


# Labels of change keys that are not a field of the audited model (a count, a related list), and
# the labels of the codes such a key holds.
FIELD_LABELS: dict[str, Label] = {}
VALUE_LABELS: dict[str, dict[str, Label]] = {}


def register_actions(labels: dict[str, Label]) -> None:
    ACTION_LABELS.update(labels)


def register_fields(labels: dict[str, Label], values: dict[str, dict[str, Label]] | None = None) -> None:
    FIELD_LABELS.update(labels)
    VALUE_LABELS.update(values or {})


def action_label(code: str) -> str:
    """The action in words; an unregistered code (a test fails on one) reads as "changed"."""
    label = ACTION_LABELS.get(code)
    return str(label) if label is not None else str(_("Changed"))


def _sep() -> str:
    return "、" if (translation.get_language() or "").startswith("zh") else ", "


def shown_value(field: Any, value: Any) -> str:
    """A stored before/after value in words: no ``None``, ``True`` or code names."""
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, list):
        return _sep().join(shown_value(field, v) for v in value)
    if isinstance(value, dict):
        return _sep().join(f"{_field_label(None, k)} {shown_value(k, v)}" for k, v in value.items())
    if isinstance(field, str):  # a key that is not a model field
        labels = VALUE_LABELS.get(field, {})
        return str(labels.get(value, value)) if isinstance(value, str) else str(value)
    choices = dict(getattr(field, "flatchoices", None) or ())
    if choices and value in choices:
        return str(choices[value])
    if choices and isinstance(value, str):
        # Rows written before choices were stored by code hold the Chinese label.
        with translation.override(settings.LANGUAGE_CODE):
            codes = {str(label): code for code, label in choices.items()}
        if value in codes:
            return str(choices[codes[value]])
    return str(value)


def _field(model: Any, key: str) -> Any:
    try:
        return model._meta.get_field(key) if model is not None else None
    except Exception:  # a field that no longer exists, or a key that never was one
        return None


def _field_label(model: Any, key: str) -> str:
    label = getattr(_field(model, key), "verbose_name", "")
    if label and str(label) != key.replace("_", " "):
        return str(label)
    return str(FIELD_LABELS.get(key) or label or key.replace("_", " "))


def change_rows(model: Any, changes: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(field label, before, after) in words, for a page or a spreadsheet."""
    rows = []
    for key, pair in changes.items():
        before, after = pair if isinstance(pair, list | tuple) and len(pair) == 2 else (None, pair)
        field = _field(model, key) or key
        rows.append((_field_label(model, key), shown_value(field, before), shown_value(field, after)))
    return rows


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
    """Field values of ``obj`` in a JSON-friendly form (foreign keys by their display name; a
    choice by its code, shown in the reader's language by :func:`change_rows`)."""
    return {name: _plain(getattr(obj, name)) for name in fields}


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
