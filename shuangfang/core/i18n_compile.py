"""Compile every app's .po catalogue to .mo with polib: no GNU gettext and no Django settings needed,
so `make run` works on a machine without gettext. ``python -m shuangfang.core.i18n_compile``."""

from __future__ import annotations

from pathlib import Path

import polib

PACKAGE_DIR = Path(__file__).resolve().parent.parent


def compile_catalogues(package_dir: Path = PACKAGE_DIR) -> int:
    n = 0
    for po_path in sorted(package_dir.glob("*/locale/*/LC_MESSAGES/*.po")):
        polib.pofile(str(po_path)).save_as_mofile(str(po_path.with_suffix(".mo")))
        n += 1
    return n


if __name__ == "__main__":
    print(f"compiled {compile_catalogues()} catalogues")
