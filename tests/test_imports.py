"""No import circles between apps. Every module of every domain app is parsed with ``ast`` (imports
at module level and inside functions alike; ``if TYPE_CHECKING:`` blocks are left out, they are never
run) and an edge ``a → b`` is drawn when a module of app ``a`` imports app ``b``. Tests and
migrations are left out: tests may reach any app's factories, and migrations follow the models.
A strongly connected group of two or more apps fails the test, unless it is allowed below."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

PACKAGE = "shuangfang"
PACKAGE_DIR = Path(__file__).resolve().parent.parent / PACKAGE
APPS = sorted(p.name for p in PACKAGE_DIR.iterdir() if (p / "apps.py").is_file())

# Cycles that exist on purpose, each with the reason. Keep this empty if at all possible.
# None today: a cycle that cannot be avoided is added here with the reason.
ALLOWED_CYCLES: set[frozenset[str]] = set()


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imported(tree: ast.AST) -> list[tuple[str, int]]:
    """Absolute module names imported anywhere in ``tree`` (``from x import y`` gives ``x`` and
    ``x.y``), with their line, except under ``if TYPE_CHECKING:``."""
    out: list[tuple[str, int]] = []
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and _is_type_checking(node):
            stack.extend(node.orelse)
            continue
        if isinstance(node, ast.Import):
            out += [(a.name, node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            out.append((node.module, node.lineno))
            out += [(f"{node.module}.{a.name}", node.lineno) for a in node.names]
        stack.extend(ast.iter_child_nodes(node))
    return out


def app_graph() -> dict[str, dict[str, list[str]]]:
    """``graph[a][b]``: where app ``a`` imports app ``b`` (``path:line``)."""
    graph: dict[str, dict[str, list[str]]] = {a: defaultdict(list) for a in APPS}
    for app in APPS:
        for path in sorted((PACKAGE_DIR / app).rglob("*.py")):
            rel = path.relative_to(PACKAGE_DIR)
            if "tests" in rel.parts or "migrations" in rel.parts:
                continue
            for module, line in _imported(ast.parse(path.read_text(), str(path))):
                parts = module.split(".")
                if parts[0] == PACKAGE and len(parts) > 1 and parts[1] in APPS and parts[1] != app:
                    graph[app][parts[1]].append(f"{rel}:{line}")
    return graph


def cycles(graph: dict[str, dict[str, list[str]]]) -> list[frozenset[str]]:
    """The strongly connected groups of two or more apps (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[frozenset[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.add(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(frozenset(group))

    for v in graph:
        if v not in index:
            visit(v)
    return found


def test_the_checker_finds_a_cycle():
    graph = {"a": {"b": ["a/x.py:1"]}, "b": {"c": ["b/y.py:1"]}, "c": {"a": ["c/z.py:1"]}, "d": {}}
    assert cycles(graph) == [frozenset({"a", "b", "c"})]
    tree = ast.parse(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import shuangfang.orgs\n"
        "def f():\n    from shuangfang.hazards import models\n"
    )
    assert sorted(m for m, _line in _imported(tree)) == [
        "shuangfang.hazards",
        "shuangfang.hazards.models",
        "typing",
        "typing.TYPE_CHECKING",
    ]


def test_no_import_cycle_between_apps():
    graph = app_graph()
    problems = []
    for group in cycles(graph):
        if group in ALLOWED_CYCLES:
            continue
        where = [
            f"{a} → {b}: {', '.join(graph[a][b][:3])}"
            for a in sorted(group)
            for b in sorted(group)
            if b in graph[a]
        ]
        problems.append(f"{' ↔ '.join(sorted(group))}\n    " + "\n    ".join(where))
    assert not problems, "import cycles between apps:\n" + "\n".join(problems)


def test_allowed_cycles_still_exist():
    """An allowed cycle that is gone must leave the list, so the list never hides a new one."""
    assert not ALLOWED_CYCLES - set(cycles(app_graph()))
