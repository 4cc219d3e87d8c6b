"""Chinese text uses full-width punctuation: ，：；（）？！ not , : ; ( ) ? ! between Chinese words, in
every catalogue's translations and in the Chinese text of templates."""

from __future__ import annotations

import re
from pathlib import Path

import polib

from shuangfang.core.i18n import app_dirs, catalogue

HAN = r"[\u3400-\u9fff\u3001\u3002\uff08\uff09\uff0c\uff1a\uff1b《》]"
ASCII_NEXT_TO_HAN = re.compile(
    rf"(?<={HAN})[,:;?!]|[,:;]\s?(?={HAN})"  # a comma, colon, semicolon, ? or ! touching Chinese
    rf"|(?<={HAN})\(|\((?=[^()]*{HAN}[^()]*\))"  # a bracket after Chinese, or around Chinese
)
TAG = re.compile(r"\{%.*?%\}|\{\{.*?\}\}")
# A time written as hours:minutes keeps its colon: "时:分" is the format of 08:30.
ALLOWED = ("时:分", "[:秒]")  # a time as typed: the colon is what the person types


def _faults(text: str) -> bool:
    for allowed in ALLOWED:
        text = text.replace(allowed, "")
    return bool(ASCII_NEXT_TO_HAN.search(text))


def test_translations_use_full_width_punctuation():
    bad = []
    for app in app_dirs():
        path = catalogue(app)
        if not Path(path).exists():
            continue
        for entry in polib.pofile(str(path)):
            for text in (entry.msgstr, *entry.msgstr_plural.values()):
                if text and _faults(text):
                    bad.append(f"{app.name}: {entry.msgid[:50]!r} → {text}")
    assert not bad, "\n".join(bad)


def test_chinese_in_templates_uses_full_width_punctuation():
    bad = []
    for app in app_dirs():
        for template in sorted((app / "templates").rglob("*.html")):
            for number, line in enumerate(template.read_text().splitlines(), 1):
                if _faults(TAG.sub(" ", line)):  # the text, not the template's own code
                    bad.append(f"{template.relative_to(app.parent)}:{number}: {line.strip()[:120]}")
    assert not bad, "\n".join(bad)


def test_the_check_finds_ascii_punctuation():
    assert _faults("表格缺少列:%(columns)s") and _faults("登录已过期,请重新登录") and _faults("区(县)")
    assert _faults("忘记密码?请联系管理员")
    assert not _faults("表格缺少列：%(columns)s") and not _faults("GB 50116-2013 (v2)")
