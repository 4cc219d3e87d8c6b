"""Backups: one dated archive with everything an install needs to come back, and its restore.

An archive ``shuangfang-<YYYYmmdd-HHMMSS>.tar.gz`` holds:

- ``database.sqlite3`` (SQLite's online backup API: consistent while the site runs) or
  ``database.pgdump`` (``pg_dump --format=custom``, consistent by PostgreSQL's snapshot);
- ``media/``: uploaded photos, documents and generated reports;
- ``secrets/``: ``secret_key`` and ``field_keys`` when they are kept in files (``var/``); without
  the field keys the stored provider secrets cannot be read back;
- ``manifest.json``: when, from which database kind, the last migration of each app, the number of
  rows of every table (what a restore checks against), and the SHA-256 of every other member.

Next to it ``<archive>.sha256`` (``sha256sum -c`` format). ``restore`` checks both before it
touches anything and refuses an install that already has data unless told to replace it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connection, connections
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

FORMAT = 1
SECRET_FILES = ("secret_key", "field_keys")


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why."""


def table_counts() -> dict[str, int]:
    return {
        m._meta.label: m._default_manager.count()
        for m in apps.get_models()
        if m._meta.managed and not m._meta.proxy
    }


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _pg_env() -> tuple[list[str], dict[str, str]]:
    db = settings.DATABASES["default"]
    args = ["--host", str(db.get("HOST") or "127.0.0.1"), "--port", str(db.get("PORT") or 5432)]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def _run(cmd: list[str], env: dict[str, str]) -> None:
    # The command and its arguments come from the settings, never from a request.
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)  # noqa: S603
    if done.returncode:
        raise BackupError(f"{cmd[0]} failed: {done.stderr.strip()}")


def _dump_database(into: Path) -> str:
    if connection.vendor == "sqlite":
        target = into / "database.sqlite3"
        connection.ensure_connection()
        dest = sqlite3.connect(target)
        try:
            connection.connection.backup(dest)
        finally:
            dest.close()
        return target.name
    if connection.vendor == "postgresql":
        target = into / "database.pgdump"
        args, env = _pg_env()
        name = str(settings.DATABASES["default"]["NAME"])
        cmd = ["pg_dump", "--format=custom", "--no-owner", "--file", str(target), *args, name]
        _run(cmd, env)
        return target.name
    raise BackupError(f"no backup method for the {connection.vendor} database")


def _migrations() -> dict[str, str]:
    last: dict[str, str] = {}
    for app, name in MigrationRecorder(connection).migration_qs.order_by("id").values_list("app", "name"):
        last[app] = name
    return last


@dataclass(frozen=True)
class Made:
    archive: Path
    checksum: str
    counts: dict[str, int]


def make_backup(folder: Path, *, now: dt.datetime | None = None) -> Made:
    """Write one archive into ``folder``; return its path, SHA-256 and the row counts it holds."""
    now = now or timezone.now()
    folder.mkdir(parents=True, exist_ok=True)
    stamp = timezone.localtime(now).strftime("%Y%m%d-%H%M%S")
    archive = folder / f"shuangfang-{stamp}.tar.gz"
    with tempfile.TemporaryDirectory(dir=folder) as tmp:
        work = Path(tmp)
        members = {_dump_database(work): None}
        counts = table_counts()
        media = Path(settings.MEDIA_ROOT)
        secrets = [Path(settings.VAR_DIR) / n for n in SECRET_FILES if (Path(settings.VAR_DIR) / n).is_file()]
        manifest = {
            "format": FORMAT,
            "created": now.isoformat(),
            "database": connection.vendor,
            "migrations": _migrations(),
            "counts": counts,
            "files": {name: _sha256(work / name) for name in members},
            "secrets": [p.name for p in secrets],
        }
        partial = archive.with_suffix(".partial")
        with tarfile.open(partial, "w:gz") as tar:
            data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size, info.mtime = len(data), int(now.timestamp())
            tar.addfile(info, io.BytesIO(data))
            for name in members:
                tar.add(work / name, arcname=name)
            if media.is_dir():
                tar.add(media, arcname="media")
            for path in secrets:
                tar.add(path, arcname=f"secrets/{path.name}")
        os.replace(partial, archive)
    checksum = _sha256(archive)
    Path(f"{archive}.sha256").write_text(f"{checksum}  {archive.name}\n")
    return Made(archive, checksum, counts)


def prune_backups(folder: Path, keep: int) -> list[Path]:
    """Delete all but the ``keep`` newest archives (and their checksum files)."""
    archives = sorted(folder.glob("shuangfang-*.tar.gz"))
    gone = archives[: max(len(archives) - keep, 0)]
    for path in gone:
        path.unlink()
        Path(f"{path}.sha256").unlink(missing_ok=True)
    return gone


def _verify(archive: Path) -> None:
    if not archive.is_file():
        raise BackupError(f"{archive}: no such file")
    sums = Path(f"{archive}.sha256")
    if sums.is_file():
        expected = sums.read_text().split()[0]
        if _sha256(archive) != expected:
            raise BackupError(f"{archive.name}: checksum does not match {sums.name}; the file is damaged")


def _safe_extract(archive: Path, into: Path) -> dict:
    with tarfile.open(archive, "r:gz") as tar:
        tar.extractall(into, filter="data")  # refuses absolute paths, "..", devices and links out
    manifest_path = into / "manifest.json"
    if not manifest_path.is_file():
        raise BackupError(f"{archive.name} is not a Shuangfang backup (no manifest.json)")
    manifest = json.loads(manifest_path.read_text())
    if manifest.get("format") != FORMAT:
        raise BackupError(f"backup format {manifest.get('format')} is not supported (expected {FORMAT})")
    for name, digest in manifest["files"].items():
        if _sha256(into / name) != digest:
            raise BackupError(f"{name} in {archive.name} does not match its checksum")
    return manifest


def has_data() -> bool:
    from .tenancy import organization_model

    try:
        return organization_model().objects.exists()
    except Exception:  # no tables yet: an empty install
        return False


def _restore_database(work: Path, manifest: dict) -> None:
    vendor = manifest["database"]
    if vendor != connection.vendor:
        raise BackupError(f"the backup is of a {vendor} database; this install uses {connection.vendor}")
    connections.close_all()
    if vendor == "sqlite":
        target = Path(settings.DATABASES["default"]["NAME"])
        for suffix in ("-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        src = sqlite3.connect(work / "database.sqlite3")
        dest = sqlite3.connect(target)
        try:
            src.backup(dest)
        finally:
            src.close()
            dest.close()
        return
    args, env = _pg_env()
    name = str(settings.DATABASES["default"]["NAME"])
    cmd = ["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction", *args]
    _run([*cmd, "--dbname", name, str(work / "database.pgdump")], env)


def _restore_files(work: Path) -> None:
    media = Path(settings.MEDIA_ROOT)
    if (work / "media").is_dir():
        if media.exists():
            shutil.rmtree(media)
        shutil.copytree(work / "media", media)
    var = Path(settings.VAR_DIR)
    for path in sorted((work / "secrets").glob("*")) if (work / "secrets").is_dir() else []:
        if path.name not in SECRET_FILES:
            continue
        current = var / path.name
        if current.is_file() and current.read_bytes() != path.read_bytes():
            os.replace(current, var / f"{path.name}.before-restore")
        shutil.copyfile(path, current)
        current.chmod(0o600)


def restore_backup(archive: Path, *, replace: bool = False) -> dict[str, tuple[int, int]]:
    """Restore ``archive`` into this install. Returns ``{table: (in backup, now)}`` for tables whose
    counts differ (empty when all match)."""
    _verify(archive)
    if has_data() and not replace:
        raise BackupError("this install already has data; restore into an empty install or pass --replace")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        manifest = _safe_extract(archive, work)
        _restore_database(work, manifest)
        _restore_files(work)
    connections.close_all()
    now = table_counts()
    return {
        label: (n, now.get(label, -1)) for label, n in manifest["counts"].items() if now.get(label, -1) != n
    }
