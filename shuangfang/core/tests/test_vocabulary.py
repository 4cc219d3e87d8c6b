"""The shared vocabulary (``core.vocabulary``) has one definition: no app brings back a copy of its
own, as a ``TextChoices`` class, a list of choices, a ``Literal[...]`` or a model field whose
choices are spelled out again."""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.db import models

from shuangfang.core import vocabulary
from shuangfang.core.vocabulary import SIX_CHECK_CHOICES, SIX_CHECKS, CheckCategory, HazardGrade, Severity

# Each shared vocabulary, by the values that betray a copy of it (a copy of the eight categories
# holds the six checks too).
VOCABULARIES: dict[str, set[str]] = {
    "Severity": set(Severity.values),
    "HazardGrade": set(HazardGrade.values),
    "the six checks": {c.value for c in SIX_CHECKS},
}
PACKAGE = Path(vocabulary.__file__).resolve().parent.parent
VOCABULARY_FILE = Path(vocabulary.__file__).resolve()


def _app_modules() -> list[str]:
    """Every module of every domain app, tests and migrations left out."""
    names = []
    for config in apps.get_app_configs():
        if not config.name.startswith("shuangfang."):
            continue
        names.append(config.name)
        for info in pkgutil.walk_packages([config.path], prefix=config.name + "."):
            if ".tests" in info.name or ".migrations" in info.name:
                continue
            names.append(info.name)
    return names


def _copies(values: set[str]) -> list[str]:
    return [name for name, wanted in VOCABULARIES.items() if wanted <= values]


def test_no_app_defines_its_own_choices_class_for_a_shared_vocabulary():
    found = []
    for module_name in _app_modules():
        module = importlib.import_module(module_name)
        for obj in vars(module).values():
            if (
                isinstance(obj, type)
                and issubclass(obj, models.Choices)
                and obj.__module__ == module_name
                and module is not vocabulary
            ):
                found += [f"{module_name}.{obj.__name__} copies {v}" for v in _copies(set(obj.values))]
    assert not found, "import it from shuangfang.core.vocabulary: " + "; ".join(found)


def _spelled_values(node: ast.AST) -> set[str]:
    """The strings a collection literal lists: its string elements, or the first strings of its
    pairs (a list of choices)."""
    elements: list[ast.expr] = []
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        elements = list(node.elts)
    elif isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Tuple):  # Literal["a", "b"]
        elements = list(node.slice.elts)
    out = set()
    for e in elements:
        if isinstance(e, ast.Tuple | ast.List) and e.elts:
            e = e.elts[0]
        if isinstance(e, ast.Constant) and isinstance(e.value, str):
            out.add(e.value)
    return out


def test_no_app_spells_a_shared_vocabulary_out_in_its_source():
    found: set[str] = set()
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE)
        if path.resolve() == VOCABULARY_FILE or "tests" in rel.parts or "migrations" in rel.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            for name in _copies(_spelled_values(node)):
                found.add(f"{rel}:{getattr(node, 'lineno', '?')} spells out {name}")
    assert not found, "use the members of shuangfang.core.vocabulary: " + "; ".join(sorted(found))


def test_model_fields_take_the_shared_choices():
    """A field whose choices hold a shared vocabulary holds exactly it, labels included."""
    allowed: dict[str, list[list[tuple[str, Any]]]] = {
        "Severity": [Severity.choices],
        "HazardGrade": [HazardGrade.choices],
        "the six checks": [SIX_CHECK_CHOICES, CheckCategory.choices],
    }
    wrong = []
    for model in apps.get_models():
        for field in model._meta.get_fields():
            choices = getattr(field, "choices", None)
            if not choices:
                continue
            pairs = [(str(v), str(label)) for v, label in choices]
            for name in _copies({v for v, _label in pairs}):
                if pairs not in [[(str(v), str(label)) for v, label in c] for c in allowed[name]]:
                    wrong.append(f"{model._meta.label}.{field.name} ({name})")
    assert not wrong, wrong


@pytest.mark.parametrize(
    ("module", "name"),
    [
        ("shuangfang.monitoring.choices", "Severity"),
        ("shuangfang.notifications.choices", "Severity"),
        ("shuangfang.hazards.choices", "Grade"),
        ("shuangfang.inspections.choices", "Grade"),
        ("shuangfang.hazards.choices", "Category"),
        ("shuangfang.inspections.choices", "Category"),
    ],
)
def test_the_old_copies_are_gone(module, name):
    assert not hasattr(importlib.import_module(module), name)


def test_the_six_checks_are_the_first_six_categories():
    assert list(SIX_CHECKS) == list(CheckCategory)[:6]
    assert [v for v, _label in SIX_CHECK_CHOICES] == [c.value for c in SIX_CHECKS]
