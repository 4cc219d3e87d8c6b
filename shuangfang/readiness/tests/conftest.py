import pytest
import time_machine
from django.utils import translation

from .helpers import at


@pytest.fixture(autouse=True)
def _clock():
    """Every readiness test starts on 1 March 2026 (before the world is built, so people join then);
    a test moves the clock further itself. Messages in English, the language of the code."""
    with time_machine.travel(at(2026, 3, 1, 8), tick=False) as clock, translation.override("en"):
        yield clock
