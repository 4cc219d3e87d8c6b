from __future__ import annotations

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PUBLIC_REPORT_COOLING_SECONDS = 120
    settings.PUBLIC_REPORT_PER_ADDRESS = 6
    settings.PUBLIC_REPORT_PER_POSTER = 30
    with translation.override("en"):
        yield


@pytest.fixture
def officer(world):
    return world.users["safety_officer"]


@pytest.fixture
def point(world):
    from shuangfang.risks.services import create_risk_point

    return create_risk_point(actor=world.users["admin"], institution=world.inst_a, name="厨房")
