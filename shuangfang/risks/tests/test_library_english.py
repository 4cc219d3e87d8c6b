"""The seeded starter library reads in English for an English reader: entry names, areas, factors,
measures and sources (issue 14, "seeded lists have English text")."""

import re

import pytest

from shuangfang.risks import library_data
from shuangfang.risks.models import LibraryEntry

pytestmark = pytest.mark.django_db
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
SECTION = re.compile(r'<section class="factor">(.*?)</section>', re.S)


def _sections(client, lang: str) -> list[str]:
    client.cookies["django_language"] = lang
    sections = []
    for itype in {t for *_x, types, _s, _f in library_data.ENTRIES for t in types}:
        page = client.get(f"/risks/library/?type={itype}", HTTP_ACCEPT_LANGUAGE=lang)
        assert page.status_code == 200
        sections += SECTION.findall(page.content.decode())
    return sections


def test_every_seeded_entry_has_english():
    national = LibraryEntry.objects.filter(organization__isnull=True)
    assert national.count() == len(library_data.rows())
    for entry in national:
        assert entry.name_en and entry.source_en and not CJK.search(entry.source_en)
        for f in entry.factors:
            assert f["description_en"] and f["consequence_en"]
            assert all(m["description_en"] and m["what_to_check_en"] for m in f["measures"])


def test_english_library_page_shows_no_chinese_from_the_seed(world, login):
    c = login(world.users["safety_officer"])
    english = _sections(c, "en")
    assert len(english) >= len(library_data.ENTRIES)
    leaks = [CJK.findall(s) for s in english if CJK.search(s)]
    assert not leaks, leaks[:3]
    assert any("Gas leak meeting an open flame" in s for s in english)
    chinese = _sections(c, "zh-hans")
    assert any("燃气泄漏遇明火" in s for s in chinese)
