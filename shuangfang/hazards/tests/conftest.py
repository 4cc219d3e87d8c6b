from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from shuangfang.hazards import services
from shuangfang.hazards.choices import Source


def jpeg(name: str = "photo.jpg", color=(200, 80, 40)) -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), color).save(buf, format="JPEG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/jpeg")


def soon(days: int = 7) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


@pytest.fixture
def report(world):
    def _report(who: str = "staff", **kw):
        kw.setdefault("description", "厨房灭火器过期")
        kw.setdefault("source", Source.SNAP)
        kw.setdefault("location", "厨房")
        return services.report_hazard(actor=world.users[who], organization=kw.pop("org", world.inst_a), **kw)

    return _report


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }


@pytest.fixture
def captured():
    """Hazard events published during the test (in the outbox), as (kind, payload) pairs."""
    from shuangfang.core.events import Published

    return Published("hazard.*")


@pytest.fixture(autouse=True)
def _english():
    """Messages are matched in English here; event titles are Chinese whatever the language."""
    from django.utils import translation

    with translation.override("en"):
        yield
