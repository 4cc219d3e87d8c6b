"""The shape of the code: modules and functions stay small enough to read, and app dependencies stay
one-way."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "shuangfang"
MAX_LINES = 800

# Modules allowed over the limit, each with the reason.
DATA_ONLY: dict[str, str] = {
    # (none today: risks/library_data.py and inspections/seed.py are data and still under the limit)
}
NOT_YET_SPLIT: dict[str, str] = {
    # Code modules still to be split by job (issue "One durable flow between apps"); remove the
    # entry with the split. The test fails when an entry is no longer needed. (None today.)
}


def _modules() -> list[Path]:
    return [p for p in sorted(ROOT.rglob("*.py")) if "migrations" not in p.parts and "tests" not in p.parts]


def _lines(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


def test_no_module_over_800_lines():
    allowed = DATA_ONLY | NOT_YET_SPLIT
    too_long = {
        str(p.relative_to(ROOT)): n
        for p in _modules()
        if (n := _lines(p)) > MAX_LINES and str(p.relative_to(ROOT)) not in allowed
    }
    assert not too_long, f"split these modules by job (or list a data-only one with the reason): {too_long}"


def test_the_exceptions_are_still_needed():
    stale = [name for name in DATA_ONLY | NOT_YET_SPLIT if _lines(ROOT / name) <= MAX_LINES]
    assert not stale, f"no longer over {MAX_LINES} lines, remove from the exceptions: {stale}"


MAX_FUNCTION_LINES = 80
LONG_REASON = "# long:"


def _long_functions_without_reason() -> dict[str, int]:
    """Functions (def line to last line) over ``MAX_FUNCTION_LINES`` with no ``# long: <reason>``
    comment on the def line, on a decorator line or on the line above the first decorator/def."""
    out: dict[str, int] = {}
    for path in _modules():
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        for node in ast.walk(ast.parse(text)):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            n = (node.end_lineno or node.lineno) - node.lineno + 1
            if n <= MAX_FUNCTION_LINES:
                continue
            first = min([d.lineno for d in node.decorator_list] + [node.lineno])
            header = lines[first - 2 : node.lineno] if first >= 2 else lines[: node.lineno]
            if not any(LONG_REASON in line for line in header):
                out[f"{path.relative_to(ROOT)}:{node.lineno} {node.name}"] = n
    return out


def test_no_function_over_80_lines_without_a_reason():
    too_long = _long_functions_without_reason()
    hint = f"split these functions, or write '{LONG_REASON} <why it reads better as one>' above the def"
    assert not too_long, f"{hint}: {too_long}"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.add(node.module)
    return out


def test_duty_does_not_import_notifications():
    """Notifications asks duty who is on duty; duty reaches notifications only through its own
    registry (``duty.services.register_open_items``), so the dependency is one-way."""
    offenders = {
        str(p.relative_to(ROOT)): sorted(m for m in _imports(p) if m.startswith("shuangfang.notifications"))
        for p in (ROOT / "duty").rglob("*.py")
        if "tests" not in p.parts
    }
    assert not {k: v for k, v in offenders.items() if v}


def test_no_status_is_set_outside_the_workflows():
    """A status field changes only in ``core.workflow`` (a ``Workflow`` table's move): no
    ``obj.status = …`` and no ``.update(status=…)`` anywhere else. Creating a record in its
    first state is not a move."""
    import re

    setter = re.compile(r"\.status\s*=[^=]|\.update\([^)]*\bstatus\s*=")
    offenders = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in ROOT.rglob("*.py")
        if "tests" not in path.parts
        and "migrations" not in path.parts
        and path != ROOT / "core" / "workflow.py"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if setter.search(line) and not line.lstrip().startswith("#")
    ]
    assert not offenders, f"status set outside core.workflow: {offenders}"
