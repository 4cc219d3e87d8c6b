import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from shuangfang.config.env import env_bool, env_int, env_list, env_secret


def test_env_bool_rejects_words_it_does_not_know(monkeypatch):
    monkeypatch.setenv("X_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="X_FLAG"):
        env_bool("X_FLAG")
    monkeypatch.setenv("X_FLAG", "Yes")
    assert env_bool("X_FLAG") is True


def test_env_int_rejects_text_and_values_below_minimum(monkeypatch):
    monkeypatch.setenv("X_INT", "ten")
    with pytest.raises(ImproperlyConfigured):
        env_int("X_INT", 1)
    monkeypatch.setenv("X_INT", "0")
    with pytest.raises(ImproperlyConfigured, match="at least 1"):
        env_int("X_INT", 5, minimum=1)


def test_env_list_and_secret_from_file(monkeypatch, tmp_path):
    monkeypatch.setenv("X_LIST", "a, b,,c")
    assert env_list("X_LIST") == ["a", "b", "c"]
    secret = tmp_path / "s"
    secret.write_text("s3cret\n")
    monkeypatch.setenv("X_SECRET_FILE", str(secret))
    assert env_secret("X_SECRET", required=True) == "s3cret"
    monkeypatch.delenv("X_SECRET_FILE")
    with pytest.raises(ImproperlyConfigured, match="X_SECRET is required"):
        env_secret("X_SECRET", required=True)


def test_settings_refuse_to_start_without_secret_key_outside_debug(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "DEBUG": "false", "VAR_DIR": str(tmp_path), "HOME": str(tmp_path)}
    code = "import shuangfang.config.settings"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=".")
    assert out.returncode != 0
    assert "SECRET_KEY is required" in out.stderr
    env["SECRET_KEY"] = "x" * 50
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=".")
    assert out.returncode == 0, out.stderr


def test_settings_reject_a_malformed_database_url(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "DEBUG": "true", "VAR_DIR": str(tmp_path), "DATABASE_URL": "nosuchdb://x"}
    out = subprocess.run(
        [sys.executable, "-c", "import shuangfang.config.settings"], env=env, capture_output=True, text=True
    )
    assert out.returncode != 0
    assert "DATABASE_URL" in out.stderr


def test_the_key_make_run_generated_serves_when_no_secret_is_set(tmp_path):
    (tmp_path / "secret_key").write_text("k" * 50 + "\n")
    env = {"PATH": "/usr/bin:/bin", "DEBUG": "false", "VAR_DIR": str(tmp_path), "HOME": str(tmp_path)}
    code = "import shuangfang.config.settings as s; print(s.SECRET_KEY)"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=".")
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "k" * 50
