import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from shuangfang.equipment import services
from shuangfang.equipment.models import Equipment
from shuangfang.hazards.models import Hazard
from shuangfang.inspections.models import Task

from .conftest import jpeg, local, pdf

pytestmark = pytest.mark.django_db


def _register(world, **extra):
    data = {"kind": "extinguisher_powder", "name": "走廊灭火器", "manufactured_on": dt.date(2020, 5, 1)}
    data.update(extra)
    return services.register_equipment(actor=world.users["safety_officer"], organization=world.inst_a, **data)


def test_numbers_service_life_from_the_kind_and_the_expiry(world, point):
    item = _register(world, risk_point=point, location="消防栓旁")
    second = _register(world, name="第二个")
    assert (item.code, second.code) == ("SB-0001", "SB-0002")
    # GB 50444 table 5.4.3: dry powder, 10 years from manufacture
    assert item.life_years == 10 and item.expires_on == dt.date(2030, 5, 1)
    assert item.place == f"{point} · 消防栓旁"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"installed_on": dt.date(2025, 1, 1), "expires_on": dt.date(2024, 1, 1)}, "must come after"),
        ({"life_years": -1}, "positive"),
        ({"life_years": 0}, "positive"),
        ({"kind": "lift", "name": "电梯"}, "use registration certificate"),
        ({"kind": "lift", "registration_number": "梯11"}, "next statutory inspection"),
        ({"kind": "nonsense"}, "kind"),
        ({"name": "  "}, "name"),
    ],
)
def test_bad_input_is_refused_and_nothing_saved(world, extra, message):
    with pytest.raises(ValidationError, match=message):
        _register(world, **extra)
    assert not Equipment.objects.exists()


def test_risk_point_of_another_institution_refused(world):
    from shuangfang.risks import services as risks

    other = risks.create_risk_point(actor=world.users["outsider"], institution=world.inst_b, name="B的走廊")
    with pytest.raises(ValidationError, match="another institution"):
        _register(world, risk_point=other)


def test_label_opens_the_page_outsider_gets_404(world, login):
    item = _register(world)
    page = login(world.users["staff"]).get(reverse("equipment:detail", args=[item.uuid]))
    assert page.status_code == 200 and "走廊灭火器" in page.content.decode()
    assert reverse("equipment:report", args=[item.uuid]) in page.content.decode()
    outsider = login(world.users["outsider"])
    assert outsider.get(reverse("equipment:detail", args=[item.uuid])).status_code == 404
    assert outsider.get(reverse("equipment:label", args=[item.uuid])).status_code == 404
    png = login(world.users["staff"]).get(reverse("equipment:label", args=[item.uuid]))
    assert png["Content-Type"] == "image/png" and png.content[:4] == b"\x89PNG"
    sheet = login(world.users["staff"]).get(reverse("equipment:labels") + f"?item={item.uuid}")
    assert sheet["Content-Type"] == "application/pdf"


def test_report_a_problem_is_a_snap_report_with_the_place(world, login, point):
    item = _register(world, risk_point=point)
    client = login(world.users["staff"])
    resp = client.post(
        reverse("equipment:report", args=[item.uuid]), {"description": "压力表指针在红区", "photo": jpeg()}
    )
    assert resp.status_code == 302
    hazard = Hazard.objects.get()
    assert hazard.source == "snap" and hazard.risk_point == point
    assert hazard.location.startswith("SB-0001 走廊灭火器") and hazard.category == "fire"
    assert hazard.photos.count() == 1


def test_statutory_visit_moves_the_date_and_keeps_the_report(world):
    item = _register(
        world,
        kind="lift",
        name="1号电梯",
        registration_number="梯11豫A0001",
        next_inspection_on=dt.date(2026, 3, 1),
    )
    with pytest.raises(ValidationError, match="next inspection date"):
        services.record_visit(
            actor=world.users["safety_officer"], item=item, kind="statutory", visited_on=dt.date(2026, 2, 20),
            contractor="特检院", today=dt.date(2026, 2, 21),
        )  # fmt: skip
    visit = services.record_visit(
        actor=world.users["safety_officer"],
        item=item,
        kind="statutory",
        visited_on=dt.date(2026, 2, 20),
        contractor="特检院",
        report=pdf(),
        next_inspection_on=dt.date(2027, 2, 28),
        today=dt.date(2026, 2, 21),
    )
    item.refresh_from_db()
    assert item.next_inspection_on == dt.date(2027, 2, 28)
    assert visit.report is not None and visit.report.content_type == "application/pdf"
    with pytest.raises(ValidationError, match="PDF or a photo"):
        services.add_document(
            actor=world.users["safety_officer"],
            item=item,
            title="x",
            upload=__import__("django.core.files.uploadedfile", fromlist=["x"]).SimpleUploadedFile(
                "a.pdf", b"MZ.."
            ),
        )


# --- Maintenance plans through the inspections engine ---------------------------------------------


def test_each_item_joins_its_kinds_plans_and_gets_the_current_window(world):
    with time_machine.travel(local(2026, 3, 10, 9), tick=False):
        first = _register(world)
        second = _register(world, name="二楼灭火器")
        tasks = Task.objects.filter(checkpoint=first.checkpoint)
        # the monthly check of March (opened on the 1st, before the item existed) and the yearly one
        starts = sorted((t.plan.name, t.window_start) for t in tasks)
        assert [s[1] for s in starts] == [local(2026, 3, 1, 8), local(2026, 3, 1, 8)]
        assert Task.objects.filter(checkpoint=second.checkpoint).count() == 2
        # one plan per kind and check, shared by the items
        assert first.checkpoint.plans.count() == 2
        assert set(first.checkpoint.plans.all()) == set(second.checkpoint.plans.all())


def test_missed_check_is_a_missed_task(world):
    from shuangfang.inspections.plans import generate_tasks
    from shuangfang.inspections.taskflow import sweep_missed

    with time_machine.travel(local(2026, 3, 10, 9), tick=False):
        item = _register(world)
    with time_machine.travel(local(2026, 4, 2, 9), tick=False):
        generate_tasks()
        sweep_missed()
    from shuangfang.equipment.models import MaintenancePlan

    plan = MaintenancePlan.objects.get(kind="extinguisher_powder", check_code="ext-monthly").plan
    march = Task.objects.get(plan=plan, checkpoint=item.checkpoint, window_start=local(2026, 3, 1, 8))
    assert march.status == "missed"
    assert Task.objects.filter(
        plan=plan, checkpoint=item.checkpoint, window_start=local(2026, 4, 1, 8)
    ).exists()


def test_lift_maintenance_every_15_days(world):
    from shuangfang.inspections.plans import generate_tasks

    with time_machine.travel(local(2026, 1, 5, 9), tick=False):
        lift = _register(
            world,
            kind="lift",
            name="1号电梯",
            registration_number="梯11",
            next_inspection_on=dt.date(2026, 6, 1),
        )
    for day in range(5, 40):
        with time_machine.travel(local(2026, 1, 1, 9) + dt.timedelta(days=day), tick=False):
            generate_tasks()
    starts = [
        t.window_start for t in Task.objects.filter(checkpoint=lift.checkpoint).order_by("window_start")
    ]
    assert starts[:3] == [local(2026, 1, 1, 8), local(2026, 1, 16, 8), local(2026, 1, 31, 8)]
    assert all(b - a == dt.timedelta(days=15) for a, b in zip(starts, starts[1:], strict=False))


def test_monthly_check_done_by_scanning_the_label(world, login):
    with time_machine.travel(local(2026, 3, 10, 9), tick=False):
        item = _register(world)
        client = login(world.users["safety_officer"])
        page = client.get(reverse("equipment:detail", args=[item.uuid])).content.decode()
        task = Task.objects.filter(checkpoint=item.checkpoint).order_by("plan__name").first()
        assert task is not None
        assert reverse("inspections:task", args=[task.uuid]) in page
