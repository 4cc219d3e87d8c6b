"""Schemathesis over the whole JSON API (issue 13): every operation of the OpenAPI document, valid
and schema-violating requests, as a safety officer with an API token, through Django's WSGI handler
in the test's transaction. No answer may be a 5xx, undocumented, off its schema, or accept a request
that violates the schema.

Bounded and deterministic: ``derandomize`` (the examples follow from the test, not from luck), no
example database, ``FUZZ_EXAMPLES`` examples per operation and mode (default 12; raise it locally
for a deeper run: ``FUZZ_EXAMPLES=200 pytest tests/test_api_fuzz.py``)."""

from __future__ import annotations

import os
from uuid import UUID

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from shuangfang.config.api import api
from shuangfang.hazards.workflow import MOVES
from shuangfang.orgs import services as org_services

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "12"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]
# Operations that answer a file or start work outside the request; fuzzed elsewhere or not at all.
SKIP = {
    ("GET", "/api/v1/reports/{uuid}/pdf"),
    ("GET", "/api/v1/reports/{uuid}/xlsx"),
}


def _objects(world) -> dict[str, UUID]:
    """Real objects of the officer's institution, so that path parameters reach the services."""
    from shuangfang.hazards import services as hazard_services
    from shuangfang.risks import services as risk_services

    officer = world.users["safety_officer"]
    point = risk_services.create_risk_point(actor=officer, institution=world.inst_a, name="Kitchen")
    factor = risk_services.add_factor(
        actor=officer, point=point, description="Gas leak", factor_class="things", consequence="fire"
    )
    measure = risk_services.add_measure(
        actor=officer, factor=factor, category="engineering", description="Gas detector"
    )
    hazard = hazard_services.report_hazard(
        actor=officer, organization=world.inst_a, description="Loose cable", source="snap"
    )
    from shuangfang.publicreports.tests.factories import report_at

    public_report = report_at(world.inst_a)
    return {
        "/publicreports/reports/": public_report.uuid,
        "/risks/points/": point.uuid,
        "/risks/factors/": factor.uuid,
        "/risks/measures/": measure.uuid,
        "/hazards/hazards/": hazard.uuid,
        "/orgs/organizations/": world.inst_a.uuid,
        "/orgs/people/": officer.uuid,
        "/duty/institutions/": world.inst_a.uuid,
    }


def _operations():
    schema = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix="/api/v1"))
    schema.app = WSGIHandler()
    for result in schema.get_all_operations():
        operation = result.ok()  # type: ignore[union-attr]
        if (operation.method.upper(), operation.path) not in SKIP:
            yield operation


OPERATIONS = list(_operations())


@pytest.fixture
def _keep_connection():
    """Like Django's test client: the WSGI handler must not close the database connection at the
    end of each request, or the test's transaction (PostgreSQL) is gone after the first one."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: f"{op.method.upper()} {op.path}")
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=str)
@pytest.mark.usefixtures("_keep_connection")
def test_api_answers_within_its_schema(world, operation, mode):
    _t, raw = org_services.issue_api_token(
        actor=world.users["safety_officer"], name="fuzz", scope="read_write"
    )
    headers = {"Authorization": f"Bearer {raw}"}
    known = _objects(world)
    real = next(
        (uuid for prefix, uuid in known.items() if operation.path.startswith(f"/api/v1{prefix}")), None
    )

    @given(case=operation.as_strategy(generation_mode=mode), move=st.sampled_from(sorted(MOVES)))
    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case, move):
        # Valid requests reach a real object, move and institution; invalid ones keep what was generated.
        if mode is GenerationMode.POSITIVE:
            params = case.path_parameters or {}
            if real is not None and "uuid" in params:
                params["uuid"] = str(real)
            if "action" in params:
                params["action"] = move
            if isinstance(case.body, dict) and "institution" in case.body:
                case.body["institution"] = str(world.inst_a.uuid)
        case.call_and_validate(headers=headers, checks=CHECKS)

    run()
