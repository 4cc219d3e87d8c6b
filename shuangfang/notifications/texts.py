"""Message texts: ``MessageTemplate`` rows per event kind and channel (seeded in Chinese)."""

from __future__ import annotations

import fnmatch
import string
import time

from shuangfang.core.seedtext import pick

from .models import MessageTemplate

_CACHE: dict[str, object] = {"at": 0.0, "rows": []}
TTL_SECONDS = 30.0


def _rows() -> list[MessageTemplate]:
    if time.monotonic() - float(_CACHE["at"]) > TTL_SECONDS:  # type: ignore[arg-type]
        _CACHE["rows"] = list(MessageTemplate.objects.all())
        _CACHE["at"] = time.monotonic()
    return _CACHE["rows"]  # type: ignore[return-value]


def forget() -> None:
    _CACHE["at"] = 0.0


def _specificity(pattern: str) -> tuple[int, int]:
    return (0 if "*" in pattern else 1, len(pattern.replace("*", "")))


def find(kind: str, channel: str) -> MessageTemplate | None:
    matches = [t for t in _rows() if t.channel == channel and fnmatch.fnmatchcase(kind, t.kind)]
    return max(matches, key=lambda t: _specificity(t.kind)) if matches else None


def render(kind: str, channel: str, context: dict[str, str]) -> tuple[str, str]:
    """(subject, text) for ``kind`` on ``channel`` in the active language (the English text when the
    reader reads English and the template has one); the bare title when no template exists."""
    tpl = find(kind, channel) or find(kind, "inbox")
    if tpl is None:
        return context.get("title", ""), context.get("title", "")
    return (
        string.Template(pick(tpl, "subject")).safe_substitute(context),
        string.Template(pick(tpl, "body")).safe_substitute(context),
    )
