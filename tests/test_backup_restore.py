"""Backup → restore round trip, as an operator runs it: two installs (their own var/ folders and
databases) driven through ``manage.py``; the demo city backed up from one and restored into the
other must come back with every table's row count, the media files and the field keys. On
PostgreSQL when the suite runs there (pg_dump/pg_restore), SQLite otherwise."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[1]
PG = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


def _install(tmp: Path, name: str) -> dict[str, str]:
    var = tmp / name
    var.mkdir()
    (var / "secret_key").write_text(secrets.token_urlsafe(40))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "SECRET_KEY", "FIELD_"))}
    env.update(VAR_DIR=str(var), SHUANGFANG_TESTING="1", MEDIA_ROOT=str(var / "media"))
    if PG:
        db = settings.DATABASES["default"]
        dbname = f"sf_backup_{name}_{os.getpid()}"
        user, host = db.get("USER") or "postgres", db.get("HOST") or "127.0.0.1"
        base = f"postgres://{user}@{host}:{db.get('PORT') or 5432}"
        _psql(env, f'DROP DATABASE IF EXISTS "{dbname}"')
        _psql(env, f'CREATE DATABASE "{dbname}"')
        env["DATABASE_URL"] = f"{base}/{dbname}"
        env["_DROP"] = dbname
    else:
        env["DATABASE_URL"] = f"sqlite:///{var / 'db.sqlite3'}"
    return env


def _psql(env: dict[str, str], sql: str) -> None:
    db = settings.DATABASES["default"]
    host, port, user = (
        db.get("HOST") or "127.0.0.1",
        str(db.get("PORT") or 5432),
        db.get("USER") or "postgres",
    )
    cmd = ["psql", "-h", host, "-p", port, "-U", user, "-d", "postgres", "-qc", sql]
    subprocess.run(cmd, env=env, check=True, capture_output=True)  # noqa: S603


def _manage(env: dict[str, str], *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(  # noqa: S603
        [sys.executable, str(ROOT / "manage.py"), *args], env=env, cwd=ROOT, capture_output=True, text=True
    )
    if ok and done.returncode:
        raise AssertionError(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done


def _counts(env: dict[str, str]) -> dict[str, int]:
    code = "import json; from shuangfang.core.backup import table_counts; print(json.dumps(table_counts()))"
    return json.loads(_manage(env, "shell", "-c", code).stdout.strip().splitlines()[-1])


@pytest.fixture
def installs(tmp_path):
    made: list[dict[str, str]] = []

    def make(name: str) -> dict[str, str]:
        env = _install(tmp_path, name)
        made.append(env)
        return env

    yield make
    for env in made:
        if "_DROP" in env:
            _psql(env, f'DROP DATABASE IF EXISTS "{env["_DROP"]}" WITH (FORCE)')


def test_backup_of_the_demo_restores_into_an_empty_install_with_every_row(installs, tmp_path):
    a = installs("a")
    _manage(a, "migrate", "--noinput", "-v0")
    _manage(a, "demo")
    Path(a["VAR_DIR"], "field_keys").write_text("dGVzdC1maWVsZC1rZXktZm9yLWJhY2t1cC10ZXN0cyE=\n")
    photo = Path(a["MEDIA_ROOT"], "hazards", "photo.jpg")
    photo.parent.mkdir(parents=True, exist_ok=True)
    photo.write_bytes(b"\xff\xd8\xff" + bytes(range(256)) * 8)
    out = tmp_path / "backups"
    made = _manage(a, "backup", "--output", str(out))
    archive = next(out.glob("shuangfang-*.tar.gz"))
    assert "sha256" in made.stdout
    before = _counts(a)
    assert before["orgs.Organization"] > 5 and before["hazards.Hazard"] > 0

    b = installs("b")  # a new install: not even migrated
    restored = _manage(b, "restore", str(archive))
    assert "row counts match" in restored.stdout
    assert _counts(b) == before
    assert Path(b["MEDIA_ROOT"], "hazards", "photo.jpg").read_bytes() == photo.read_bytes()
    assert Path(b["VAR_DIR"], "field_keys").read_text() == Path(a["VAR_DIR"], "field_keys").read_text()
    assert Path(b["VAR_DIR"], "secret_key").read_text() == Path(a["VAR_DIR"], "secret_key").read_text()
    assert Path(b["VAR_DIR"], "secret_key.before-restore").is_file()

    # A second restore would overwrite the data now there: refused unless asked for.
    again = _manage(b, "restore", str(archive), ok=False)
    assert again.returncode and "already has data" in again.stderr

    # A damaged archive is refused before anything is touched.
    data = bytearray(archive.read_bytes())
    data[len(data) // 2] ^= 0xFF
    archive.write_bytes(bytes(data))
    damaged = _manage(b, "restore", str(archive), "--replace", ok=False)
    assert damaged.returncode and "checksum" in damaged.stderr
    assert _counts(b) == before

    # Retention: the newest N archives stay, older ones go with their checksum files.
    for stamp in ("20261101-021500", "20261102-021500"):
        (out / f"shuangfang-{stamp}.tar.gz").write_bytes(b"old")
        (out / f"shuangfang-{stamp}.tar.gz.sha256").write_text("x")
    _manage(a, "backup", "--output", str(out), "--keep", "2")
    kept = sorted(p.name for p in out.glob("shuangfang-*.tar.gz"))
    assert len(kept) == 2 and "shuangfang-20261101-021500.tar.gz" not in kept
    assert not (out / "shuangfang-20261101-021500.tar.gz.sha256").exists()


@pytest.mark.django_db
def test_the_scheduled_backup_makes_one_archive_a_night_and_keeps_the_newest(settings, tmp_path):
    """BACKUP_DAILY: the scheduler's nightly job (core.tasks.nightly_backup) writes a checked archive
    into BACKUP_DIR and keeps the BACKUP_KEEP newest; off (the default), it writes nothing."""
    import datetime as dt
    import hashlib
    import tarfile

    import time_machine
    from django.utils.module_loading import autodiscover_modules

    from shuangfang.core.schedule import JOBS

    autodiscover_modules("tasks")
    nightly = JOBS["shuangfang.core.tasks.nightly_backup"]
    folder = tmp_path / "backups"
    settings.BACKUP_DIR, settings.BACKUP_KEEP = folder, 2
    settings.MEDIA_ROOT, settings.VAR_DIR = tmp_path / "media", tmp_path / "var"
    at = dt.datetime(2026, 12, 5, 18, 15, tzinfo=dt.UTC)  # 02:15 in Shanghai
    settings.BACKUP_DAILY = False
    with time_machine.travel(at, tick=False):
        assert nightly() is None
    assert not folder.exists()

    settings.BACKUP_DAILY = True
    for night in range(3):
        with time_machine.travel(at + dt.timedelta(days=night), tick=False):
            made = Path(nightly())
        assert made.is_file() and made.parent == folder
        expected = Path(f"{made}.sha256").read_text().split()[0]
        assert hashlib.sha256(made.read_bytes()).hexdigest() == expected
    kept = sorted(p.name for p in folder.glob("shuangfang-*.tar.gz"))
    assert kept == ["shuangfang-20261207-021500.tar.gz", "shuangfang-20261208-021500.tar.gz"]
    assert sorted(p.name for p in folder.glob("*.sha256")) == [f"{k}.sha256" for k in kept]
    with tarfile.open(made) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))  # type: ignore[arg-type]
    assert manifest["database"] == ("postgresql" if PG else "sqlite")
    assert "orgs.Organization" in manifest["counts"]
