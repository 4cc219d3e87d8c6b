"""Seeded lists (assessment methods, the checklist library, plan templates) carry an English
column beside the Chinese one (``name`` / ``name_en``, ``label`` / ``label_en``): a reader of the
English pages gets the English one. ``pick`` is the one place that chooses."""

from __future__ import annotations

from typing import Any

from django.utils import translation


def english() -> bool:
    return (translation.get_language() or "").startswith("en")


def pick(data: Any, key: str) -> str:
    """``data[key + "_en"]`` (or the attribute) for an English reader when it is filled in, else
    ``data[key]``."""
    get = data.get if isinstance(data, dict) else lambda k, d="": getattr(data, k, d)
    if english():
        value = get(f"{key}_en", "")
        if value:
            return str(value)
    return str(get(key, "") or "")
