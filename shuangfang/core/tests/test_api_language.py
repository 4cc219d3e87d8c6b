"""The API answers in one language per request: the 400, 403 and 404 reasons alike, Chinese by
default and English for a request that asks for English."""

from __future__ import annotations

import re
import uuid

import pytest

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_refusals_are_in_the_language_of_the_request(world, login, lang):
    client = login(world.users["staff"])
    headers = {"HTTP_ACCEPT_LANGUAGE": lang}
    denied = client.get("/api/v1/orgs/people", **headers)
    missing = client.get(f"/api/v1/orgs/organizations/{uuid.uuid4()}", **headers)
    assert (denied.status_code, missing.status_code) == (403, 404)
    for response in (denied, missing):
        detail = response.json()["detail"]
        assert bool(CJK.search(detail)) == (lang == "zh-hans"), detail
