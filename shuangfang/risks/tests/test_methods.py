"""Every band boundary of every seeded method, the scales, and method versions."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from shuangfang.risks import scoring, services
from shuangfang.risks.models import Assessment, AssessmentMethod

from .fixtures import risk_world

pytestmark = pytest.mark.django_db

# (method, score, level, band) - domain-reference §3.1 (default rule), §3.2 A and B, §3.3, §3.4.
BOUNDARIES = [
    ("lec", "320.001", 1, "A"),
    ("lec", "400", 1, "A"),
    ("lec", "320", 2, "B"),
    ("lec", "160.001", 2, "B"),
    ("lec", "160", 3, "C"),
    ("lec", "70.001", 3, "C"),
    ("lec", "70", 4, "D"),
    ("lec", "20", 4, "D"),
    ("lec", "19.999", 4, "E"),
    ("lec", "0.05", 4, "E"),
    ("ls_a", "25", 1, "A"),
    ("ls_a", "20", 1, "A"),
    ("ls_a", "19.99", 2, "B"),
    ("ls_a", "15", 2, "B"),
    ("ls_a", "14.99", 3, "C"),
    ("ls_a", "9", 3, "C"),
    ("ls_a", "8.99", 4, "D"),
    ("ls_a", "4", 4, "D"),
    ("ls_a", "3.99", 4, "E"),
    ("ls_a", "1", 4, "E"),
    ("ls_b", "20", 1, "Ⅰ"),
    ("ls_b", "19.99", 2, "Ⅱ"),
    ("ls_b", "9", 2, "Ⅱ"),
    ("ls_b", "8.99", 3, "Ⅲ"),
    ("ls_b", "4", 3, "Ⅲ"),
    ("ls_b", "3.99", 4, "Ⅳ"),
    ("ls_b", "1", 4, "Ⅳ"),
    ("mes", "180", 1, "一级"),
    ("mes", "179.99", 2, "二级"),
    ("mes", "90", 2, "二级"),
    ("mes", "89.99", 3, "三级"),
    ("mes", "50", 3, "三级"),
    ("mes", "49.99", 4, "四级"),
    ("mes", "20", 4, "四级"),
    ("mes", "19.99", 4, "五级"),
    ("direct", "1", 1, "1"),
    ("direct", "2", 2, "2"),
    ("direct", "3", 3, "3"),
    ("direct", "4", 4, "4"),
]


@pytest.mark.parametrize(("code", "score", "level", "band"), BOUNDARIES)
def test_band_boundaries(code, score, level, band):
    method = AssessmentMethod.objects.get(code=code, is_current=True)
    found = scoring.band_for(method.bands, Decimal(score))
    assert found is not None
    assert (found["level"], found["band"]) == (level, band)


@pytest.mark.parametrize(
    ("code", "inputs", "score", "level"),
    [
        ("lec", {"L": 1, "E": 10, "C": 7}, "70", 4),  # the reachable boundary: D = 70 → low (band D)
        ("lec", {"L": 10, "E": 2, "C": 1}, "20", 4),
        ("lec", {"L": 3, "E": 6, "C": 15}, "270", 2),
        ("lec", {"L": 10, "E": 10, "C": 40}, "4000", 1),
        ("lec", {"L": 0.1, "E": 10, "C": 100}, "100", 3),  # exact decimal arithmetic
        ("ls_a", {"L": 4, "S": 5}, "20", 1),
        ("ls_a", {"L": 4, "S": 4}, "16", 2),
        ("ls_b", {"L": 3, "S": 3}, "9", 2),
        ("mes", {"M": 3, "E": 6, "S": 10}, "180", 1),
        ("direct", {"LEVEL": 1}, "1", 1),
    ],
)
def test_scores_of_real_inputs(code, inputs, score, level):
    method = AssessmentMethod.objects.get(code=code, is_current=True)
    result = scoring.score(method, inputs)
    assert result.score == Decimal(score)
    assert result.level == level


def test_seeded_methods_cover_every_reachable_score_and_carry_sources():
    methods = list(AssessmentMethod.objects.all())
    assert {m.code for m in methods} == {"lec", "ls_a", "ls_b", "mes", "direct"}
    for m in methods:
        scoring.validate_method(m.scales, m.formula, m.bands)
        assert m.source and m.confidence
    assert AssessmentMethod.objects.get(code="mes").confidence == "unverified"
    assert AssessmentMethod.objects.get(is_default=True).code == "ls_a"


def test_a_value_outside_the_scale_is_refused():
    lec = AssessmentMethod.objects.get(code="lec")
    with pytest.raises(ValidationError, match="L"):
        scoring.score(lec, {"L": 4, "E": 6, "C": 15})


def test_a_missing_value_is_refused():
    lec = AssessmentMethod.objects.get(code="lec")
    with pytest.raises(ValidationError, match="C"):
        scoring.score(lec, {"L": 3, "E": 6})


def test_direct_judgement_needs_a_basis(world):
    rw = risk_world(world)
    direct = AssessmentMethod.objects.get(code="direct")
    with pytest.raises(ValidationError):
        services.assess(
            actor=world.users["safety_officer"], factor=rw.factor, method=direct, inputs={"LEVEL": 1}
        )
    row = services.assess(
        actor=world.users["safety_officer"],
        factor=rw.factor,
        method=direct,
        inputs={"LEVEL": 1},
        basis="符合重大事故隐患判定标准第四条第2项",
    )
    assert row.level == 1


def test_revising_a_method_never_rewrites_past_assessments(world):
    rw = risk_world(world)
    old = AssessmentMethod.objects.get(code="lec", is_current=True)
    past = Assessment.objects.get(factor=rw.factor)
    bands = [dict(b) for b in old.bands]
    bands[1]["min"] = 100  # a stricter band B
    new = services.revise_method(
        actor=world.root,
        method=old,
        scales=old.scales,
        formula=old.formula,
        bands=bands,
        boundary_rule="test",
    )
    assert new.version == 2 and new.is_current
    past.refresh_from_db()
    assert past.method_id == old.pk and past.level == 2
    old.refresh_from_db()
    assert not old.is_current and old.bands[1]["min"] == 160
    with pytest.raises(PermissionDenied):  # not allowed for an institution's officer
        services.revise_method(
            actor=world.users["safety_officer"],
            method=new,
            scales=new.scales,
            formula=new.formula,
            bands=new.bands,
            boundary_rule="",
        )


def test_bad_method_data_is_refused():
    lec = AssessmentMethod.objects.get(code="lec")
    with pytest.raises(ValidationError):
        scoring.validate_method(lec.scales, "L*E*C", lec.bands[:-1])  # scores below 20 fall in no band
    with pytest.raises(ValidationError):
        scoring.validate_method(lec.scales, "__import__('os')", lec.bands)
