import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from shuangfang.core.models import AuditEntry
from shuangfang.risks import services
from shuangfang.risks.choices import NATIONAL_PALETTE, SEED_PALETTE, level_colour, palette_for
from shuangfang.risks.models import AssessmentMethod, LibraryEntry, RiskPoint

from .fixtures import risk_world

pytestmark = pytest.mark.django_db


def test_point_level_is_the_highest_of_its_factors_and_residual_is_kept(world):
    rw = risk_world(world)
    officer = world.users["safety_officer"]
    assert rw.point.__class__.objects.get(pk=rw.point.pk).inherent_level == 2
    f2 = services.add_factor(actor=officer, point=rw.point, description="液化气钢瓶", factor_class="things")
    lec = AssessmentMethod.objects.get(code="lec")
    services.assess(actor=officer, factor=f2, method=lec, inputs={"L": 6, "E": 10, "C": 15})  # 900 → 1
    point = RiskPoint.objects.get(pk=rw.point.pk)
    assert point.inherent_level == 1
    services.assess(actor=officer, factor=f2, method=lec, inputs={"L": 1, "E": 10, "C": 3}, kind="residual")
    point.refresh_from_db()
    assert point.inherent_level == 1 and point.residual_level == 2  # the other factor is still 2
    assert AuditEntry.objects.filter(action="risk.assess").count() == 3


def test_points_are_numbered_per_institution_and_names_are_unique(world):
    rw = risk_world(world)
    assert rw.point.code == "FX-0001"
    p2 = services.create_risk_point(
        actor=world.users["safety_officer"], institution=world.inst_a, name="配电室"
    )
    assert p2.code == "FX-0002"
    with pytest.raises(ValidationError):
        services.create_risk_point(
            actor=world.users["safety_officer"], institution=world.inst_a, name="配电室"
        )
    assert p2.next_review_on == timezone.localdate() + dt.timedelta(days=365)


def test_others_cannot_change_an_institutions_risk_points(world):
    rw = risk_world(world)
    for who in ("staff", "department_head", "bureau_supervisor", "outsider"):
        with pytest.raises(PermissionDenied):
            services.update_risk_point(actor=world.users[who], point=rw.point, area="x")


def test_measure_tier_defaults_from_level_and_is_editable(world):
    rw = risk_world(world)
    assert rw.measure.tier == "department"  # level 2 → department
    m = services.update_measure(actor=world.users["safety_officer"], measure=rw.measure, tier="post")
    assert m.tier == "post"
    with pytest.raises(ValidationError):
        services.add_measure(
            actor=world.users["safety_officer"], factor=rw.factor, category="magic", description="x"
        )
    with pytest.raises(ValidationError):  # the outsider works elsewhere
        services.add_measure(
            actor=world.users["safety_officer"],
            factor=rw.factor,
            category="management",
            description="x",
            responsible=world.users["outsider"],
        )


def test_unknown_accident_type_is_refused(world):
    rw = risk_world(world)
    with pytest.raises(ValidationError):
        services.add_factor(
            actor=world.users["safety_officer"],
            point=rw.point,
            description="x",
            factor_class="things",
            accident_types=["外星人入侵"],
        )


def test_palette_defaults_to_national_and_a_bureau_may_override(world):
    assert palette_for(world.inst_a).is_national
    assert level_colour(1, world.bureau) == NATIONAL_PALETTE[1]
    services.set_palette(
        actor=world.users["admin"], bureau=world.bureau, colours=SEED_PALETTE, names={4: "绿"}
    )
    pal = palette_for(world.inst_a)
    assert not pal.is_national and pal.colour(4) == SEED_PALETTE[4] and pal.name(4) == "绿"
    assert level_colour(2, world.bureau) == SEED_PALETTE[2]
    with pytest.raises(PermissionDenied):
        services.set_palette(actor=world.users["safety_officer"], bureau=world.bureau, colours=SEED_PALETTE)
    with pytest.raises(ValidationError):
        services.set_palette(actor=world.users["admin"], bureau=world.bureau, colours={1: "red"})


def test_adopting_a_library_entry_copies_factors_assessments_and_measures(world):
    entry = LibraryEntry.objects.get(
        organization__isnull=True, institution_type="relief_station", name="厨房"
    )
    point = services.adopt_library_entry(
        actor=world.users["safety_officer"], institution=world.inst_a, entry=entry
    )
    assert point.factors.count() == len(entry.factors)
    assert point.inherent_level is not None
    assert sum(f.measures.count() for f in point.factors.all()) == sum(
        len(f["measures"]) for f in entry.factors
    )
    assert "Starter" in point.basis or "入门" in point.basis or "库" in point.basis


def test_bureau_edits_its_library_without_touching_the_national_one(world):
    entry = LibraryEntry.objects.get(
        organization__isnull=True, institution_type="relief_station", name="厨房"
    )
    own = services.save_library_entry(
        actor=world.users["admin"], bureau=world.bureau, entry=entry, name="中心厨房", factors=entry.factors
    )
    assert own.organization == world.bureau and own.replaces == entry
    entry.refresh_from_db()
    assert entry.name == "厨房"
    names = [e.name for e in services.library_for(world.inst_a, "relief_station")]
    assert "中心厨房" in names and "厨房" not in names
    with pytest.raises(ValidationError):
        services.save_library_entry(
            actor=world.users["admin"], bureau=world.bureau, entry=entry, factors=[{"description": "x"}]
        )


def test_every_institution_type_has_the_typical_points_with_sources():
    for itype in ("relief_station", "elderly_care", "child_welfare"):
        names = set(LibraryEntry.objects.filter(institution_type=itype).values_list("name", flat=True))
        assert {"厨房", "配电室", "锅炉房", "医务室", "洗衣房", "车辆"} <= names
    assert LibraryEntry.objects.filter(name="接待大厅及安检区", institution_type="relief_station").exists()
    assert LibraryEntry.objects.filter(name="护送返乡").exists()
    assert not LibraryEntry.objects.filter(source="").exists()


def test_review_moves_the_next_date_and_overdue_are_listed(world, login):
    rw = risk_world(world)
    RiskPoint.objects.filter(pk=rw.point.pk).update(
        next_review_on=timezone.localdate() - dt.timedelta(days=3)
    )
    body = login(world.users["safety_officer"]).get("/risks/reviews/").content.decode()
    assert "厨房" in body
    with pytest.raises(ValidationError):
        services.record_review(
            actor=world.users["safety_officer"], point=rw.point, next_review_on=timezone.localdate()
        )
    services.record_review(
        actor=world.users["safety_officer"],
        point=rw.point,
        next_review_on=timezone.localdate() + dt.timedelta(days=30),
    )
    body = login(world.users["safety_officer"]).get("/risks/reviews/").content.decode()
    assert "FX-0001" not in body
