import pytest


@pytest.fixture(autouse=True)
def _english(settings):
    """Messages are checked in English here; core/tests/test_i18n.py checks the Chinese."""
    settings.LANGUAGE_CODE = "en"
