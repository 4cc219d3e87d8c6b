"""Headers and HTTPS settings (docs/security.md): a Content-Security-Policy with no inline script on
every page, the templates free of inline script, and ``check --deploy`` clean in production."""

from __future__ import annotations

import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

from shuangfang.config.env import env_header_value

ROOT = Path(__file__).resolve().parents[3]


def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {d.split()[0]: d.split()[1:] for d in (part.strip() for part in header.split(";")) if d}


@pytest.mark.django_db
def test_every_page_carries_a_policy_without_inline_script_or_eval(client):
    for path in ("/login/", "/no-such-page/", "/health"):
        response = client.get(path)
        policy = _policy(response)
        assert policy["script-src"] == ["'self'"], path
        assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
        assert policy["base-uri"] == ["'self'"] and policy["form-action"] == ["'self'"]
        assert "'unsafe-eval'" not in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_report_only_mode_sends_the_report_only_header(client, settings):
    from shuangfang.core.middleware import ContentSecurityPolicyMiddleware

    settings.CSP_REPORT_ONLY = True
    middleware = ContentSecurityPolicyMiddleware(lambda request: client.get("/login/"))
    response = middleware(None)
    assert "script-src 'self'" in response["Content-Security-Policy-Report-Only"]


_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/(?:ld\+)?json)[^>]*>", re.I)
_HANDLER = re.compile(r"""\son[a-z]+\s*=\s*["']""", re.I)


def test_no_template_has_inline_script_handlers_or_javascript_urls():
    """The policy forbids them: they would silently stop working in the browser."""
    found = []
    for path in sorted((ROOT / "shuangfang").rglob("templates/**/*.html")):
        text = path.read_text()
        for pattern in (_INLINE_SCRIPT, _HANDLER, re.compile(r"javascript:", re.I)):
            found += [f"{path.relative_to(ROOT)}: {m.group(0)}" for m in pattern.finditer(text)]
    assert found == []


def test_no_static_script_evaluates_strings():
    found = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "shuangfang").rglob("static/**/*.js")
        if re.search(r"\beval\(|\bFunction\(|setTimeout\(\s*['\"]", path.read_text())
    ]
    assert found == []


def test_proxy_ssl_header_setting_is_read_strictly(monkeypatch):
    monkeypatch.setenv("X_PROXY", "X-Forwarded-Proto=https")
    assert env_header_value("X_PROXY") == ("HTTP_X_FORWARDED_PROTO", "https")
    monkeypatch.setenv("X_PROXY", "HTTP_X_FORWARDED_PROTO = https")
    assert env_header_value("X_PROXY") == ("HTTP_X_FORWARDED_PROTO", "https")
    monkeypatch.setenv("X_PROXY", "")
    assert env_header_value("X_PROXY") is None
    for bad in ("X-Forwarded-Proto", "X-Forwarded-Proto: https", "=https", "X Proto=https"):
        monkeypatch.setenv("X_PROXY", bad)
        with pytest.raises(ImproperlyConfigured, match="X_PROXY"):
            env_header_value("X_PROXY")


def _production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "SITE_URL": "https://safety.example.gov.cn",
        "ALLOWED_HOSTS": "safety.example.gov.cn",
        "CSRF_TRUSTED_ORIGINS": "https://safety.example.gov.cn",
        "VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "SECURE_SSL_REDIRECT": "true",
        "SECURE_HSTS_SECONDS": "31536000",
        "SECURE_HSTS_PRELOAD": "true",
        "SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto=https",
        **extra,
    }


def _check_deploy(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_a_production_environment(tmp_path):
    out = _check_deploy(_production_env(tmp_path))
    assert out.returncode == 0, out.stdout + out.stderr
    assert "no issues" in out.stdout + out.stderr


def test_check_deploy_warns_while_https_settings_are_off(tmp_path):
    env = _production_env(tmp_path)
    for name in ("SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_HSTS_PRELOAD"):
        del env[name]
    out = _check_deploy(env)
    assert out.returncode != 0
    assert "security.W004" in out.stderr and "security.W008" in out.stderr


def test_settings_take_the_https_settings_from_the_environment(tmp_path):
    code = (
        "import shuangfang.config.settings as s; print(s.SECURE_PROXY_SSL_HEADER, s.SECURE_HSTS_SECONDS,"
        " s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.CONTENT_SECURITY_POLICY['img-src'])"
    )
    env = _production_env(
        tmp_path, S3_ENDPOINT_URL="https://oss.example.cn:9000/bucket", CSP_IMG_SRC="https://cdn.example.cn"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True)  # noqa: S603
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == (
        "('HTTP_X_FORWARDED_PROTO', 'https') 31536000 True True"
        " [\"'self'\", 'data:', 'https://cdn.example.cn', 'https://oss.example.cn:9000']"
    )


@pytest.mark.django_db
def test_ssl_redirect_leaves_the_health_probes_alone(settings):
    settings.SECURE_SSL_REDIRECT = True
    from django.test import Client

    plain = Client()
    assert plain.get("/login/").status_code == 301
    assert plain.get("/health").status_code == 200
    assert plain.get("/health/ready").status_code in (200, 503)  # answered, not redirected
    assert Client().get("/login/", headers={"X-Forwarded-Proto": "https"}).status_code == 301
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    assert Client().get("/login/", headers={"X-Forwarded-Proto": "https"}).status_code == 200
