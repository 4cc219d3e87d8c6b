import pytest
from django.core.management import call_command

from shuangfang.risks.models import Floor, HazardFactor, RiskPoint

pytestmark = pytest.mark.django_db


def test_demo_gives_every_institution_risk_points_on_a_map_and_is_idempotent(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("demo")
    counts = (RiskPoint.objects.count(), HazardFactor.objects.count(), Floor.objects.count())
    call_command("demo")
    assert (RiskPoint.objects.count(), HazardFactor.objects.count(), Floor.objects.count()) == counts
    assert Floor.objects.count() == 4
    for floor in Floor.objects.all():
        assert floor.plan and RiskPoint.objects.filter(floor=floor, map_x__isnull=False).count() >= 6
    assert not RiskPoint.objects.filter(inherent_level__isnull=True).exists()
    assert RiskPoint.objects.filter(residual_level__gt=0).exists()
