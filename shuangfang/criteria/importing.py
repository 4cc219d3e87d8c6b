"""Reading a criteria file (JSON or Excel) into plain data, checked, before anything is saved.

Two JSON shapes are read: the documented import shape (docs/criteria.md: ``{"standards": [...]}``,
each standard with ``categories`` and their ``items``), and the research file shipped as the starting
data (``data/major-hazard-criteria.json``), which has the same ``standards`` plus
``related_standards`` (standards known to exist, text not obtained) and ``fire_standard`` (GB 35181's
direct elements). Whatever a standard carries besides the mapped keys (notice text, verification
notes, what is missing) is kept, as read, in ``notes``. Nothing is filled in: an item without text
is refused, a category without items stays empty with its ``missing`` note.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from shuangfang.core.uploads import check_size, open_workbook, sheet_rows

from .choices import INSTITUTION_TYPE_LABELS, StandardKind

CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,59}$")
ALL_TYPES = list(INSTITUTION_TYPE_LABELS)

# The research file's related standards name no institution type: the one each title is about.
RELATED_TYPES = {"rescue-mgmt": ["relief_station"], "mental-health-welfare": ["mental_health_welfare"]}

# Other names for an institution type seen in files (the research file says rescue_management).
TYPE_ALIASES = {"rescue_management": "relief_station", "relief": "relief_station"}

STANDARD_KEYS = {
    "code",
    "version",
    "title",
    "issuer",
    "date",
    "effective_from",
    "doc_number",
    "kind",
    "institution_types",
    "supersedes",
    "refines",
    "official_counts",
    "sources",
    "complete",
    "categories",
}


@dataclass
class ItemData:
    code: str
    number: str
    text: str
    truncated: bool = False
    verified_by: int | None = None
    sources: list[str] = field(default_factory=list)
    note: str = ""


@dataclass
class ArticleData:
    number: str
    title: str
    lead_in: str = ""
    complete: bool = False
    missing: str = ""
    items: list[ItemData] = field(default_factory=list)


@dataclass
class StandardData:
    code: str
    version: str
    title: str
    kind: str = StandardKind.MINISTRY
    issuer: str = ""
    doc_number: str = ""
    institution_types: list[str] = field(default_factory=list)
    issued_on: dt.date | None = None
    effective_from: dt.date | None = None
    supersedes: str = ""
    refines: str = ""
    complete: bool = False
    official_categories: int | None = None
    official_situations: int | None = None
    sources: list[str] = field(default_factory=list)
    notes: dict[str, Any] = field(default_factory=dict)
    articles: list[ArticleData] = field(default_factory=list)

    @property
    def items(self) -> list[ItemData]:
        return [i for a in self.articles for i in a.items]


def _bad(where: str, message: str) -> ValidationError:
    return ValidationError(_("%(where)s: %(message)s") % {"where": where, "message": message})


def _text(value: Any, where: str, name: str, *, required: bool = False, limit: int = 5000) -> str:
    if value is None:
        value = ""
    if not isinstance(value, (str, int, float)):
        raise _bad(where, _("“%(name)s” must be text.") % {"name": name})
    text = str(value).strip()
    if required and not text:
        raise _bad(where, _("“%(name)s” is missing.") % {"name": name})
    if len(text) > limit or "\x00" in text:
        raise _bad(where, _("“%(name)s” is too long or holds characters that are not text.") % {"name": name})
    return text


def _date(value: Any, where: str, name: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise _bad(where, _("“%(name)s” is not a date (YYYY-MM-DD).") % {"name": name}) from None


def _bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "是", "y")
    return bool(value)


def _int(value: Any, where: str, name: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise _bad(where, _("“%(name)s” must be a whole number.") % {"name": name}) from None
    if number < 0 or number > 10_000:
        raise _bad(where, _("“%(name)s” must be a whole number.") % {"name": name})
    return number


def _list(value: Any, where: str, name: str) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        value = [v for v in re.split(r"[\n,，]+", value) if v.strip()]
    if not isinstance(value, list):
        raise _bad(where, _("“%(name)s” must be a list.") % {"name": name})
    return [_text(v, where, name, required=True, limit=500) for v in value]


def _item(raw: Any, where: str) -> ItemData:
    if not isinstance(raw, dict):
        raise _bad(where, _("an item must be an object."))
    code = _text(raw.get("code"), where, "code", required=True, limit=60)
    if not CODE_RE.match(code):
        raise _bad(where, _("the code “%(code)s” may hold only letters, digits, . _ and -.") % {"code": code})
    where = f"{where} {code}"
    return ItemData(
        code=code,
        number=_text(raw.get("number"), where, "number", limit=20),
        text=_text(raw.get("text"), where, "text", required=True),
        truncated=_bool(raw.get("truncated", False)),
        verified_by=_int(raw.get("verified_by"), where, "verified_by"),
        sources=_list(raw.get("sources"), where, "sources"),
        note=_text(raw.get("note"), where, "note"),
    )


def _article(raw: Any, where: str, order: int) -> ArticleData:
    if not isinstance(raw, dict):
        raise _bad(where, _("a category must be an object."))
    title = _text(raw.get("title"), where, "title", required=True, limit=200)
    where = f"{where} {raw.get('article') or order}"
    items = raw.get("items") or []
    if not isinstance(items, list):
        raise _bad(where, _("“%(name)s” must be a list.") % {"name": "items"})
    return ArticleData(
        number=_text(raw.get("article"), where, "article", limit=30),
        title=title,
        lead_in=_text(raw.get("lead_in"), where, "lead_in"),
        complete=_bool(raw.get("complete", False)),
        missing=_text(raw.get("missing"), where, "missing"),
        items=[_item(i, f"{where} #{n + 1}") for n, i in enumerate(items)],
    )


def _notes(raw: dict[str, Any]) -> dict[str, Any]:
    """Everything the standard carries besides the mapped keys, as read (texts and short lists)."""
    return {k: v for k, v in raw.items() if k not in STANDARD_KEYS and v not in (None, "", [], {})}


def standard_from_dict(raw: Any, where: str = "") -> StandardData:
    if not isinstance(raw, dict):
        raise _bad(where or _("file"), _("a standard must be an object."))
    code = _text(raw.get("code"), where or _("standard"), "code", required=True, limit=60)
    where = f"{where} {code}".strip()
    if not CODE_RE.match(code):
        raise _bad(where, _("the code “%(code)s” may hold only letters, digits, . _ and -.") % {"code": code})
    issued = _date(raw.get("date"), where, "date")
    version = _text(raw.get("version"), where, "version", limit=30) or (issued.isoformat() if issued else "")
    if not version:
        raise _bad(where, _("give a version or a date."))
    kind = _text(raw.get("kind"), where, "kind", limit=12) or StandardKind.MINISTRY
    if kind not in StandardKind.values:
        raise _bad(where, _("unknown kind “%(kind)s”.") % {"kind": kind})
    types = [TYPE_ALIASES.get(t, t) for t in _list(raw.get("institution_types"), where, "institution_types")]
    unknown = [t for t in types if t not in INSTITUTION_TYPE_LABELS]
    if unknown:
        raise _bad(where, _("unknown institution type: %(t)s.") % {"t": ", ".join(unknown)})
    counts = raw.get("official_counts") or {}
    if not isinstance(counts, dict):
        raise _bad(where, _("“%(name)s” must be an object.") % {"name": "official_counts"})
    categories = raw.get("categories") or []
    if not isinstance(categories, list):
        raise _bad(where, _("“%(name)s” must be a list.") % {"name": "categories"})
    data = StandardData(
        code=code,
        version=version,
        title=_text(raw.get("title"), where, "title", required=True, limit=200),
        kind=kind,
        issuer=_text(raw.get("issuer"), where, "issuer", limit=200),
        doc_number=_text(raw.get("doc_number"), where, "doc_number", limit=60),
        institution_types=types,
        issued_on=issued,
        effective_from=_date(raw.get("effective_from"), where, "effective_from"),
        supersedes=_text(raw.get("supersedes"), where, "supersedes", limit=100),
        refines=_text(raw.get("refines"), where, "refines", limit=100),
        official_categories=_int(counts.get("categories"), where, "official_counts.categories"),
        official_situations=_int(counts.get("situations"), where, "official_counts.situations"),
        sources=_list(raw.get("sources"), where, "sources"),
        notes=_notes(raw),
        articles=[_article(c, where, n + 1) for n, c in enumerate(categories)],
    )
    data.complete = _complete(raw, data)
    codes = [i.code for i in data.items]
    dupes = sorted({c for c in codes if codes.count(c) > 1})
    if dupes:
        raise _bad(where, _("these codes appear twice: %(c)s.") % {"c": ", ".join(dupes)})
    return data


def _complete(raw: dict[str, Any], data: StandardData) -> bool:
    """Complete only when the file says so, every category is complete, no item is cut off, and the
    count of situations (when the official count is known) is reached."""
    if "complete" in raw and not _bool(raw["complete"]):
        return False
    if not data.articles or any(not a.complete for a in data.articles):
        return False
    if any(i.truncated for i in data.items):
        return False
    return data.official_situations is None or len(data.items) >= data.official_situations


def _fire(raw: dict[str, Any]) -> dict[str, Any]:
    """GB 35181's direct elements as one category; its items' codes are the standard's code and
    the clause number (GB35181-2017-6.1)."""
    items = [
        {
            "code": f"{raw.get('code')}-{e.get('clause')}",
            "number": e.get("clause"),
            "text": e.get("text"),
            "verified_by": e.get("verified_by"),
            "note": e.get("note", ""),
            "sources": raw.get("sources", []),
        }
        for e in raw.get("direct_elements") or []
    ]
    rest = {k: v for k, v in raw.items() if k not in ("direct_elements",)}
    return {
        **rest,
        "kind": StandardKind.NATIONAL,
        "version": rest.get("version") or str(raw.get("code", "")).rsplit("-", 1)[-1],
        "institution_types": rest.get("institution_types") or ALL_TYPES,
        "complete": False,
        # Whether the file holds every direct element is not stated: not marked complete.
        "categories": [
            {
                "article": raw.get("direct_elements_article", ""),
                "title": raw.get("direct_elements_article", "") or "direct elements",
                "items": items,
            },
            {
                "article": raw.get("composite_elements_article", ""),
                "title": raw.get("composite_elements_article", "") or "composite elements",
                "missing": raw.get("composite_missing", ""),
                "items": [],
            },
        ],
    }


def _related(raw: dict[str, Any]) -> dict[str, Any]:
    """A standard known to exist whose text was not obtained: no categories, notes as read."""
    out = {**raw, "complete": False}
    out.setdefault("institution_types", RELATED_TYPES.get(str(raw.get("code")), []))
    if not out.get("date") and not out.get("version"):
        out["version"] = "undated"
    return out


def parse_json(content: bytes | str) -> list[StandardData]:
    try:
        doc = json.loads(content)
    except (ValueError, UnicodeDecodeError):
        raise ValidationError(_("The file is not valid JSON.")) from None
    if not isinstance(doc, dict) or not isinstance(doc.get("standards", []), list):
        raise ValidationError(_("The file has no “standards” list (see docs/criteria.md)."))
    raws = list(doc.get("standards") or [])
    raws += [_related(r) for r in doc.get("related_standards") or [] if isinstance(r, dict)]
    if isinstance(doc.get("fire_standard"), dict):
        raws.append(_fire(doc["fire_standard"]))
    if not raws:
        raise ValidationError(_("The file holds no standard."))
    out = [standard_from_dict(r, f"#{n + 1}") for n, r in enumerate(raws)]
    keys = [(s.code, s.version) for s in out]
    if len(set(keys)) != len(keys):
        raise ValidationError(_("The file holds the same standard and version twice."))
    return out


# --- Excel ---------------------------------------------------------------------------------------

ITEM_COLUMNS = ["article", "category", "lead_in", "category_complete", "missing", "code", "number", "text",
                "truncated", "sources", "note"]  # fmt: skip


def parse_workbook(upload) -> list[StandardData]:
    """Sheet ``standard``: one field and its value per row; sheet ``items``: one situation per row
    (a row without a code is a category whose items are missing). docs/criteria.md has the shape."""
    wb = open_workbook(upload)
    if "standard" not in wb.sheetnames or "items" not in wb.sheetnames:
        raise ValidationError(
            _("The workbook needs the sheets “standard” and “items” (see docs/criteria.md).")
        )
    raw: dict[str, Any] = {}
    for _n, row in sheet_rows(wb["standard"]):
        if row and row[0] not in (None, ""):
            raw[str(row[0]).strip()] = row[1] if len(row) > 1 else None
    counts = {k: raw.pop(f"official_{k}", None) for k in ("categories", "situations")}
    raw["official_counts"] = counts
    articles: dict[tuple[str, str], dict[str, Any]] = {}
    header: list[str] = []
    for n, row in sheet_rows(wb["items"]):
        values = ["" if v is None else v for v in row]
        if not header:
            header = [str(v).strip() for v in values]
            missing = [c for c in ("article", "category", "code", "text") if c not in header]
            if missing:
                raise ValidationError(
                    _("The sheet “items” lacks the columns: %(c)s.") % {"c": ", ".join(missing)}
                )
            continue
        cell = dict(zip(header, values, strict=False))
        if not any(str(v).strip() for v in values):
            continue
        key = (str(cell.get("article", "")).strip(), str(cell.get("category", "")).strip())
        article = articles.setdefault(
            key,
            {
                "article": key[0],
                "title": key[1],
                "lead_in": cell.get("lead_in", ""),
                "complete": cell.get("category_complete", ""),
                "missing": cell.get("missing", ""),
                "items": [],
            },
        )
        if str(cell.get("code", "")).strip():
            article["items"].append({**{k: cell.get(k) for k in ITEM_COLUMNS[5:]}, "row": n})
    for article in articles.values():
        for item in article["items"]:
            item.pop("row")
    raw["categories"] = list(articles.values())
    return [standard_from_dict(raw, _("workbook"))]


def parse_upload(upload) -> list[StandardData]:
    """A .json or .xlsx upload: refused with the reason when it is neither, too big or malformed."""
    check_size(upload)
    name = (getattr(upload, "name", "") or "").lower()
    if name.endswith(".json"):
        return parse_json(upload.read())
    if name.endswith(".xlsx"):
        return parse_workbook(upload)
    raise ValidationError(_("Upload a .json or .xlsx file in the shape of docs/criteria.md."))
