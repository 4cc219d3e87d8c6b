#!/usr/bin/env python3
"""Build the offline bundle for an intranet install (no PyPI, no npm): ``make bundle``.

Writes ``dist/shuangfang-<version>-offline.tar.gz`` (and a ``.sha256`` beside it) holding:

- ``app/``: the source tree as committed (``git ls-files``), with ``node_modules/`` (the front-end
  assets installed from ``package-lock.json``: pico.css and ECharts, served as static files);
- ``wheelhouse/``: every Python package of ``uv.lock`` (no dev tools) as wheels for this machine's
  platform and Python (``--platform``/``--python-version`` for another target);
- ``requirements.txt``: the same list with SHA-256 hashes, which the install checks;
- ``install-offline.sh`` and ``SHA256SUMS``.

On the intranet machine (Debian 12, Python 3.11, the system packages of docs/operations.md):
``tar xzf shuangfang-…-offline.tar.gz && cd shuangfang-…-offline && ./install-offline.sh /opt/shuangfang``.
Only the standard library is used here, so the script runs before any environment exists.
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import subprocess
import sys
import tarfile
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

INSTALL = """#!/bin/sh
# Install Shuangfang from this bundle without network access: ./install-offline.sh [target folder]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
target=${1:-/opt/shuangfang}
(cd "$here" && sha256sum --quiet -c SHA256SUMS)
mkdir -p "$target"
cp -a "$here/app" "$target/app"
python3.11 -m venv "$target/app/.venv"
"$target/app/.venv/bin/pip" install --quiet --no-index --find-links "$here/wheelhouse" \\
    --require-hashes -r "$here/requirements.txt"
cd "$target/app" && .venv/bin/python -m shuangfang.core.i18n_compile
echo "installed in $target/app: continue with docs/operations.md, step 3 (the environment)"
"""


def run(cmd: list[str], **kw) -> str:
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw).stdout  # noqa: S603


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def build(out_dir: Path, *, platform: str | None, python_version: str | None) -> Path:
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    name = f"shuangfang-{version}-offline"
    node_modules = ROOT / "node_modules"
    if not node_modules.is_dir():
        sys.exit("node_modules/ is missing: run `make install` first")
    with tempfile.TemporaryDirectory() as tmp:
        top = Path(tmp) / name
        app = top / "app"
        for rel in run(["git", "ls-files", "-z"], cwd=ROOT).split("\0"):
            if rel and (ROOT / rel).is_file():
                (app / rel).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(ROOT / rel, app / rel)
        shutil.copytree(node_modules, app / "node_modules", ignore=shutil.ignore_patterns(".installed"))
        uv = shutil.which("uv", path=str(ROOT / ".venv" / "bin")) or "uv"
        export = [uv, "export", "--frozen", "--no-dev", "--no-emit-project", "--format", "requirements-txt"]
        (top / "requirements.txt").write_text(run(export, cwd=ROOT))
        download = [sys.executable, "-m", "pip", "download", "--quiet", "--only-binary=:all:"]
        download += ["--require-hashes", "-r", str(top / "requirements.txt"), "-d", str(top / "wheelhouse")]
        if platform:
            download += ["--platform", platform]
        if python_version:
            download += ["--python-version", python_version]
        run(download)
        script = top / "install-offline.sh"
        script.write_text(INSTALL)
        script.chmod(0o755)
        files = sorted(p for p in top.rglob("*") if p.is_file() and p.name != "SHA256SUMS")
        sums = "".join(f"{sha256(p)}  {p.relative_to(top)}\n" for p in files)
        (top / "SHA256SUMS").write_text(sums)
        out_dir.mkdir(parents=True, exist_ok=True)
        archive = out_dir / f"{name}.tar.gz"
        with tarfile.open(archive, "w:gz") as tar:
            tar.add(top, arcname=name)
    Path(f"{archive}.sha256").write_text(f"{sha256(archive)}  {archive.name}\n")
    return archive


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", default=str(ROOT / "dist"))
    parser.add_argument("--platform", help="pip's platform tag of the target, e.g. manylinux2014_x86_64")
    parser.add_argument("--python-version", help="the target's Python, e.g. 3.11")
    args = parser.parse_args()
    archive = build(Path(args.output), platform=args.platform, python_version=args.python_version)
    print(f"{archive} ({archive.stat().st_size / 2**20:.1f} MB)")


if __name__ == "__main__":
    main()
