from django.core.management import call_command

from shuangfang.orgs.models import Membership, Organization, OrgKind, User
from shuangfang.orgs.roles import Role


def test_demo_builds_a_believable_city_and_is_idempotent(db):
    call_command("demo")
    counts = (Organization.objects.count(), User.objects.count(), Membership.objects.count())
    call_command("demo")
    assert (Organization.objects.count(), User.objects.count(), Membership.objects.count()) == counts
    institutions = Organization.objects.filter(kind=OrgKind.INSTITUTION)
    assert sorted(institutions.values_list("institution_type", flat=True)) == [
        "child_welfare",
        "elderly_care",
        "elderly_care",
        "relief_station",
    ]
    assert Organization.objects.filter(kind=OrgKind.DISTRICT_BUREAU).count() == 1
    assert User.objects.filter(is_superuser=False).count() >= 20
    assert set(Membership.objects.values_list("role", flat=True)) == set(Role.values)


def test_demo_if_empty_does_nothing_on_a_database_with_data(world):
    call_command("demo", if_empty=True)
    assert not Organization.objects.filter(name="汴州市民政局").exists()
