"""A list page's rows are formatted in Python (issue 16), escaped exactly as the template engine
escaped each cell: hostile text, labels and links come out as text, a safe string as it is."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from django.template import engines
from django.test import RequestFactory
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

from shuangfang.core.listing import Column, ListPage, display

# What core/_table.html did per cell before the rows were formatted in Python.
CELL = engines["django"].from_string(
    '{% for cell in cells %}<td data-label="{{ cell.label }}">{% if cell.href %}<a href="{{ cell.href }}">'
    "{{ cell.text }}</a>{% else %}{{ cell.text }}{% endif %}</td>{% endfor %}"
)
HOSTILE = ['<script>alert("x")</script>', "a & b", "'quoted' \"twice\"", "", "普通文字 <b>"]


def _page(columns: list[Column]) -> ListPage:
    return ListPage(RequestFactory().get("/"), [], columns=columns, template="core/_table.html")


def test_rows_are_escaped_as_the_template_escaped_each_cell():
    when = timezone.make_aware(dt.datetime(2026, 3, 4, 5, 6))
    objects = [
        SimpleNamespace(text=t, href=f"/x/?a={t}&b=1" if t else "", n=i, when=when, flag=i % 2 == 0)
        for i, t in enumerate(HOSTILE)
    ] + [SimpleNamespace(text=mark_safe("<em>safe</em>"), href="/y/", n=None, when=None, flag=None)]
    columns = [
        Column('<label "one">', lambda o: o.text, link=lambda o: o.href),
        Column("n & m", lambda o: o.n),
        Column("when", lambda o: o.when),
        Column("flag", lambda o: o.flag),
    ]
    with translation.override("zh-hans"):
        rows = _page(columns).rows(objects)
        for obj, row in zip(objects, rows, strict=True):
            cells = [
                {"label": c.label, "text": display(c.value(obj)), "href": c.link(obj) if c.link else None}
                for c in columns
            ]
            assert row == f"<tr>{CELL.render({'cells': cells})}</tr>"
    assert "<script>" not in "".join(rows) and "&lt;script&gt;" in rows[0]
    assert "<em>safe</em>" in rows[-1]


def test_a_date_reads_as_django_localises_it_in_each_language():
    from django.utils.formats import localize

    day = dt.date(2026, 3, 4)
    for language in ("zh-hans", "en", "zh-hans"):
        with translation.override(language):
            assert display(day) == str(localize(day))
    with translation.override("zh-hans"):
        chinese = display(day)
    with translation.override("en"):
        assert display(day) != chinese
