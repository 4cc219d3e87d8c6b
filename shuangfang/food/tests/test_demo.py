import time_machine
from django.core.management import call_command

from shuangfang.food.models import Kitchen, Meal, Purchase, Sample
from shuangfang.hazards.models import Hazard

from .conftest import T0


@time_machine.travel(T0.replace(hour=20), tick=True)
def test_demo_kitchens_with_a_week_and_the_hazards_it_deserves(db):
    call_command("demo")
    counts = (Kitchen.objects.count(), Meal.objects.count(), Sample.objects.count(), Purchase.objects.count())
    call_command("demo")
    assert (
        Kitchen.objects.count(),
        Meal.objects.count(),
        Sample.objects.count(),
        Purchase.objects.count(),
    ) == counts
    assert set(Kitchen.objects.values_list("organization__name", flat=True)) == {
        "汴州市第一养老院",
        "汴州市救助管理站",
    }
    assert Sample.objects.count() > 20
    # One dinner missed at each kitchen, one light sample each.
    assert Hazard.objects.filter(origin__startswith="food-meal:").count() == 2
    assert Hazard.objects.filter(origin__startswith="food-weight:").count() == 2
    assert not Hazard.objects.filter(origin__startswith="food-early:").exists()
