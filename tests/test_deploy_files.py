"""The shipped deployment files hang together: every service they start is a command this code
base has, every long-running service restarts by itself and has a health check, the environment
names they use are settings the code reads, and the proxy sets the headers the app trusts."""

from __future__ import annotations

import configparser
import re
from pathlib import Path

import yaml
from django.core.management import get_commands

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"


def _manage_commands(text: str) -> set[str]:
    return set(re.findall(r"manage\.py\W+(\w+)", text))


def test_compose_services_run_real_commands_restart_and_check_health():
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = compose["services"]
    assert {"postgres", "redis", "mosquitto", "migrate", "web", "scheduler", "worker", "listener"} <= set(
        services
    )
    known = set(get_commands())
    for name, svc in services.items():
        command = " ".join(svc.get("command", []))
        if "manage.py" in command:
            assert _manage_commands(command) <= known, (name, command)
        if name != "migrate":
            assert svc.get("restart") == "unless-stopped", name
            assert svc.get("healthcheck", {}).get("test"), name
    assert services["migrate"]["restart"] == "no"
    for name in ("web", "scheduler", "worker", "listener"):
        assert services[name]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
    assert "--no-periodic" in services["worker"]["command"]
    assert "--no-periodic" not in services["scheduler"]["command"]
    conf = services["mosquitto"]["volumes"][0].split(":")[0]
    assert (DEPLOY / conf).resolve().is_file()


def test_systemd_units_run_real_commands_and_restart():
    known = set(get_commands())
    units = sorted((DEPLOY / "systemd").glob("*.service"))
    assert len(units) >= 5
    for unit in units:
        parser = configparser.ConfigParser(strict=False, interpolation=None)
        parser.read_string(unit.read_text())
        start = parser["Service"]["ExecStart"]
        assert _manage_commands(start) <= known, (unit.name, start)
        if parser["Service"].get("Type") != "oneshot":
            assert parser["Service"]["Restart"] == "always", unit.name
            assert parser["Service"]["EnvironmentFile"] == "/etc/shuangfang/shuangfang.env"
    assert (DEPLOY / "systemd" / "shuangfang-health.timer").is_file()


def test_example_environment_names_only_settings_the_code_reads():
    code = "\n".join(p.read_text() for p in (ROOT / "shuangfang" / "config").glob("*.py"))
    code += "\n".join(p.read_text() for p in (ROOT / "shuangfang").rglob("*.py") if "tests" not in p.parts)
    names = re.findall(r"^([A-Z][A-Z0-9_]+)=", (DEPLOY / "shuangfang.env.example").read_text(), re.M)
    assert names
    unknown = [n for n in names if f'"{n}"' not in code]
    assert not unknown, unknown


def test_the_proxy_overwrites_the_headers_the_app_trusts():
    nginx = (DEPLOY / "nginx" / "shuangfang.conf").read_text()
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in nginx
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in nginx  # overwrite, not append
    assert "proxy_set_header X-Request-ID $request_id;" in nginx
    assert "ssl_certificate " in nginx and "listen 443 ssl" in nginx
    size = int(re.search(r"client_max_body_size (\d+)m;", nginx).group(1))  # type: ignore[union-attr]
    from django.conf import settings

    assert size * 2**20 > settings.UPLOAD_MAX_BYTES


def test_compose_hangs_together_as_docker_compose_config_would_check():
    """No Docker on this machine, so ``docker compose config`` cannot run here: the checks it (and a
    first ``up``) would make are made on the parsed file instead. Every ``${…}`` is well formed,
    every named volume is declared, every dependency exists and one waited for as healthy has a
    health check, every host file mounted is shipped or made by a step in the file's header, and
    the broker's configured paths and user are the ones mounted and used."""
    text = (DEPLOY / "compose.yaml").read_text()
    compose = yaml.safe_load(text)
    services, declared = compose["services"], set(compose["volumes"])
    for ref in re.findall(r"\$\{([^}]*)\}", text):
        assert re.fullmatch(r"[A-Z_][A-Z0-9_]*(:?[-?+][^}]*)?", ref), ref
    header = "\n".join(line for line in text.splitlines() if line.startswith("#"))
    for name, svc in services.items():
        for dep, cond in svc.get("depends_on", {}).items():
            assert dep in services, (name, dep)
            if cond["condition"] == "service_healthy":
                assert services[dep].get("healthcheck"), (name, dep)
        for volume in svc.get("volumes", []):
            source, target = volume.split(":")[:2]
            if source.startswith("."):
                made = f"/{Path(source).name} " in header  # by a step of the header
                assert (DEPLOY / source).resolve().is_file() or made, (name, source)
            else:
                assert source in declared, (name, source)
        if "env_file" in svc:
            assert (DEPLOY / f"{svc['env_file']}.example").is_file(), name
    conf = (DEPLOY / "mosquitto" / "shuangfang.conf").read_text()
    mounts = {v.split(":")[1]: v.split(":")[0] for v in services["mosquitto"]["volumes"]}
    password_file = re.search(r"^password_file (\S+)", conf, re.M).group(1)  # type: ignore[union-attr]
    assert password_file in mounts
    persistence = re.search(r"^persistence_location (\S+)", conf, re.M).group(1)  # type: ignore[union-attr]
    assert any(persistence.rstrip("/") == target.rstrip("/") for target in mounts)
    user = re.search(r"mqtt://(\w+)@", yaml.dump(compose["x-app"])).group(1)  # type: ignore[union-attr]
    assert f"mosquitto_passwd -b -c /m/{Path(mounts[password_file]).name} {user} " in header
    assert f"-u {user} " in str(services["mosquitto"]["healthcheck"]["test"])
