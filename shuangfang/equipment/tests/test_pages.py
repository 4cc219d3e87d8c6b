import datetime as dt

import pytest
from django.urls import reverse

from shuangfang.equipment.models import Camera, Equipment, Recorder, Visit

from .conftest import pdf

pytestmark = pytest.mark.django_db


def test_register_edit_visit_through_the_pages(world, login, point):
    client = login(world.users["safety_officer"])
    resp = client.post(
        reverse("equipment:create"),
        {
            "organization": world.inst_a.pk,
            "kind": "extinguisher_co2",
            "name": "配电室灭火器",
            "risk_point": point.uuid,
            "manufactured_on": "2024-02-01",
        },
    )
    item = Equipment.objects.get()
    assert resp.status_code == 302 and resp["Location"] == item.get_absolute_url()
    assert item.expires_on == dt.date(2036, 2, 1)  # CO2: 12 years
    # bad input: the page says why, nothing changes
    resp = client.post(
        reverse("equipment:edit", args=[item.uuid]),
        {"name": "配电室灭火器", "installed_on": "2030-01-01", "expires_on": "2029-01-01"},
    )
    assert resp.status_code == 200 and "须晚于安装日期" in resp.content.decode()
    resp = client.post(
        reverse("equipment:edit", args=[item.uuid]), {"name": "配电室灭火器", "life_years": "-3"}
    )
    assert resp.status_code == 200
    item.refresh_from_db()
    assert item.life_years == 12
    resp = client.post(
        reverse("equipment:edit", args=[item.uuid]),
        {
            "name": "配电室 CO2 灭火器",
            "risk_point": point.uuid,
            "manufactured_on": "2024-02-01",
            "life_years": "10",
        },
    )
    item.refresh_from_db()
    assert (
        resp.status_code == 302
        and item.name == "配电室 CO2 灭火器"
        and item.expires_on == dt.date(2034, 2, 1)
    )
    resp = client.post(
        reverse("equipment:visit_add", args=[item.uuid]),
        {"kind": "maintenance", "visited_on": "2025-03-01", "contractor": "汴州消防维保", "report": pdf()},
    )
    assert resp.status_code == 302
    visit = Visit.objects.get()
    assert visit.report is not None
    doc = client.get(reverse("equipment:document", args=[visit.report.uuid]))
    assert doc.status_code == 200 and b"".join(doc.streaming_content).startswith(b"%PDF")
    assert (
        login(world.users["outsider"])
        .get(reverse("equipment:document", args=[visit.report.uuid]))
        .status_code
        == 404
    )


def test_recorder_and_camera_pages(world, login, point):
    client = login(world.users["safety_officer"])
    resp = client.post(
        reverse("equipment:recorder_create"),
        {
            "organization": world.inst_a.pk,
            "name": "NVR",
            "adapter": "isapi",
            "base_url": "",
            "retention_months": "3",
        },
    )
    assert (
        resp.status_code == 200 and "http://" in resp.content.decode()
    )  # an HTTP recorder needs its address
    resp = client.post(
        reverse("equipment:recorder_create"),
        {
            "organization": world.inst_a.pk,
            "name": "NVR",
            "adapter": "isapi",
            "base_url": "http://192.168.1.64",
            "retention_months": "3",
        },
    )
    rec = Recorder.objects.get()
    resp = client.post(
        reverse("equipment:camera_create"),
        {
            "recorder": rec.uuid,
            "channel": "1",
            "name": "大门",
            "risk_point": point.uuid,
            "live_url": "https://v.example.com/1",
        },
    )
    cam = Camera.objects.get()
    assert resp.status_code == 302
    page = client.get(cam.get_absolute_url()).content.decode()
    assert "https://v.example.com/1" in page
    resp = client.post(
        reverse("equipment:camera_create"), {"recorder": rec.uuid, "channel": "1", "name": "重复"}
    )
    assert resp.status_code == 200 and Camera.objects.count() == 1
