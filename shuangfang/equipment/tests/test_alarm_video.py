import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from shuangfang.equipment import video
from shuangfang.monitoring.models import Alarm, Device

pytestmark = pytest.mark.django_db


def test_alarm_page_shows_the_camera_at_its_risk_point_and_the_window(world, login, point):
    from shuangfang.monitoring.tests.matrix import _alarm

    alarm = _alarm(world)
    Device.objects.filter(pk=alarm.device_id).update(risk_point=point)
    officer = world.users["safety_officer"]
    rec = video.create_recorder(
        actor=officer, organization=world.inst_a, name="NVR", adapter="isapi", base_url="http://10.0.0.5"
    )
    video.create_camera(actor=officer, recorder=rec, channel=2, name="配电室摄像机", risk_point=point)
    opened = timezone.localtime(alarm.opened_at)
    page = login(officer).get(reverse("monitoring:alarm", args=[alarm.uuid])).content.decode()
    assert "配电室摄像机" in page
    assert (opened - dt.timedelta(minutes=5)).strftime("%Y-%m-%d %H:%M") in page
    assert "rtsp://10.0.0.5:554/Streaming/tracks/201/?starttime=" in page
    # no camera at the place: no panel
    Device.objects.filter(pk=alarm.device_id).update(risk_point=None)
    page = login(officer).get(reverse("monitoring:alarm", args=[alarm.uuid])).content.decode()
    assert "配电室摄像机" not in page
    assert Alarm.objects.count() == 1
