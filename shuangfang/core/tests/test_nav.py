"""The menu is grouped and fits the role (issue 15): a cook's menu starts with what they do every
day, sections come in a fixed order, a page that is one of the person's home buttons is not repeated,
and every app's entries belong to a section."""

from __future__ import annotations

import re

import pytest
from django.utils import translation

from shuangfang.core import nav

pytestmark = pytest.mark.django_db


def _menu(client) -> list[tuple[str, str]]:
    """The dropdown's entries in order: ("group", heading) or ("link", label)."""
    html = client.get("/").content.decode()
    menu = html[html.index('<details class="dropdown">') : html.index("</details>")]
    found = re.findall(r'<li class="nav-group"[^>]*>([^<]+)</li>|<li><a href="[^"]+">([^<]+)</a></li>', menu)
    return [("group", g) if g else ("link", a) for g, a in found]


def test_every_entry_belongs_to_a_section():
    keys = {k for k, _label in nav.GROUPS}
    assert {nav.group_of(item) for item in nav.ITEMS.values()} <= keys


def test_a_cooks_menu_starts_with_their_daily_work(world, login):
    entries = _menu(login(world.users["staff"]))
    assert entries[0] == ("group", "我的工作")
    first_links = [label for kind, label in entries[1:4]]
    assert first_links == ["上报隐患", "我的隐患", "我的检查"]
    labels = [label for _kind, label in entries]
    if "组织机构" in labels:
        assert labels.index("组织机构") > labels.index("系统管理")
    # A page that is one of the cook's buttons is not listed twice.
    links = [label for kind, label in entries if kind == "link"]
    assert len(links) == len(set(links))


def test_an_officers_sections_come_in_order_and_empty_ones_are_left_out(world, login):
    officer = world.users["safety_officer"]
    with translation.override("zh-hans"):
        expected = [str(label) for label, _items in nav.grouped(officer)]
    headings = [label for kind, label in _menu(login(officer)) if kind == "group"]
    assert headings == expected
    order = [str(label) for _k, label in nav.GROUPS]
    assert headings == sorted(headings, key=order.index)
    assert "隐患排查治理" in headings and "风险分级管控" in headings
    cook = {str(label) for label, _items in nav.grouped(world.users["staff"])}
    assert "系统管理" not in cook or len(cook) < len(headings)


def test_the_menu_is_worked_out_once_per_set_of_roles(world, monkeypatch):
    """Every page shows the menu: it is kept per set of roles, not worked out per request."""
    from shuangfang.orgs.roles import Role
    from shuangfang.orgs.tests.factories import make_person

    officer, cook = world.users["safety_officer"], world.users["staff"]
    menu, cooks = nav.grouped(officer), nav.grouped(cook)
    monkeypatch.setattr(nav, "_MENUS", dict(nav._MENUS))  # what this test keeps stays here
    worked_out = []

    def _grouped(user):
        worked_out.append(user)
        return []

    monkeypatch.setattr(nav, "_grouped", _grouped)
    assert nav.grouped(officer) is menu
    twin = make_person(world.root, "twin_cook", world.dept_a, Role.STAFF)
    assert nav.grouped(twin) is cooks and nav.grouped(cook) is cooks
    assert worked_out == []


def test_a_changed_role_changes_the_menu_at_once(world, login):
    from shuangfang.orgs.models import Membership
    from shuangfang.orgs.roles import Role

    cook = world.users["staff"]
    client = login(cook)
    before = _menu(client)
    membership = Membership.objects.get(user=cook)
    membership.role = Role.SAFETY_OFFICER
    membership.save()
    after = _menu(client)
    assert after != before
    # The same entries as an officer's (the last one is the person's own name and account).
    assert after[:-1] == _menu(login(world.users["safety_officer"]))[:-1]


def test_the_kept_menu_reads_as_the_template_wrote_it(world):
    """base.html's menu loop, as it was before the menu's HTML was kept per set of roles."""
    from django.template import engines

    loop = engines["django"].from_string(
        '{% for label, items in nav_groups %}<li class="nav-group">{{ label }}</li>{% for item in items %}'
        '<li><a href="{{ item.url }}">{{ item.label }}</a></li>{% endfor %}{% endfor %}'
    )
    for who in ("staff", "safety_officer", "bureau_supervisor"):
        user = world.users[who]
        for language in ("zh-hans", "en"):
            with translation.override(language):
                assert nav.menu_html(user) == loop.render({"nav_groups": nav.grouped(user)}), (who, language)
                assert "<li" in nav.menu_html(user)
