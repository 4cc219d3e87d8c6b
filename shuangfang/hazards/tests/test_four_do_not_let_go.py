"""四个不放过 (domain-reference §2.14, the seed's campaign version: "root cause not found or measures
incomplete"): a hazard not fixed on the spot is accepted only with its cause and the measures taken
against the cause, whatever its grade."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from shuangfang.core.vocabulary import CheckCategory, HazardGrade
from shuangfang.hazards import services
from shuangfang.hazards.choices import Status
from shuangfang.hazards.models import Hazard

from .conftest import jpeg, soon

pytestmark = pytest.mark.django_db


def _fixed(world, report) -> Hazard:
    h = report()
    services.assign(
        actor=world.users["safety_officer"],
        hazard=h,
        grade=HazardGrade.GENERAL,
        category=CheckCategory.FIRE,
        responsible=world.users["staff"],
        measures="更换灭火器",
        deadline=soon(),
    )
    return services.submit_for_acceptance(
        actor=world.users["staff"], hazard=h, fix_note="已更换", photos=[jpeg()]
    )


def test_a_general_hazard_is_not_accepted_without_cause_and_measures_against_it(world, report):
    h = _fixed(world, report)
    head = world.users["institution_head"]
    with pytest.raises(ValidationError) as refused:
        services.accept(actor=head, hazard=h, comment="合格")
    assert "cause" in str(refused.value)
    with pytest.raises(ValidationError):
        services.accept(actor=head, hazard=h, comment="合格", cause="无人定期检查")
    h.refresh_from_db()
    assert h.status == Status.PENDING_ACCEPTANCE and not h.cause and h.accepted_by is None
    services.accept(
        actor=head, hazard=h, comment="合格", cause="无人定期检查", preventive_measures="纳入月度消防检查清单"
    )
    h.refresh_from_db()
    assert h.status == Status.CLOSED
    assert (h.cause, h.preventive_measures) == ("无人定期检查", "纳入月度消防检查清单")


def test_the_fixer_may_give_them_when_handing_in(world, report):
    h = report()
    services.assign(
        actor=world.users["safety_officer"],
        hazard=h,
        grade=HazardGrade.GENERAL,
        category=CheckCategory.FIRE,
        responsible=world.users["staff"],
        measures="更换",
        deadline=soon(),
    )
    services.submit_for_acceptance(
        actor=world.users["staff"],
        hazard=h,
        fix_note="已更换",
        photos=[jpeg()],
        cause="过期未换",
        preventive_measures="建立到期台账",
    )
    services.accept(actor=world.users["institution_head"], hazard=h)
    h.refresh_from_db()
    assert h.status == Status.CLOSED


def test_fixed_on_the_spot_needs_no_cause(world, report):
    h = report()
    services.act(
        actor=world.users["safety_officer"],
        hazard=h,
        action="confirm_fix_now",
        grade=HazardGrade.GENERAL,
        category=CheckCategory.FIRE,
        fix_note="当场清理",
        photos=[jpeg()],
    )
    services.accept(actor=world.users["institution_head"], hazard=h)
    h.refresh_from_db()
    assert h.status == Status.CLOSED


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_the_accept_form_asks_for_them_and_says_why(world, report, login, lang):
    h = _fixed(world, report)
    client = login(world.users["institution_head"])
    url = reverse("hazards:act", args=[h.uuid])
    page = client.get(url, {"do": "accept"}, HTTP_ACCEPT_LANGUAGE=lang).content.decode()
    assert 'name="cause"' in page and 'name="preventive_measures"' in page
    assert ("四个不放过" if lang == "zh-hans" else "Four do-not-let-go") in page
    response = client.post(url, {"do": "accept", "note": "好"}, HTTP_ACCEPT_LANGUAGE=lang)
    assert response.status_code == 200
    h.refresh_from_db()
    assert h.status == Status.PENDING_ACCEPTANCE
    response = client.post(
        url, {"do": "accept", "cause": "老化", "preventive_measures": "每月检查"}, HTTP_ACCEPT_LANGUAGE=lang
    )
    assert response.status_code == 302
    h.refresh_from_db()
    assert h.status == Status.CLOSED and h.preventive_measures == "每月检查"
