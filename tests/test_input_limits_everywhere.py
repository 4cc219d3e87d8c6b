"""Issue 13, input limits everywhere: the API inputs outside hazards and risks declare their limits
(a longer value is a 422 or a 400 with the reason), and no service cuts text a person typed."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from openpyxl import Workbook

from shuangfang.assessment import services as assessment_services
from shuangfang.assessment.choices import DEFAULT_RULES
from shuangfang.assessment.models import ScoringScheme
from shuangfang.config.api import api
from shuangfang.inspections.records import Answer, AnswerErrors, check_answers, check_texts
from shuangfang.monitoring.models import Alarm
from shuangfang.monitoring.tests.matrix import alarm as alarm_kwargs
from shuangfang.orgs import services as org_services
from shuangfang.risks.inventory import headers, import_inventory
from shuangfang.risks.models import RiskPoint


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _auth(user) -> dict:
    _t, raw = org_services.issue_api_token(actor=user, name="t", scope="read_write")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def _post(client, path: str, body: dict, user) -> Any:
    return client.post(path, json.dumps(body), content_type="application/json", **_auth(user))


def _string_properties(schema: dict, components: dict) -> list[tuple[str, dict]]:
    if "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[1]]
    out = []
    for name, prop in schema.get("properties", {}).items():
        variants = prop.get("anyOf", [prop])
        variants += [v["items"] for v in variants if v.get("type") == "array"]
        for v in variants:
            # a decimal number may be written as text: its digits are limited (max_digits)
            decimal = "pattern" in v or any(w.get("type") == "number" for w in variants)
            if (
                v.get("type") == "string"
                and not decimal
                and v.get("format") not in {"uuid", "date", "date-time", "binary"}
            ):
                out.append((name, v))
    return out


def test_every_text_input_of_the_api_declares_a_max_length():
    """Every text parameter and body field of every operation (query, JSON, multipart) has a
    ``maxLength`` in the OpenAPI document (ids, dates and enumerations aside)."""
    schema = api.get_openapi_schema(path_prefix="/api/v1")
    components = schema["components"]["schemas"]
    missing = []
    for path, operations in schema["paths"].items():
        for method, op in operations.items():
            for param in op.get("parameters", []):
                if param["in"] == "path":
                    continue
                for name, v in _string_properties({"properties": {param["name"]: param["schema"]}}, {}):
                    if "maxLength" not in v and "enum" not in v:
                        missing.append((method, path, name))
            for content in op.get("requestBody", {}).get("content", {}).values():
                for name, v in _string_properties(content["schema"], components):
                    if "maxLength" not in v and "enum" not in v:
                        missing.append((method, path, name))
    assert not missing, missing


@pytest.mark.django_db
@pytest.mark.parametrize(("action", "body"), [("acknowledge", {}), ("clear", {"reason": "maintenance"})])
def test_an_overlong_alarm_note_is_a_422(world, client, action, body):
    uuid = alarm_kwargs(world)["uuid"]
    r = _post(
        client,
        f"/api/v1/monitoring/alarms/{uuid}/{action}",
        {**body, "note": "n" * 301},
        world.users["safety_officer"],
    )
    assert r.status_code == 422, r.content[:300]
    assert "note" in json.dumps(r.json()["detail"])
    assert Alarm.objects.get(uuid=uuid).note == ""


@pytest.mark.django_db
def test_a_clear_note_that_would_not_fit_after_the_earlier_note_is_refused_not_cut(world, client):
    uuid = alarm_kwargs(world)["uuid"]
    officer = world.users["safety_officer"]
    assert (
        _post(
            client, f"/api/v1/monitoring/alarms/{uuid}/acknowledge", {"note": "a" * 200}, officer
        ).status_code
        == 200
    )
    r = _post(
        client,
        f"/api/v1/monitoring/alarms/{uuid}/clear",
        {"reason": "maintenance", "note": "b" * 200},
        officer,
    )
    assert r.status_code == 400, r.content[:300]
    assert "300" in r.json()["detail"]
    alarm = Alarm.objects.get(uuid=uuid)
    assert alarm.note == "a" * 200 and alarm.cleared_at is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/api/v1/orgs/people", {"q": "x" * 10_000}),
        ("/api/v1/orgs/organizations", {"kind": "x" * 10_000}),
        ("/api/v1/monitoring/alarms", {"status": "x" * 10_000}),
        ("/api/v1/monitoring/devices", {"kind": "x" * 10_000}),
        ("/api/v1/inspections/tasks", {"status": "x" * 10_000}),
        ("/api/v1/hazards/hazards", {"q": "x" * 10_000}),
    ],
)
def test_an_overlong_query_filter_is_a_422(world, client, path, params):
    r = client.get(path, params, **_auth(world.users["admin"]))
    assert r.status_code == 422, r.content[:300]


@pytest.mark.django_db
def test_an_overlong_report_period_is_a_422(world, client):
    r = _post(
        client,
        f"/api/v1/reports/organizations/{world.inst_a.uuid}/reports",
        {"period": "2026-" + "1" * 10_000},
        world.users["admin"],
    )
    assert r.status_code == 422, r.content[:300]


@pytest.mark.django_db
def test_an_overlong_assessment_period_is_a_422(world, client):
    r = client.get(
        f"/api/v1/assessment/bureaus/{world.bureau.uuid}/scores",
        {"period": "2" * 10_000},
        **_auth(world.users["bureau_supervisor"]),
    )
    assert r.status_code == 422, r.content[:300]


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["note", "answers"])
def test_an_overlong_inspection_record_field_is_a_422(world, client, settings, field):
    """The multipart form fields of the record endpoint are refused by the schema, before the task is
    even looked at."""
    import uuid

    length = {"note": settings.TEXT_MAX_CHARS + 1, "answers": 10_000_000}[field]
    r = client.post(
        f"/api/v1/inspections/tasks/{uuid.uuid4()}/record",
        {field: "x" * length},
        **_auth(world.users["staff"]),
    )
    assert r.status_code == 422, r.content[:300]


@pytest.mark.django_db
def test_the_scheme_note_is_refused_past_its_limit_not_cut(world):
    with pytest.raises(ValidationError, match="200"):
        assessment_services.save_scheme(
            actor=world.users["bureau_supervisor"], bureau=world.bureau, rules=DEFAULT_RULES, note="n" * 201
        )
    assert not ScoringScheme.objects.exists()


def test_an_inspection_item_note_is_refused_past_its_limit_not_cut():
    class Item:
        uuid = "i1"
        requires_photo = False

    errors = check_answers([Item()], {"i1": Answer("i1", "ok", "n" * 501)})  # type: ignore[list-item]
    assert "500" in errors["i1"]
    assert not check_answers([Item()], {"i1": Answer("i1", "ok", "n" * 500)})  # type: ignore[list-item]
    assert issubclass(AnswerErrors, ValidationError)


def test_a_bureau_inspection_location_is_refused_past_its_limit_not_cut():
    with pytest.raises(ValidationError, match="160"):
        check_texts("", "l" * 161)


def _xlsx(rows: list[list]) -> SimpleUploadedFile:
    wb = Workbook()
    ws: Any = wb.active
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return SimpleUploadedFile("i.xlsx", out.getvalue())


@pytest.mark.django_db
def test_an_overlong_basis_in_an_import_is_a_row_error_not_cut(world):
    head = [str(h) for h in headers()]
    row = dict.fromkeys(head, "")
    values = {
        "Risk point name": "Kitchen",
        "Hazard factor": "Gas leak",
        "Basis": "b" * 201,
    }
    row.update({k: v for k, v in values.items() if k in row})
    assert "Basis" in row, head
    result = import_inventory(
        actor=world.users["safety_officer"],
        institution=world.inst_a,
        upload=_xlsx([head, [row[h] for h in head]]),
    )
    assert [e.column for e in result.errors] == ["Basis"], result.errors
    assert "limit is 200" in result.errors[0].message
    assert not RiskPoint.objects.exists()
