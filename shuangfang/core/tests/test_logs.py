"""Structured logs: one JSON object a line with the request's id, user and institution; the id
comes back in ``X-Request-ID``; a proxy's id is kept when it is a plain token."""

from __future__ import annotations

import io
import json
import logging

import pytest

from shuangfang.core.logs import ContextFilter, JsonFormatter

pytestmark = pytest.mark.django_db


@pytest.fixture
def json_lines():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(ContextFilter())
    logger = logging.getLogger("shuangfang.request")
    old_level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    logger.removeHandler(handler)
    logger.setLevel(old_level)


def test_each_request_writes_one_json_line_with_its_id_user_and_institution(world, login, json_lines):
    officer = world.users["safety_officer"]
    response = login(officer).get("/hazards/", HTTP_X_REQUEST_ID="proxy-given-id-123")
    assert response.status_code == 200
    assert response["X-Request-ID"] == "proxy-given-id-123"
    lines = [line for line in json_lines() if line["path"] == "/hazards/"]
    assert len(lines) == 1
    line = lines[0]
    assert line["request_id"] == "proxy-given-id-123"
    assert line["user"] == str(officer.uuid)
    assert line["institution"] == str(world.inst_a.uuid)
    assert (line["method"], line["status"], line["level"]) == ("GET", 200, "INFO")
    assert isinstance(line["ms"], float) and line["ts"].endswith("+00:00")


def test_an_unsafe_request_id_is_replaced_and_an_anonymous_request_has_no_user(client, json_lines):
    response = client.get("/health", HTTP_X_REQUEST_ID='bad"\nid')
    new_id = response["X-Request-ID"]
    assert new_id != 'bad"\nid' and len(new_id) == 32
    (line,) = [line for line in json_lines() if line["path"] == "/health"]
    assert (line["request_id"], line["user"], line["institution"]) == (new_id, "", "")


def test_errors_carry_their_traceback_in_one_line():
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed %s", ("job",), None)
    try:
        raise ValueError("boom")
    except ValueError:
        import sys

        record.exc_info = sys.exc_info()
    ContextFilter().filter(record)
    out = JsonFormatter().format(record)
    assert "\n" not in out
    data = json.loads(out)
    assert data["message"] == "failed job" and "ValueError: boom" in data["exc"]
    assert data["request_id"] == ""
