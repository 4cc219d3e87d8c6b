"""Issue 13, input limits: each finding of the attack on the demo, as a regression test."""

from __future__ import annotations

import io
import json
import struct
import time
import uuid
import zlib
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from openpyxl import Workbook
from PIL import Image

from shuangfang.config.api import api
from shuangfang.core.uploads import check_image
from shuangfang.hazards import services as hazard_services
from shuangfang.hazards.models import Hazard
from shuangfang.orgs import services as org_services
from shuangfang.orgs.tests.factories import make_person
from shuangfang.risks import services as risk_services
from shuangfang.risks.inventory import import_inventory


@pytest.fixture(autouse=True)
def _english():
    """The reasons are matched in English (the default language is Chinese)."""
    with translation.override("en"):
        yield


def _bomb_png(width: int = 12_000, height: int = 12_000) -> bytes:
    """A tiny PNG whose header claims ``width`` x ``height`` pixels (the attack's 420 KB file)."""
    out = io.BytesIO()
    Image.new("1", (8, 8)).save(out, format="PNG")
    data = bytearray(out.getvalue())
    ihdr = bytes(data[12:16]) + struct.pack(">II", width, height) + bytes(data[24:29])
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(ihdr))
    return bytes(data)


def _auth(user) -> dict:
    _t, raw = org_services.issue_api_token(actor=user, name="t", scope="read_write")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_a_decompression_bomb_is_refused_before_decoding():
    upload = SimpleUploadedFile("bomb.png", _bomb_png(), content_type="image/png")
    started = time.monotonic()
    with pytest.raises(ValidationError, match="megapixels"):
        check_image(upload)
    assert time.monotonic() - started < 1


def test_the_pixel_limit_is_a_setting(settings):
    settings.IMAGE_MAX_PIXELS = 1_000_000
    out = io.BytesIO()
    Image.new("RGB", (1100, 1000)).save(out, format="JPEG")
    with pytest.raises(ValidationError, match="1 megapixels"):
        check_image(SimpleUploadedFile("big.jpg", out.getvalue()))


@pytest.mark.django_db
def test_a_bomb_photo_on_the_api_is_a_400_with_the_reason(world, client):
    officer = world.users["safety_officer"]
    r = client.post(
        "/api/v1/hazards/hazards",
        {"institution": str(world.inst_a.uuid), "description": "Leak", "photos": [io.BytesIO(_bomb_png())]},
        **_auth(officer),
    )
    assert r.status_code == 400, r.content
    assert "40" in r.json()["detail"]  # the limit in megapixels, in the user's language
    assert not Hazard.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/hazards/hazards",
        "/api/v1/hazards/mem",
        "/api/v1/risks/points",
        "/api/v1/orgs/organizations",
        "/api/v1/orgs/people",
        "/api/v1/notifications/inbox",
        "/api/v1/inspections/tasks",
    ],
)
def test_an_offset_past_the_bound_is_a_422_not_a_500(world, client, path):
    r = client.get(path, {"offset": 2**63}, **_auth(world.users["safety_officer"]))
    assert r.status_code == 422, r.content


@pytest.mark.django_db
@pytest.mark.parametrize("what", ["point", "factor", "measure"])
def test_patch_with_an_explicit_null_is_a_422(world, client, what):
    officer = world.users["safety_officer"]
    point = risk_services.create_risk_point(actor=officer, institution=world.inst_a, name="Kitchen")
    factor = risk_services.add_factor(actor=officer, point=point, description="Gas", factor_class="things")
    measure = risk_services.add_measure(
        actor=officer, factor=factor, category="engineering", description="Detector"
    )
    path, field = {
        "point": (f"/api/v1/risks/points/{point.uuid}", "area"),
        "factor": (f"/api/v1/risks/factors/{factor.uuid}", "consequence"),
        "measure": (f"/api/v1/risks/measures/{measure.uuid}", "responsible_name"),
    }[what]
    r = client.patch(path, json.dumps({field: None}), content_type="application/json", **_auth(officer))
    assert r.status_code == 422, r.content
    assert field in json.dumps(r.json()["detail"])


@pytest.mark.django_db
@pytest.mark.parametrize(("field", "length"), [("title", 10_000), ("description", 3_000_000)])
def test_overlong_text_is_refused_with_the_reason_never_cut(world, client, field, length):
    body = {"institution": str(world.inst_a.uuid), "description": "Leak", field: "x" * length}
    r = client.post(
        "/api/v1/hazards/hazards",
        json.dumps(body),
        content_type="application/json",
        **_auth(world.users["safety_officer"]),
    )
    assert r.status_code == 400, r.content[:300]
    assert field in r.json()["detail"]
    assert not Hazard.objects.exists()


@pytest.mark.django_db
def test_the_service_refuses_an_overlong_title_instead_of_cutting_it(world):
    with pytest.raises(ValidationError, match="120"):
        hazard_services.report_hazard(
            actor=world.users["safety_officer"],
            organization=world.inst_a,
            description="Leak",
            source="snap",
            title="t" * 121,
        )
    assert not Hazard.objects.exists()


@pytest.mark.django_db
def test_a_lone_surrogate_in_json_is_a_400(world, client):
    r = client.post(
        "/api/v1/risks/points",
        b'{"institution": "%s", "name": "\\ud800"}' % str(world.inst_a.uuid).encode(),
        content_type="application/json",
        **_auth(world.users["safety_officer"]),
    )
    assert r.status_code == 400, r.content


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["responsible", "duplicate_of"])
def test_a_foreign_id_answers_like_a_random_one(world, client, field):
    officer = world.users["safety_officer"]
    hazard = hazard_services.report_hazard(
        actor=officer, organization=world.inst_a, description="Leak", source="snap"
    )
    if field == "responsible":
        foreign = make_person(world.root, "foreign_worker", world.inst_b, "staff").uuid
        action = "assign"
    else:
        foreign = hazard_services.report_hazard(
            actor=world.users["admin"], organization=world.inst_b, description="Other", source="snap"
        ).uuid
        action = "mark_duplicate"
    answers = []
    for value in (foreign, uuid.uuid4()):
        r = client.post(
            f"/api/v1/hazards/hazards/{hazard.uuid}/actions/{action}",
            json.dumps(
                {field: str(value), "note": "n", **({"grade": "general"} if field == "responsible" else {})}
            ),
            content_type="application/json",
            **_auth(officer),
        )
        answers.append((r.status_code, r.json()))
    assert answers[0] == answers[1]
    assert answers[0][0] == 400


def test_the_openapi_document_declares_the_error_answers():
    schema = api.get_openapi_schema(path_prefix="/api/v1")
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            missing = {"400", "401", "403", "404", "422"} - {str(code) for code in operation["responses"]}
            assert not missing, (method, path, missing)


def _xlsx(rows: list[list]) -> SimpleUploadedFile:
    wb = Workbook()
    ws: Any = wb.active
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return SimpleUploadedFile("i.xlsx", out.getvalue())


def _header() -> list[str]:
    from shuangfang.risks.inventory import headers

    return headers()


@pytest.mark.django_db
def test_an_empty_import_is_an_error_not_success(world):
    with pytest.raises(ValidationError, match="nothing was imported"):
        import_inventory(
            actor=world.users["safety_officer"], institution=world.inst_a, upload=_xlsx([_header()])
        )


@pytest.mark.django_db
def test_blank_rows_count_towards_the_import_row_limit(world, settings):
    settings.IMPORT_MAX_ROWS = 50
    rows = [_header()] + [[None] * 3] * 60 + [["", "", ""]]
    rows[-1] = ["x"]  # the sheet's dimension reaches past the limit, most rows are blank
    with pytest.raises(ValidationError, match="more than 50 rows"):
        import_inventory(actor=world.users["safety_officer"], institution=world.inst_a, upload=_xlsx(rows))


@pytest.mark.django_db
def test_a_corrupt_xlsx_is_refused_with_the_reason(world):
    good = _xlsx([_header(), ["x"]]).read()
    broken = SimpleUploadedFile("i.xlsx", good[: len(good) // 2])
    with pytest.raises(ValidationError, match="Excel"):
        import_inventory(actor=world.users["safety_officer"], institution=world.inst_a, upload=broken)


@pytest.mark.django_db
@pytest.mark.parametrize("since", ["-3668", "0664-09-12T07:07:34.77+23:27"])
def test_mem_since_takes_iso_datetimes_only_and_any_offset(world, client, since):
    r = client.get("/api/v1/hazards/mem", {"since": since}, **_auth(world.users["admin"]))
    assert r.status_code == (422 if since == "-3668" else 200), r.content


def test_the_openapi_document_has_no_duplicate_keys(world, login):
    """An error answer declared twice (as 400 and "400") makes two equal JSON keys, which Swagger UI
    refuses to read (a YAMLException, the docs page stays empty)."""
    import json

    duplicates: list[list[str]] = []

    def pairs(items):
        keys = [k for k, _ in items]
        duplicates.extend(
            sorted({k for k in keys if keys.count(k) > 1}) for _ in [0] if len(set(keys)) < len(keys)
        )
        return dict(items)

    body = login(world.users["safety_officer"]).get("/api/v1/openapi.json").content.decode()
    json.loads(body, object_pairs_hook=pairs)
    assert duplicates == []
