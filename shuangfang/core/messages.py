"""System-made text (notification and incident titles, automatic hazard titles) is stored as a
message *key* and its *parameters*, and rendered in the reader's language when it is shown.

An app registers its templates next to the code that makes them::

    messages.register({"hazard.closed": gettext_lazy("Hazard %(number)s is closed")})

and stores ``messages.text("hazard.closed", number="YH-2026-0001")`` (a JSON-friendly dict) beside
the Chinese rendering that it keeps as the fallback (for rows written before the key existed, and
for a key that is no longer registered). A parameter may itself be translatable: a nested
``text(...)`` or ``label(kind, code)`` (a code list's label, e.g. an alarm type), rendered in the
same language as the message."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.conf import settings
from django.utils import translation

from .types import Label

MESSAGES: dict[str, Label] = {}
LABELS: dict[str, Callable[[str], Any]] = {}


def register(templates: Mapping[str, Label]) -> None:
    MESSAGES.update(templates)


def register_label(kind: str, fn: Callable[[str], Any]) -> None:
    """``fn(code)`` gives the label of a code in the active language (e.g. ``alarm_label``)."""
    LABELS[kind] = fn


def text(key: str, **params: Any) -> dict[str, Any]:
    """A stored message: ``{"key": …, "params": {…}}`` (params must be JSON values or nested
    ``text``/``label`` dicts)."""
    return {"key": key, "params": params}


def nested(message: Mapping[str, Any] | None, fallback: str) -> dict[str, Any] | str:
    """A stored title used as a parameter of another message, with its own fallback (an old row's
    title, or one whose key is gone, still reads)."""
    return {**message, "fallback": fallback} if message else fallback


def label(kind: str, code: str) -> dict[str, str]:
    return {"label": kind, "code": str(code)}


def _param(value: Any) -> Any:
    if isinstance(value, dict):
        if "label" in value and value["label"] in LABELS:
            return str(LABELS[value["label"]](value.get("code", "")))
        if "key" in value:
            return render(value, value.get("fallback", ""))
    return "" if value is None else value


def render(message: Mapping[str, Any] | None, fallback: str = "") -> str:
    """``message`` in the active language; ``fallback`` when it is empty or its key unknown."""
    if not message or message.get("key") not in MESSAGES:
        return fallback
    params = {k: _param(v) for k, v in (message.get("params") or {}).items()}
    try:
        return str(MESSAGES[message["key"]]) % params
    except (KeyError, TypeError, ValueError):
        return fallback


def default_language(message: Mapping[str, Any] | None, fallback: str = "") -> str:
    """The rendering in the site's default language (Chinese): the fallback stored with the key."""
    with translation.override(settings.LANGUAGE_CODE):
        return render(message, fallback)


def title_fields(key: str, **params: Any) -> dict[str, Any]:
    """``title`` (Chinese, the fallback) and ``title_msg`` for an event payload or a model."""
    message = text(key, **params)
    return {"title": default_language(message), "title_msg": message}
