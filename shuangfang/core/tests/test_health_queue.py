"""/health/ready names a worker queue that piles up (no worker running, or too few)."""

from __future__ import annotations

import pytest
from huey.contrib.djhuey import HUEY

pytestmark = pytest.mark.django_db


def test_ready_reports_the_queue_and_fails_when_it_piles_up(client, settings, monkeypatch):
    body = client.get("/health/ready").json()
    assert isinstance(body["queue_pending"], int)  # read from the real queue storage
    settings.HEALTH_QUEUE_MAX = 10
    monkeypatch.setattr(HUEY, "pending_count", lambda: 11)
    r = client.get("/health/ready")
    assert r.status_code == 503 and "queue_backlog" in r.json()["problems"]
    monkeypatch.setattr(HUEY, "pending_count", lambda: 10)
    r = client.get("/health/ready")
    assert r.status_code == 200 and r.json()["queue_pending"] == 10
