"""A hazard citing a major-hazard criterion (issue 22): forced major, the five assurances, the
bureau told, and grading it otherwise only with the bureau's approval (audited)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from shuangfang.core.models import AuditEntry, OutboxEvent
from shuangfang.core.vocabulary import CheckCategory, HazardGrade
from shuangfang.hazards import services
from shuangfang.hazards.choices import Status
from shuangfang.hazards.models import Hazard

from .conftest import soon

pytestmark = pytest.mark.django_db

CODE = "elderly-2023-4-1"


@pytest.fixture(autouse=True)
def elderly_home(world):
    """Institution A as an elderly-care home: the elderly-care criteria apply to it."""
    world.inst_a.institution_type = "elderly_care"
    world.inst_a.save(update_fields=["institution_type"])


def told(kind: str, hazard: Hazard) -> bool:
    return OutboxEvent.objects.filter(kind=kind, payload__hazard_id=hazard.pk).exists()


def test_a_criterion_at_report_forces_major_and_tells_the_bureau(report):
    h = report(criterion_code=CODE)
    assert h.grade == HazardGrade.MAJOR and h.criterion is not None and h.criterion.code == CODE
    assert told("hazard.criterion_cited", h)
    event = OutboxEvent.objects.filter(kind="hazard.criterion_cited").first()
    assert event is not None and "bureau_supervisor" in event.payload["roles"]


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("no-such-code", "no major-hazard criterion"),
        ("child-welfare-2024-3-1", "not obtained in full"),
        ("GB35181-2017-6.9", "no major-hazard criterion"),  # superseded by GB 35181-2025
    ],
)
def test_an_unknown_or_cut_off_code_is_refused_and_nothing_is_saved(report, code, reason):
    with pytest.raises(ValidationError, match=reason):
        report(criterion_code=code)
    assert not Hazard.objects.exists()


def test_a_criterion_of_another_institution_type_is_refused(world, report):
    world.inst_a.institution_type = "relief_station"
    world.inst_a.save(update_fields=["institution_type"])
    with pytest.raises(ValidationError, match="not for this type of institution"):
        report(criterion_code=CODE)


def test_a_general_grade_with_a_criterion_is_refused(report):
    with pytest.raises(ValidationError, match="is major"):
        report(criterion_code=CODE, grade=HazardGrade.GENERAL)


def test_downgrade_is_refused_without_the_bureau_and_allowed_with_its_approval(world, report):
    officer, sup = world.users["safety_officer"], world.users["bureau_supervisor"]
    h = report(criterion_code=CODE)
    general = {
        "grade": HazardGrade.GENERAL,
        "category": CheckCategory.FIRE,
        "responsible": world.users["staff"],
        "measures": "加固",
        "deadline": soon(),
    }
    for attempt in (
        lambda: services.assign(actor=officer, hazard=h, **general),
        lambda: services.reject(actor=officer, hazard=h, reason="不是"),
    ):
        with pytest.raises(ValidationError, match="needs the bureau's approval"):
            attempt()
    h.refresh_from_db()
    assert h.status == Status.REPORTED and h.grade == HazardGrade.MAJOR
    with pytest.raises(ValidationError, match="Missing"):
        services.request_downgrade(actor=officer, hazard=h, reason="")
    services.request_downgrade(actor=officer, hazard=h, reason="经鉴定为B级")
    assert told("hazard.downgrade_requested", h)
    # The institution cannot approve its own downgrade.
    for persona in ("safety_officer", "institution_head"):
        with pytest.raises(PermissionDenied):
            services.decide_downgrade(actor=world.users[persona], hazard=h, approve=True, reason="同意")
    with pytest.raises(ValidationError, match="Missing"):
        services.decide_downgrade(actor=sup, hazard=h, approve=True, reason="")
    services.decide_downgrade(actor=sup, hazard=h, approve=True, reason="鉴定报告属实")
    h.refresh_from_db()
    assert h.grade == HazardGrade.GENERAL and h.downgrade_approved_by == sup
    entry = AuditEntry.objects.get(action="hazard.approve_downgrade", object_id=str(h.pk))
    assert entry.actor == sup and entry.note == "鉴定报告属实"
    services.assign(actor=officer, hazard=h, **general)
    h.refresh_from_db()
    assert h.status == Status.RECTIFYING and h.criterion is not None  # the citation stays on record


def test_a_refused_downgrade_leaves_it_major_and_the_plan_required(world, report):
    officer, sup = world.users["safety_officer"], world.users["bureau_supervisor"]
    h = report(criterion_code=CODE)
    services.request_downgrade(actor=officer, hazard=h, reason="想降级")
    services.decide_downgrade(actor=sup, hazard=h, approve=False, reason="证据不足")
    h.refresh_from_db()
    assert not h.downgrade_pending and h.grade == HazardGrade.MAJOR
    with pytest.raises(ValidationError, match="needs the bureau's approval"):
        services.confirm_fix_now(
            actor=officer, hazard=h, grade=HazardGrade.GENERAL, category="fire", fix_note="x"
        )
    services.confirm_major(
        actor=officer, hazard=h, category=CheckCategory.FIRE, cause="老化", interim_measures="停用"
    )
    h.refresh_from_db()
    assert h.status == Status.PLANNING
    with pytest.raises(ValidationError, match="Missing"):
        services.approve_plan(actor=officer, hazard=h)  # the five assurances are required


def test_citing_at_confirmation_and_by_move(world, report):
    officer = world.users["safety_officer"]
    h = report()
    services.cite_criterion(actor=officer, hazard=h, code="elderly-2023-4-3")
    h.refresh_from_db()
    assert h.grade == HazardGrade.MAJOR and told("hazard.criterion_cited", h)
    with pytest.raises(ValidationError, match="no major-hazard criterion"):
        services.cite_criterion(actor=officer, hazard=h, code="elderly-2023-99")
    other = report(description="彩钢板")
    services.act(
        actor=officer,
        hazard=other,
        action="confirm_major",
        grade=HazardGrade.MAJOR,
        category=CheckCategory.FIRE,
        cause="违规搭建",
        interim_measures="停用",
        criterion="elderly-2023-4-3",
    )
    other.refresh_from_db()
    assert other.criterion is not None and other.status == Status.PLANNING


def test_the_page_and_the_special_file_show_the_text_and_source(world, report, login):
    h = report(criterion_code=CODE)
    page = login(world.users["staff"]).get(reverse("hazards:detail", args=[h.uuid])).content.decode()
    assert "建筑设施经鉴定属于C级、D级危房" in page and "e-nian.com" in page
    r = login(world.users["safety_officer"]).post(
        reverse("hazards:report"),
        {"description": "危房", "source": "snap", "organization": world.inst_a.pk, "criterion": "bogus"},
    )
    assert r.status_code == 200 and "bogus" in r.content.decode()
    assert Hazard.objects.count() == 1
