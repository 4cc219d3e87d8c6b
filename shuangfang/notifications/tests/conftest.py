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
def _fresh_templates():
    texts.forget()
    yield
    texts.forget()
