"""Search-as-you-type filter choosers (core.choosers, issue 16): matches come only from the
person's own scope, the chosen row comes first, and a wrong list name is a 404."""

from shuangfang.core import choosers


def _options(client, **params) -> str:
    r = client.get("/choose/", params)
    assert r.status_code == 200, r.status_code
    return r.content.decode()


def test_a_bureau_finds_institutions_by_name(world, login):
    client = login(world.users["bureau_supervisor"])
    body = _options(client, list="hazards.institution", q=world.inst_b.name[-3:])
    assert world.inst_b.name in body and world.inst_a.name not in body
    assert "找到 1 个，请选择" in body
    assert world.dept_a.name not in _options(client, list="hazards.institution", q="")
    assert world.dept_a.name in _options(client, list="hazards.department", q="")


def test_matches_never_leave_the_persons_scope(world, login):
    client = login(world.users["outsider"])  # the head of institution B
    body = _options(client, list="hazards.institution", q=world.inst_a.name)
    assert world.inst_a.name not in body
    assert "没有" in body or "Nothing" in body
    # Naming A's row as the chosen one does not reveal it either.
    body = _options(
        client, list="hazards.institution", field="organization", organization=str(world.inst_a.pk)
    )
    assert world.inst_a.name not in body


def test_the_chosen_row_comes_first_and_stays_selected(world, login):
    client = login(world.users["bureau_supervisor"])
    body = _options(
        client, list="hazards.institution", field="organization", organization=str(world.inst_b.pk), q="zz"
    )
    assert f'<option value="{world.inst_b.pk}" selected>' in body


def test_an_unknown_list_is_404_and_no_list_is_empty(world, login):
    client = login(world.users["staff"])
    assert client.get("/choose/", {"list": "nope"}).status_code == 404
    assert client.get("/choose/").content == b""


def test_suggestions_are_bounded(world, login, monkeypatch):
    monkeypatch.setattr(choosers, "SUGGESTIONS", 1)
    body = _options(login(world.users["bureau_supervisor"]), list="hazards.institution")
    assert body.count("<option value=") == 2  # the empty choice and one match


def test_wide_scope_follows_the_memberships(world):
    assert choosers.wide_scope(world.users["bureau_supervisor"], "hazard.view")
    assert choosers.wide_scope(world.users["admin"], "hazard.view")
    assert not choosers.wide_scope(world.users["safety_officer"], "hazard.view")
    assert not choosers.wide_scope(world.users["department_head"], "hazard.view")
    assert not choosers.wide_scope(world.users["staff"], "hazard.view")
