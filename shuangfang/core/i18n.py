"""Translation catalogues live in each app (``<app>/locale/zh_Hans/LC_MESSAGES/django.po``), so apps
do not share one file. Source strings are English; Simplified Chinese is the default language."""

from __future__ import annotations

import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

import polib
from django.apps import apps
from django.conf import settings
from django.core.management import call_command

LANGS = ["zh_Hans"]


def app_dirs() -> list[Path]:
    """The folders of the domain apps, from the app registry (``INSTALLED_APPS``)."""
    return [Path(c.path) for c in apps.get_app_configs() if c.name.startswith("shuangfang.")]


def catalogue(app_dir: Path, lang: str = "zh_Hans") -> Path:
    return app_dir / "locale" / lang / "LC_MESSAGES" / "django.po"


@contextmanager
def _cwd(path: Path):
    old = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(old)


def extract(app_dir: Path) -> None:
    """Run makemessages for one app (needs GNU gettext's xgettext)."""
    (app_dir / "locale").mkdir(exist_ok=True)
    with _cwd(app_dir):
        for domain in ("django", "djangojs"):
            if domain == "djangojs" and not any(app_dir.rglob("*.js")):
                continue
            call_command(
                "makemessages",
                locale=LANGS,
                domain=domain,
                no_location=True,
                no_obsolete=True,
                verbosity=0,
                ignore_patterns=["tests/*", "migrations/*"],
            )


def extracted_msgids(app_dir: Path) -> set[str]:
    """The msgids makemessages would produce now, from a scratch copy of the app."""
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / app_dir.name
        shutil.copytree(app_dir, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
        po = catalogue(copy)
        if po.exists():
            po.unlink()
        extract(copy)
        return {e.msgid for e in polib.pofile(str(po))} if po.exists() else set()


def compile_all() -> int:
    from .i18n_compile import compile_catalogues

    return compile_catalogues(settings.PACKAGE_DIR)
