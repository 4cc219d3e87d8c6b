"""Every page of the demo, as its people see it in Chinese and in English, shows words: no Python
value (``{'time': …}``, ``None``), no UUID, no code name (``hazard.report``, ``safety_officer``,
``residual_current_ma``, ``inspection-item:<uuid>``), no English system word in the Chinese UI and
no Chinese system text in the English UI (what people typed, e.g. the demo's place names, is
theirs and is shown as typed)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client

from shuangfang.core.nav import visible
from shuangfang.core.tests import pagewords
from shuangfang.orgs.demo import DEMO_PASSWORD
from shuangfang.orgs.models import User

# Who walks the pages: a safety officer, a cook, the head, a bureau supervisor and the administrator.
WALKERS = ["liuyang", "yangfan", "zhangwei", "lixiuying", "admin"]
# Seeded lists: their words are system words, to be shown in the reader's language.
SEEDED = [
    "inspections.LibraryItem",
    "inspections.PlanTemplate",
    "risks.LibraryEntry",
    "risks.AssessmentMethod",
    "monitoring.AlarmRule",
    "notifications.MessageTemplate",
]
# Pages left out, with the reason.
LEFT_OUT = {
    # The operators' page names events, consumers and origin keys by their code on purpose: that is
    # what the logs and the worker print, and what an operator searches for.
    "/ops/",
}


def _citations() -> list[str]:
    """Citations kept as recorded in domain-reference, in the language of their source (a standard's
    clause, a regulation's title, a web address): the methods' sources and boundary notes and the
    checklist library's bases. They are named here, not translated."""
    from shuangfang.inspections.models import LibraryItem
    from shuangfang.risks.models import AssessmentMethod

    texts = [t for m in AssessmentMethod.objects.all() for t in (m.source, m.boundary_rule)]
    texts += list(LibraryItem.objects.values_list("basis", flat=True))
    return [t for t in texts if t]


def _walk(lang: str) -> tuple[list[pagewords.Finding], int]:
    citations = _citations()
    system_zh = pagewords.system_chinese()
    stored = pagewords.stored_chinese(SEEDED)
    data_words = pagewords.stored_latin(SEEDED)
    findings: list[pagewords.Finding] = []
    pages = 0
    for username in WALKERS:
        user = User.objects.get(username=username)
        client = Client()
        if user.is_superuser:
            client.force_login(user)
        else:
            assert client.login(username=username, password=DEMO_PASSWORD)
        start = ["/"] + [i.url for i in visible(user)] + [i.url for i in visible(user, quick=True)]
        crawl = pagewords.crawl(
            client,
            user=username,
            lang=lang,
            start=start,
            data_words=data_words,
            system_zh=system_zh,
            stored=stored,
        )
        pages += sum(1 for status in crawl.pages.values() if status == 200)
        findings += [
            f
            for f in crawl.findings
            if not f.path.startswith(tuple(LEFT_OUT)) and not any(c in f.text for c in citations)
        ]
    return findings, pages


@pytest.fixture
def demo(db):
    with time_machine.travel(dt.datetime(2026, 11, 16, 9, 0, tzinfo=dt.UTC), tick=True):
        call_command("demo", stdout=open("/dev/null", "w"))  # noqa: SIM115 - closed with the process
        yield


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_demo_pages_show_words_not_codes(demo, lang):
    findings, pages = _walk(lang)
    assert pages > 150  # the walk reached the lists and the records behind them
    unique = sorted({(f.kind, f.path, f.text) for f in findings})
    assert not unique, "\n".join(f"{k}: {p}: {t[:140]}" for k, p, t in unique[:600])


def test_recorded_text_is_checked_for_codes_only():
    """Notes and sources shown as recorded (``data-recorded``) and terms quoted in their own
    language (``lang``) are not system text in the other language, but a code in them still is."""
    parser = pagewords._Text()
    parser.feed(
        "<p>Sources: <span data-recorded>1 个来源一致 <span>nested 例</span></span> after</p>"
        '<p lang="zh-Hans">第四条 重大事故隐患<br>续</p><dl data-recorded><dt><code>key_name</code></dt>'
        "<dd>note with snake_case</dd></dl><p>来源 again</p>"
    )
    assert parser.nodes == ["Sources:", "after", "来源 again"]
    recorded = ["1 个来源一致", "nested 例", "第四条 重大事故隐患", "续", "note with snake_case"]
    assert parser.recorded == recorded
    found = pagewords.check_text(
        parser.recorded, "en", data_words=set(), system_zh=["重大事故隐患"], recorded=True
    )
    assert found == [("snake_case", "note with snake_case")]
    # Outside the recorded stretches the language is checked as before.
    found = pagewords.check_text(parser.nodes, "en", data_words=set(), system_zh=["来源"])
    assert found == [("chinese", "来源 again")]
