"""The domain apps are listed, not found by scanning folders: ``INSTALLED_APPS`` in settings, the URL
prefixes in ``config/urls.py``, the API routers in ``config/api.py``. A forgotten app fails here."""

from __future__ import annotations

from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.urls import get_resolver

from shuangfang.config.api import api

PACKAGE_DIR = Path(__file__).resolve().parent.parent / "shuangfang"
APP_PACKAGES = sorted(p.name for p in PACKAGE_DIR.iterdir() if (p / "apps.py").is_file())


def test_every_app_package_is_installed():
    installed = {c.name for c in apps.get_app_configs()}
    missing = [name for name in APP_PACKAGES if f"shuangfang.{name}" not in installed]
    assert not missing, f"app packages not in INSTALLED_APPS (shuangfang/config/settings.py): {missing}"
    assert settings.INSTALLED_APPS[:2] == ["shuangfang.core", "shuangfang.orgs"]


def test_every_app_with_pages_is_mounted_at_its_label():
    mounted = {
        getattr(p, "urlconf_name", None).__name__: str(p.pattern)  # type: ignore[union-attr]
        for p in get_resolver().url_patterns
        if hasattr(getattr(p, "urlconf_name", None), "__name__")
    }
    for name in APP_PACKAGES:
        if (PACKAGE_DIR / name / "urls.py").is_file():
            module = f"shuangfang.{name}.urls"
            # core's operations page and health checks sit at the root (/ops/…, /health).
            prefix = "" if name == "core" else f"{name}/"
            assert mounted.get(module) == prefix, f"{module} is not listed in config/urls.py"


def test_every_app_with_an_api_has_its_router_listed():
    prefixes = {prefix for prefix, _router in api._routers}
    for name in APP_PACKAGES:
        # core/api.py holds the API's shared pieces (pagination, strict parser, error answers), no router.
        if name != "core" and (PACKAGE_DIR / name / "api.py").is_file():
            assert f"/{name}/" in prefixes, f"shuangfang.{name}.api.router is not listed in config/api.py"
