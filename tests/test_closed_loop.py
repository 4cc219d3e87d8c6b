"""The loop across apps: a sensor alarm reaches whoever is on duty and becomes a hazard; an inspection
problem becomes exactly one hazard with its photo and risk point; a hazard reported from a risk
point's page is tied to that risk point."""

from __future__ import annotations

import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from shuangfang.duty import services as duty
from shuangfang.hazards.models import Hazard
from shuangfang.inspections.checklists import create_checklist, create_checkpoint
from shuangfang.inspections.models import Task
from shuangfang.inspections.plans import create_plan, generate_tasks
from shuangfang.inspections.records import Answer
from shuangfang.inspections.taskflow import submit_record
from shuangfang.monitoring.devices import register_device
from shuangfang.monitoring.ingestion import ingest
from shuangfang.monitoring.models import Alarm
from shuangfang.monitoring.rules import ensure_default_rules, invalidate_rules
from shuangfang.monitoring.schemas import Payload
from shuangfang.notifications import engine
from shuangfang.notifications.models import Incident, Notification
from shuangfang.risks import services as risks


def photo() -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (180, 20, 20)).save(buf, format="JPEG")
    return SimpleUploadedFile("p.jpg", buf.getvalue(), content_type="image/jpeg")


def test_a_smoke_alarm_reaches_the_person_on_duty_and_opens_one_hazard(
    world, django_capture_on_commit_callbacks, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    officer = world.users["safety_officer"]
    ensure_default_rules()
    invalidate_rules()
    point = risks.create_risk_point(actor=officer, institution=world.inst_a, name="宿舍 201")
    smoke, _token = register_device(
        actor=officer,
        organization=world.inst_a,
        kind="smoke",
        code="SM-LOOP",
        name="宿舍烟感",
        risk_point=point,
    )
    duty.save_shift(
        actor=world.users["institution_head"],
        organization=world.inst_a,
        members=[world.users["staff"]],
        name="全天值班",
        start_time=dt.time(0, 0),
        duration_minutes=24 * 60,
        rotation_start=timezone.localdate() - dt.timedelta(days=1),
    )
    now = timezone.now()
    alarm = Payload.model_validate(
        {"device_id": "SM-LOOP", "ts": now.isoformat(), "type": "alarm", "code": "smoke", "msg_id": "m1"}
    )
    with django_capture_on_commit_callbacks(execute=True):
        ingest([(smoke, alarm)], transport="test", now=now)
    with django_capture_on_commit_callbacks(execute=True):  # the same alarm again: still one of each
        again = Payload.model_validate(
            {
                "device_id": "SM-LOOP",
                "ts": (now + dt.timedelta(seconds=5)).isoformat(),
                "type": "alarm",
                "code": "smoke",
                "msg_id": "m2",
            }
        )
        ingest([(smoke, again)], transport="test", now=now + dt.timedelta(seconds=5))

    opened = Alarm.objects.get(device=smoke)
    incident = Incident.objects.get(source_kind="alarm", source_uuid=str(opened.uuid))
    with django_capture_on_commit_callbacks(execute=True):
        engine.run_escalations(now=timezone.now() + dt.timedelta(seconds=1))
    told = set(Notification.objects.filter(incident=incident).values_list("recipient__username", flat=True))
    assert "cook_a" in told  # whoever is on duty is told first
    hazards = Hazard.objects.filter(origin=f"alarm:{opened.uuid}")
    assert hazards.count() == 1
    assert hazards.get().source == "sensor"


def test_an_inspection_problem_becomes_exactly_one_hazard_with_its_photo_and_risk_point(
    world, django_capture_on_commit_callbacks, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    officer = world.users["safety_officer"]
    point = risks.create_risk_point(actor=officer, institution=world.inst_a, name="厨房")
    checklist = create_checklist(
        actor=officer,
        organization=world.inst_a,
        name="厨房日查",
        kind="post",
        category="food",
        library_codes=["C04"],
    )
    cp = create_checkpoint(actor=officer, organization=world.inst_a, name="厨房", risk_point=point)
    plan = create_plan(
        actor=officer,
        organization=world.inst_a,
        name="厨房每小时",
        checklist=checklist,
        checkpoints=[cp],
        frequency="hours",
        rule={"interval_hours": 1},
        assignee_kind="post",
        assignee_post=world.post_a,
    )
    generate_tasks(organizations=[world.inst_a])
    task = Task.objects.filter(
        plan=plan, window_start__lte=timezone.now(), window_end__gt=timezone.now()
    ).get()
    item = checklist.items.get()
    with django_capture_on_commit_callbacks(execute=True):
        submit_record(
            actor=world.users["staff"],
            task=task,
            answers=[Answer(str(item.uuid), "problem", "灭火毯过期", [photo()])],
        )
    hazard = Hazard.objects.get(origin__startswith="inspection-item:")
    assert hazard.risk_point == point and hazard.source == "routine" and hazard.category == "food"
    assert hazard.reporter == world.users["staff"]
    assert hazard.photos.count() == 1
    assert Hazard.objects.count() == 1


def test_a_hazard_reported_from_a_risk_points_page_is_tied_to_it(world, login, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    point = risks.create_risk_point(
        actor=world.users["safety_officer"], institution=world.inst_a, name="锅炉房"
    )
    client = login(world.users["staff"])
    page = client.get(f"/hazards/report/?risk_point={point.uuid}").content.decode()
    assert "锅炉房" in page
    response = client.post(
        "/hazards/report/",
        {
            "risk_point": str(point.uuid),
            "description": "压力表损坏",
            "location": "",
            "organization": world.inst_a.pk,
            "source": "snap",
            "category": "",
            "photos": photo(),
        },
    )
    assert response.status_code == 302
    hazard = Hazard.objects.get()
    assert hazard.risk_point == point and point.code in hazard.location
    assert login(world.users["outsider"]).get(f"/hazards/report/?risk_point={point.uuid}").status_code == 404
