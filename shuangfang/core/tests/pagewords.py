"""Crawl the demo's pages as its people, in both languages, and find words that are not words: raw
Python values, UUIDs, code names, system text in the other language.

The crawler follows every link of the navigation and of the pages it reaches (GET only, same site),
a few pages per URL shape (``/hazards/<uuid>/`` counts once however many hazards there are)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit

import polib
from django.db import models
from django.test import Client

from shuangfang.core.i18n import app_dirs, catalogue

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)
UUID_SHAPE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\d+", re.I)
CJK = re.compile(r"[\u3400-\u9fff\uff0c\uff1a\uff1b\uff08\uff09\u3001\u3002]")
CJK_RUN = re.compile(r"[\u3400-\u9fff]{3,}")
# Code names that must never reach a reader: audit/event codes, origins, Python reprs.
CODES = re.compile(
    r"\{'|\b(?:hazard|alarm|device|incident|task|plan|risk|duty|report|inspection|org|assessment)\.[a-z_]+\b"
    r"|\bcontrol_measure\b|\binspection-item:|\balarm:|\bobject \(\d+\)"
    r"|^(?:None|True|False)$|(?:→ |: )(?:None|True|False)\b|\b(?:None|True|False) →"
)
# A node that is only an address (a QR code's link printed under it) is not a word.
ADDRESS = re.compile(r"^(?:https?://\S+|/\S*)$")
# snake_case identifiers (``safety_officer``, ``residual_current_ma``) are code, in any language.
SNAKE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")
# English words allowed in the Chinese UI: names of things that are written in Latin letters in
# Chinese too (units, formats, protocols, product names).
LATIN_OK = {
    "shuangfang",
    "english",
    "excel",
    "xlsx",
    "pdf",
    "qr",
    "sms",
    "api",
    "mqtt",
    "http",
    "https",
    "url",
    "ups",
    "lec",
    "ls",
    "mes",
    "lcd",
    "id",
    "ip",
    "wifi",
    "gb",
    "mz",
    "jgj",
    "ga",
    "dl",
    "ma",
    "kw",
    "kwh",
    "ppm",
    "lel",
    "hz",
    "co",
    "no",
    "ok",
    "email",
    "e-mail",
    "webhook",
    "csv",
    "json",
    "wecom",
    "dingtalk",
    "feishu",
    "lorawan",
    "nb-iot",
    "nb",
    "iot",
    "rs",
    "modbus",
    "tcp",
    "udp",
    "gps",
    "admin",
    "dysmsapi",
    "dyvmsapi",
    "vs",
    "min",
    "max",
    "avg",
    "xml",
    "html",
    "png",
    "jpg",
    "jpeg",
    "ppe",
    "led",
    "app",
    "ac",
    "dc",
}
# A word: letters only, not an acronym or a code (``FX-0001``, ``DEMO-EL-01``, ``LEC``).
LATIN_WORD = re.compile(r"(?<![\w\-/.])[A-Za-z][a-z]{2,}(?![\w\-/.])")

# Not words of the page: scripts, and code shown as code (a sample payload, a request header, an
# MQTT topic) or text people typed into a form field.
SKIP_TAGS = ("script", "style", "template", "noscript", "code", "pre", "kbd", "samp", "textarea")
TEXT_FIELDS = (models.CharField, models.TextField)
SKIP_PATHS = ("/static/", "/media/", "/accounts/logout", "/logout", "/i18n/", "/admin/", "/api/")


# Void elements never close: they cannot open a stretch of recorded text.
VOID_TAGS = ("area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr")


class _Text(HTMLParser):
    """Visible text nodes of a page (no scripts, styles or hidden templates).

    Text inside an element marked ``data-recorded`` (notes and sources shown as they were recorded,
    in the language of their source) or with its own ``lang`` (a Chinese term quoted in the English
    UI) goes to ``recorded``: it is still checked for codes, but not for the page's language."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.nodes: list[str] = []
        self.recorded: list[str] = []
        self.links: list[str] = []
        self._skip = 0
        self._quote: list[list] = []  # [tag, open elements of that tag] of each recorded stretch

    def handle_starttag(self, tag, attrs):
        if tag in SKIP_TAGS:
            self._skip += 1
        if self._quote and self._quote[-1][0] == tag:
            self._quote[-1][1] += 1
        elif tag not in VOID_TAGS and any(name in ("lang", "data-recorded") for name, _ in attrs):
            self._quote.append([tag, 1])
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.links.append(href)

    def handle_endtag(self, tag):
        if tag in SKIP_TAGS and self._skip:
            self._skip -= 1
        if self._quote and self._quote[-1][0] == tag:
            self._quote[-1][1] -= 1
            if not self._quote[-1][1]:
                self._quote.pop()

    def handle_data(self, data):
        if not self._skip and data.strip():
            (self.recorded if self._quote else self.nodes).append(" ".join(data.split()))


@dataclass
class Finding:
    lang: str
    user: str
    path: str
    kind: str
    text: str

    def __str__(self) -> str:
        return f"[{self.lang} {self.user}] {self.path}: {self.kind}: {self.text[:160]}"


@dataclass
class Crawl:
    pages: dict[str, int] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)


def system_chinese() -> list[str]:
    """Chinese fragments of the catalogues (three CJK characters or more, placeholders cut out)."""
    fragments: set[str] = set()
    for app in app_dirs():
        path = catalogue(app)
        if not Path(path).exists():
            continue
        for entry in polib.pofile(str(path)):
            texts = [entry.msgstr, *entry.msgstr_plural.values()]
            for text in texts:
                fragments.update(CJK_RUN.findall(re.sub(r"%\(\w+\)[sd]|\{[^}]*\}|%[sd]", " ", text)))
    return sorted(fragments, key=len, reverse=True)


def stored_latin(seeded: Iterable[str] = ()) -> set[str]:
    """Latin words of texts people typed (names, descriptions, user names): theirs, in any UI.
    Single code-like tokens (``library``, ``control_measure``) and the tables named in ``seeded``
    (``app_label.Model``: seeded lists, whose words are system words) do not count."""
    from django.apps import apps

    words: set[str] = set()
    for model in apps.get_models():
        if not model.__module__.startswith("shuangfang.") or model._meta.label in set(seeded):
            continue
        fields = [f.name for f in model._meta.concrete_fields if isinstance(f, TEXT_FIELDS)]
        for row in model._default_manager.values_list(*fields) if fields else []:
            for value in row:
                if value and (" " in value or CJK.search(value) or model._meta.model_name == "user"):
                    words.update(w.lower() for w in LATIN_WORD.findall(value))
    return words


def stored_chinese(seeded: Iterable[str] = ()) -> str:
    """Every text stored in the database, one per line: Chinese that people typed (names, places,
    descriptions) is theirs to show in any language."""
    from django.apps import apps

    texts: list[str] = []
    for model in apps.get_models():
        if not model.__module__.startswith("shuangfang.") or model._meta.label in set(seeded):
            continue
        fields = [f.name for f in model._meta.concrete_fields if isinstance(f, TEXT_FIELDS)]
        if fields:
            for row in model._default_manager.values_list(*fields):
                texts.extend(v for v in row if v and CJK.search(v))
    return "\n".join(texts)


def _shape(path: str) -> str:
    return UUID_SHAPE.sub("~", path)


def check_text(
    nodes: Iterable[str],
    lang: str,
    *,
    data_words: set[str],
    system_zh: list[str],
    stored: str = "",
    recorded: bool = False,
) -> list[tuple[str, str]]:
    """(kind, text) for every suspicious visible text node of one page; ``recorded`` nodes (text
    shown as it was recorded) are checked for codes only."""
    found: list[tuple[str, str]] = []
    for node in nodes:
        if ADDRESS.match(node):
            continue
        if UUID.search(node):
            found.append(("uuid", node))
        if CODES.search(node):
            found.append(("code", node))
        if SNAKE.search(node):
            found.append(("snake_case", node))
        if recorded:
            continue
        if lang == "zh-hans":
            words = {w.lower() for w in LATIN_WORD.findall(node)} - LATIN_OK - data_words
            if words and (CJK.search(node) or len(node) < 40):
                found.append(("english", node))
        if lang == "en" and CJK.search(node):
            leaked = [f for f in system_zh if f in node and f not in stored]
            if leaked:
                found.append(("chinese", node))
    return found


def crawl(
    client: Client,
    *,
    user: str,
    lang: str,
    start: Iterable[str],
    data_words: set[str],
    system_zh: list[str],
    stored: str = "",
    per_shape: int = 2,
    limit: int = 400,
) -> Crawl:
    out = Crawl()
    client.cookies["django_language"] = lang
    queue = list(dict.fromkeys(start))
    seen_shapes: dict[str, int] = {}
    while queue and len(out.pages) < limit:
        url = queue.pop(0)
        if url in out.pages:
            continue
        out.pages[url] = 0
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=lang)
        out.pages[url] = response.status_code
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        parser = _Text()
        parser.feed(response.content.decode())
        for nodes, recorded in ((parser.nodes, False), (parser.recorded, True)):
            for kind, text in check_text(
                nodes, lang, data_words=data_words, system_zh=system_zh, stored=stored, recorded=recorded
            ):
                out.findings.append(Finding(lang, user, url, kind, text))
        for href in parser.links:
            href, _frag = urldefrag(urljoin(url, href))
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or not parts.path.startswith("/") or parts.query:
                continue
            if parts.path.startswith(SKIP_PATHS) or parts.path.endswith((".pdf", ".xlsx", ".png", ".svg")):
                continue
            shape = _shape(parts.path)
            if parts.path in out.pages or seen_shapes.get(shape, 0) >= per_shape:
                continue
            seen_shapes[shape] = seen_shapes.get(shape, 0) + 1
            queue.append(parts.path)
    return out
