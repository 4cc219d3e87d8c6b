from django.core.management import call_command

from shuangfang.equipment.models import Camera, Equipment, RetentionCheck
from shuangfang.hazards.models import Hazard


def test_demo_equipment(db):
    call_command("demo")
    count = Equipment.objects.count()
    call_command("demo")
    assert Equipment.objects.count() == count >= 7
    lift = Equipment.objects.get(kind="lift")
    assert lift.organization.institution_type == "elderly_care" and lift.next_inspection_on
    assert Equipment.objects.filter(kind="extinguisher_water").get().past_life()
    results = dict(RetentionCheck.objects.values_list("camera__name", "result"))
    assert results == {"大门": "ok", "接待大厅": "short"}
    assert Camera.objects.count() == 2
    assert Hazard.objects.filter(origin__startswith="video:").count() == 1
