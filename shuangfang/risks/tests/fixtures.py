"""Risk objects in the personas' world: a kitchen risk point of institution A with one factor
(assessed with LEC), one measure and a floor. Built with the services, cached on the world."""

from __future__ import annotations

from dataclasses import dataclass

from shuangfang.risks import services
from shuangfang.risks.models import (
    AssessmentMethod,
    ControlMeasure,
    Floor,
    HazardFactor,
    LibraryEntry,
    RiskPoint,
)


@dataclass
class RiskWorld:
    point: RiskPoint
    factor: HazardFactor
    measure: ControlMeasure
    floor: Floor


def risk_world(w) -> RiskWorld:
    cached = w.__dict__.get("_risk_world")
    if cached is not None:
        return cached
    officer = w.users["safety_officer"]
    floor = services.create_floor(actor=officer, institution=w.inst_a, building="综合楼", name="1F")
    point = services.create_risk_point(
        actor=officer,
        institution=w.inst_a,
        name="厨房",
        kind="place",
        department=w.dept_a,
        post=w.post_a,
        floor=floor,
    )
    factor = services.add_factor(
        actor=officer,
        point=point,
        description="燃气泄漏遇明火",
        factor_class="things",
        accident_types=["火灾"],
    )
    services.assess(
        actor=officer,
        factor=factor,
        method=AssessmentMethod.objects.get(code="lec", is_current=True),
        inputs={"L": 3, "E": 6, "C": 15},
    )
    factor.refresh_from_db()
    measure = services.add_measure(
        actor=officer,
        factor=factor,
        category="engineering",
        description="安装可燃气体报警器",
        what_to_check="报警器是否正常",
    )
    rw = RiskWorld(point=point, factor=factor, measure=measure, floor=floor)
    w.__dict__["_risk_world"] = rw
    return rw


def library_entry(w) -> LibraryEntry:
    return LibraryEntry.objects.filter(organization__isnull=True, institution_type="relief_station")[0]
