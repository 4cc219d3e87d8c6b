"""docs/operations.md works as written: its setup block and its service commands, read from the file,
run on this machine's PostgreSQL, Redis and Mosquitto; the install then answers /health/ready and
serves a page with its CSS and JavaScript (issue 23: the documented web command served no static
files). Skipped without PostgreSQL (the documented scaled-out install)."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.conf import settings

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "operations.md"
PG = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


def block(name: str) -> list[str]:
    text = DOC.read_text()
    match = re.search(rf"<!-- runbook:{name} -->\s*```sh\n(.*?)```", text, re.S)
    assert match, f"docs/operations.md has no runbook:{name} block"
    return [line for line in match.group(1).splitlines() if line.strip() and not line.startswith("#")]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:  # noqa: S310 - a local test server
            return r.status, r.headers.get("Content-Type", ""), r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type", ""), e.read()


def _psql(sql: str) -> None:
    db = settings.DATABASES["default"]
    cmd = ["psql", "-h", db.get("HOST") or "127.0.0.1", "-p", str(db.get("PORT") or 5432)]
    cmd += ["-U", db.get("USER") or "postgres", "-d", "postgres", "-qc", sql]
    subprocess.run(cmd, check=True, capture_output=True)  # noqa: S603


@pytest.fixture
def install(tmp_path):
    if not PG:
        pytest.skip("the documented scaled-out install runs on PostgreSQL (CI runs the suite there)")
    db = settings.DATABASES["default"]
    name = f"sf_runbook_{os.getpid()}"
    _psql(f'DROP DATABASE IF EXISTS "{name}"')
    _psql(f'CREATE DATABASE "{name}"')
    port = _free_port()
    env_file = tmp_path / "shuangfang.env"
    user, host = db.get("USER") or "postgres", db.get("HOST") or "127.0.0.1"
    env_file.write_text(
        "\n".join(
            [
                f"SECRET_KEY={os.urandom(24).hex()}",
                f"FIELD_ENCRYPTION_KEYS={Fernet.generate_key().decode()}",
                f"SITE_URL=http://127.0.0.1:{port}",
                "ALLOWED_HOSTS=127.0.0.1",
                f"DATABASE_URL=postgres://{user}@{host}:{db.get('PORT') or 5432}/{name}",
                f"REDIS_URL={os.environ.get('RUNBOOK_REDIS_URL', 'redis://127.0.0.1:6379/14')}",
                f"MQTT_URL={os.environ.get('MQTT_URL', 'mqtt://127.0.0.1:1883')}",
                f"MQTT_GROUP=sf-runbook-{os.getpid()}",
                f"VAR_DIR={tmp_path / 'var'}",
                f"STATIC_ROOT={tmp_path / 'static'}",
                "LOG_FORMAT=json",
                "",
            ]
        )
    )
    # As an operator's shell has it: not the test run's own switches (the browser tests' async flag
    # would fail ``check --deploy``).
    drop = {"SHUANGFANG_TESTING", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env["PATH"] = f"{ROOT / '.venv' / 'bin'}:{env['PATH']}"

    def lines(name: str) -> list[str]:
        out = []
        for line in block(name):
            line = line.replace("/etc/shuangfang/shuangfang.env", str(env_file))
            out.append(re.sub(r"--port 8000\b", f"--port {port}", line))
        return out

    procs: list[subprocess.Popen[bytes]] = []
    yield {"lines": lines, "env": env, "port": port, "procs": procs, "log": tmp_path}
    for p in procs:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(p.pid, signal.SIGTERM)
    for p in procs:
        try:
            p.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
    _psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_the_documented_install_serves_pages_with_their_static_files(install):
    setup = install["lines"]("setup")
    script = "set -e\n" + "\n".join(setup)
    done = subprocess.run(  # noqa: S603
        ["bash", "-c", script], cwd=ROOT, env=install["env"], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]

    source = setup[0]  # "set -a; . <env>; set +a"
    services = install["lines"]("services")
    assert any(" web " in s for s in services) and any("mqtt_listen" in s for s in services)
    for i, command in enumerate(services):
        log = open(install["log"] / f"service-{i}.log", "wb")  # noqa: SIM115 - closed with the process
        install["procs"].append(
            subprocess.Popen(  # noqa: S603
                ["bash", "-c", f"{source}; exec {command}"],
                cwd=ROOT,
                env=install["env"],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )

    base = f"http://127.0.0.1:{install['port']}"
    deadline, last = time.monotonic() + 90, None
    while time.monotonic() < deadline:
        try:
            last = _get(f"{base}/health/ready")
            if last[0] == 200:
                break
        except OSError:
            pass
        assert all(p.poll() is None for p in install["procs"]), _logs(install)
        time.sleep(1)
    assert last and last[0] == 200, (last, _logs(install))
    assert b'"mqtt_last_beat": "' in last[2]  # a listener connected and beat

    status, _ctype, html = _get(f"{base}/login/")
    assert status == 200
    assets = re.findall(rb'(?:href|src)="(/static/[^"]+\.(?:css|js))"', html)
    assert any(a.endswith(b".css") for a in assets) and any(a.endswith(b".js") for a in assets), html[:500]
    for asset in assets:
        status, ctype, body = _get(base + asset.decode())
        assert status == 200 and body, asset
        assert ("css" in ctype) if asset.endswith(b".css") else ("javascript" in ctype), (asset, ctype)
    assert all(p.poll() is None for p in install["procs"]), _logs(install)

    # LOG_FORMAT=json: every line the scheduler, the workers and the listeners write is one JSON
    # object, and each event is written once (issue 23: each worker line was printed twice, the
    # second time by huey's own handler in its own format).
    for i, command in enumerate(services):
        if " web " in command:
            continue  # granian's own start-up lines are its own; the requests' lines are tested below
        text = (install["log"] / f"service-{i}.log").read_text()
        lines = [line for line in text.splitlines() if line.strip()]
        assert lines, command
        records = []
        for line in lines:
            try:
                records.append(json.loads(line))
            except ValueError:
                raise AssertionError(f"{command}: not a JSON line: {line!r}") from None
        assert len(set(lines)) == len(lines), f"{command}: a line written twice"
        assert all({"ts", "level", "logger", "message"} <= set(r) for r in records)
        if "run_huey" in command:
            assert any(r["logger"].startswith("huey") for r in records), lines
        if "mqtt_listen" in command:
            assert any(r["message"].startswith("listening as ") for r in records), lines


def _logs(install) -> str:
    return "\n".join(
        f"--- {p.name}\n{p.read_text(errors='replace')[-1500:]}"
        for p in sorted(install["log"].glob("service-*.log"))
    )
