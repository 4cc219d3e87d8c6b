"""A Mosquitto of the test's own, started from the configuration the product ships
(``deploy/mosquitto/shuangfang.conf``): the lines that name this host's ports and paths are replaced
(a free port on 127.0.0.1, a password file, persistence and log in a temporary folder), every other
line (queue limits, persistence, authentication) is kept. Used by the outage and authentication
tests, here and in CI; the shared broker on port 1883 is never touched."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

SHIPPED = Path(__file__).resolve().parents[3] / "deploy" / "mosquitto" / "shuangfang.conf"
# Directives that name this host's ports, files and accounts: replaced by the test's own.
REPLACED = {
    "listener",
    "password_file",
    "acl_file",
    "persistence_location",
    "log_dest",
    "log_type",
    "pid_file",
    "user",
    "cafile",
    "certfile",
    "keyfile",
    "require_certificate",
    "include_dir",
}
HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def port_open(port: int) -> bool:
    try:
        socket.create_connection((HOST, port), timeout=0.3).close()
        return True
    except OSError:
        return False


@dataclass
class TlsFiles:
    ca: Path
    cert: Path  # the broker's certificate, for 127.0.0.1
    key: Path


@dataclass
class Broker:
    folder: Path
    port: int
    tls_port: int | None = None
    users: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None

    def url(self, user: str | None = None, password: str | None = None, *, tls: bool = False) -> str:
        who = ""
        if user:
            who = (
                quote(user, safe="") + (f":{quote(password, safe='')}" if password is not None else "") + "@"
            )
        return f"mqtts://{who}{HOST}:{self.tls_port}" if tls else f"mqtt://{who}{HOST}:{self.port}"

    @property
    def log(self) -> str:
        path = self.folder / "mosquitto.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603
            ["mosquitto", "-c", str(self.folder / "mosquitto.conf")],  # noqa: S607
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        end = time.monotonic() + 10
        while not port_open(self.port):
            if self.process.poll() is not None or time.monotonic() > end:
                raise AssertionError(f"mosquitto did not start:\n{self.log[-2000:]}")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:  # pragma: no cover
                self.process.kill()
                self.process.wait(5)
        self.process = None


def shipped_settings() -> list[str]:
    """The shipped configuration without the host-specific directives (comments dropped)."""
    kept = []
    for line in SHIPPED.read_text().splitlines():
        words = line.split()
        if not words or words[0].startswith("#") or words[0] in REPLACED:
            continue
        kept.append(line)
    return kept


def make_broker(folder: Path, users: dict[str, str], *, tls: TlsFiles | None = None) -> Broker:
    """Write the configuration and password file and start the broker."""
    folder.mkdir(parents=True, exist_ok=True)
    passwd = folder / "passwd"
    passwd.touch()
    for name, password in users.items():
        subprocess.run(["mosquitto_passwd", "-b", str(passwd), name, password], check=True)  # noqa: S603, S607
    os.chmod(passwd, 0o600)
    broker = Broker(folder=folder, port=free_port(), users=users)
    lines = [
        *shipped_settings(),
        "user root" if os.geteuid() == 0 else "",  # stay root: the folder is root's
        f"password_file {passwd}",
        f"persistence_location {folder}/",
        f"log_dest file {folder / 'mosquitto.log'}",
        "log_type all",
        f"listener {broker.port} {HOST}",
    ]
    if tls is not None:
        broker.tls_port = free_port()
        lines += [
            f"listener {broker.tls_port} {HOST}",
            f"cafile {tls.ca}",
            f"certfile {tls.cert}",
            f"keyfile {tls.key}",
        ]
    (folder / "mosquitto.conf").write_text("\n".join(line for line in lines if line) + "\n")
    broker.start()
    return broker


def make_tls_files(folder: Path) -> TlsFiles:
    """A self-signed CA and a broker certificate for 127.0.0.1 signed by it (openssl CLI)."""
    folder.mkdir(parents=True, exist_ok=True)
    ca_key, ca, key, csr, cert = (
        folder / n for n in ("ca.key", "ca.crt", "broker.key", "broker.csr", "broker.crt")
    )
    ext = folder / "ext.cnf"
    ext.write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    run = [
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", ca_key, "-out", ca,
         "-days", "2", "-subj", "/CN=shuangfang test CA"],
        ["openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", csr,
         "-subj", "/CN=127.0.0.1"],
        ["openssl", "x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial", "-out", cert,
         "-days", "2", "-extfile", ext],
    ]  # fmt: skip
    for cmd in run:
        subprocess.run([str(c) for c in cmd], check=True, capture_output=True)  # noqa: S603
    return TlsFiles(ca=ca, cert=cert, key=key)
