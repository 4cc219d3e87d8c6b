import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shuangfang.equipment import services, stats, video
from shuangfang.equipment.models import RetentionCheck

pytestmark = pytest.mark.django_db


def test_figures_per_institution_in_a_fixed_number_of_queries(world, login):
    officer = world.users["safety_officer"]
    today = dt.date(2026, 6, 10)
    services.register_equipment(
        actor=officer, organization=world.inst_a, kind="lift", name="电梯", registration_number="梯1",
        next_inspection_on=dt.date(2026, 6, 1),
    )  # fmt: skip
    services.register_equipment(
        actor=officer, organization=world.inst_a, kind="lift", name="电梯2", registration_number="梯2",
        next_inspection_on=dt.date(2026, 6, 30),
    )  # fmt: skip
    services.register_equipment(
        actor=officer, organization=world.inst_a, kind="extinguisher_water", name="灭火器",
        manufactured_on=dt.date(2020, 1, 1),
    )  # fmt: skip
    rec = video.create_recorder(actor=officer, organization=world.inst_a, name="NVR", adapter="manual")
    short = video.create_camera(actor=officer, recorder=rec, channel=1, name="甲")
    ok = video.create_camera(actor=officer, recorder=rec, channel=2, name="乙")
    video.create_camera(actor=officer, recorder=rec, channel=3, name="丙")  # never checked
    RetentionCheck.objects.create(camera=short, day=today, result="short")
    RetentionCheck.objects.create(camera=ok, day=today - dt.timedelta(days=1), result="short")
    RetentionCheck.objects.create(camera=ok, day=today, result="ok")
    with CaptureQueriesContext(connection) as queries:
        figs = stats.figures([world.inst_a.pk, world.inst_b.pk], today=today)
    assert len(queries) == 2
    assert figs[world.inst_a.pk] == {
        "inspection_overdue": 1,
        "inspection_soon": 1,
        "past_life": 1,
        "cameras_short": 1,
        "cameras": 3,
    }
    assert figs[world.inst_b.pk]["cameras"] == 0
    page = login(world.users["bureau_supervisor"]).get(reverse("equipment:list")).content.decode()
    assert "figures" in page and "by-institution" in page and world.inst_a.name in page
    own = login(world.users["safety_officer"]).get(reverse("equipment:list")).content.decode()
    assert "by-institution" not in own  # one institution: the header alone
