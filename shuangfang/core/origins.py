"""Where a system-made record came from, in words and as a link: a hazard's ``origin`` key
(``alarm:<uuid>``, ``device:<uuid>``, ``inspection-item:<uuid>``) is a code for machines; people see
"Sensor alarm" linking to the alarm. The app that owns the kind of origin registers it (the hazards
app imports none of them)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .types import Label


@dataclass(frozen=True)
class Origin:
    label: str
    url: str = ""


# prefix → (label, or label of the rest of the key; url of the rest of the key, or "")
RESOLVERS: dict[str, tuple[Label | Callable[[str], str], Callable[[str], str]]] = {}


def register(prefix: str, label: Label | Callable[[str], str], url: Callable[[str], str]) -> None:
    RESOLVERS[prefix] = (label, url)


def resolve(key: str) -> Origin | None:
    """The origin in words with its link; None for a key nobody registered (it is not shown)."""
    prefix, _sep, rest = (key or "").partition(":")
    found = RESOLVERS.get(prefix)
    if found is None:
        return None
    label, url = found
    ref = rest.split(":", 1)[0]
    try:
        link = url(ref)
    except Exception:  # a malformed key, or its record is gone: the words without the link
        link = ""
    return Origin(str(label(ref) if callable(label) else label), link)


# The other way round: what was made from a record's origin keys (a hazard filed for an inspection
# item). Each app that files records under others' keys registers one function: (keys, user) →
# {key: [Origin, …]} with what the user may open, in one query. The record's app imports none of them.
MadeFrom = Callable[[list[str], object], dict[str, list[Origin]]]
MADE_FROM: list[MadeFrom] = []


def register_made_from(fn: MadeFrom) -> None:
    if fn not in MADE_FROM:
        MADE_FROM.append(fn)


def made_from(keys: list[str], user: object) -> dict[str, list[Origin]]:
    """For each key, the records made from it that ``user`` may see, in words with their links."""
    found: dict[str, list[Origin]] = {}
    if not keys:
        return found
    for fn in MADE_FROM:
        for key, made in fn(keys, user).items():
            found.setdefault(key, []).extend(made)
    return found
