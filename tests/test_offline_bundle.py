"""The offline bundle installs with no package index: built from this checkout (the build itself
downloads the wheels), unpacked into an empty folder, installed by its own script with pip's
``--no-index``, and the installed code passes ``manage.py check``. A damaged file stops the install."""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_bundle_installs_without_an_index_and_refuses_a_damaged_file(tmp_path):
    built = subprocess.run(  # noqa: S603
        [sys.executable, str(ROOT / "deploy" / "offline_bundle.py"), "--output", str(tmp_path / "dist")],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert built.returncode == 0, built.stderr[-3000:]
    archive = next((tmp_path / "dist").glob("shuangfang-*-offline.tar.gz"))
    with tarfile.open(archive) as tar:
        tar.extractall(tmp_path / "unpacked", filter="data")
    (bundle,) = (tmp_path / "unpacked").iterdir()
    assert any((bundle / "wheelhouse").glob("django-*.whl"))
    assert (bundle / "app" / "node_modules" / "echarts" / "dist" / "echarts.min.js").is_file()

    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "VIRTUAL_ENV"))}
    env["PIP_NO_INDEX"] = "1"  # belt and braces: nothing may come from an index
    target = tmp_path / "opt"
    done = subprocess.run(  # noqa: S603
        [str(bundle / "install-offline.sh"), str(target)], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    check = subprocess.run(  # noqa: S603
        [str(target / "app" / ".venv" / "bin" / "python"), "manage.py", "check"],
        cwd=target / "app",
        env={**env, "SHUANGFANG_TESTING": "1", "VAR_DIR": str(tmp_path / "var")},
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0 and "no issues" in check.stdout, check.stderr[-3000:]

    wheel = next((bundle / "wheelhouse").glob("*.whl"))
    wheel.write_bytes(wheel.read_bytes() + b"tampered")
    again = subprocess.run(  # noqa: S603
        [str(bundle / "install-offline.sh"), str(tmp_path / "opt2")], env=env, capture_output=True, text=True
    )
    assert again.returncode != 0 and not (tmp_path / "opt2" / "app").exists()
