import pytest

from shuangfang.notifications import texts

from . import receiver as receiver_module


@pytest.fixture
def receiver():
    rec = receiver_module.start()
    yield rec
    rec.server.shutdown()
    rec.server.server_close()


@pytest.fixture(autouse=True)
def _local_receivers_allowed(settings):
    """The receivers stand in for providers on 127.0.0.1, which outbound requests may not reach
    unless the operator allows it: these tests allow exactly that address (tests of the guard
    itself set their own list)."""
    settings.OUTBOUND_ALLOW = ["127.0.0.1/32"]


@pytest.fixture(autouse=True)
def _fresh_templates():
    texts.forget()
    yield
    texts.forget()
