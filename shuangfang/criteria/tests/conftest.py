import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english():
    """Messages are matched in English here; the Chinese ones are checked by core/tests/test_i18n."""
    with translation.override("en"):
        yield
