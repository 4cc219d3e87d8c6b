from shuangfang.core.matrix import ALL_IN_TENANT, ApiCase, Case

from .fixtures import library_entry, risk_world

EDITORS = frozenset({"admin", "institution_head", "safety_officer", "assessor"})
LIBRARY = frozenset({"admin", "bureau_supervisor"})


def point(w):
    return {"uuid": risk_world(w).point.uuid}


def factor(w):
    return {"uuid": risk_world(w).factor.uuid}


def measure(w):
    return {"uuid": risk_world(w).measure.uuid}


def floor(w):
    return {"uuid": risk_world(w).floor.uuid}


def method(w):
    from shuangfang.risks.models import AssessmentMethod

    return {"uuid": AssessmentMethod.objects.get(code="lec", is_current=True).uuid}


def entry(w):
    return {"uuid": library_entry(w).uuid}


CASES = [
    Case("risks:index", ALL_IN_TENANT),
    Case("risks:point_create", EDITORS),
    Case(
        "risks:point_create",
        EDITORS,
        method="post",
        data=lambda w: {"institution": w.inst_a.pk, "name": "配电室", "kind": "place"},
        ok=(200, 302),
    ),
    Case("risks:point", ALL_IN_TENANT, kwargs=point),
    Case("risks:point_edit", EDITORS, kwargs=point),
    Case(
        "risks:point_review",
        EDITORS,
        kwargs=point,
        method="post",
        data=lambda w: {"next_review_on": "2099-01-01"},
    ),
    Case("risks:factor_create", EDITORS, kwargs=point),
    Case("risks:point_card", ALL_IN_TENANT, kwargs=point),
    Case("risks:post_card", ALL_IN_TENANT, kwargs=lambda w: (risk_world(w), {"uuid": w.post_a.uuid})[1]),
    Case("risks:factor_edit", EDITORS, kwargs=factor),
    Case("risks:assess", EDITORS, kwargs=factor),
    Case(
        "risks:assess",
        EDITORS,
        kwargs=factor,
        method="post",
        data=lambda w: {"method": "lec", "kind": "residual", "scale_L": "1", "scale_E": "6", "scale_C": "15"},
    ),
    Case("risks:measure_create", EDITORS, kwargs=factor),
    Case("risks:measure_edit", EDITORS, kwargs=measure),
    Case("risks:methods", ALL_IN_TENANT),
    # National data: platform administrators (superusers) only, none of the personas.
    Case("risks:method_revise", frozenset(), kwargs=method, object_scoped=False),
    Case("risks:inventory", ALL_IN_TENANT),
    # The inventory's Excel import (core.importing): the chooser, then one institution's page.
    Case(
        "core:import_choose",
        EDITORS,
        kwargs=lambda w: {"name": "risks.inventory"},
        object_scoped=False,
        denied=404,
    ),
    Case("core:import", EDITORS, kwargs=lambda w: {"name": "risks.inventory", "uuid": w.inst_a.uuid}),
    Case("risks:floors", ALL_IN_TENANT),
    Case("risks:floor", ALL_IN_TENANT, kwargs=floor),
    Case("risks:floor_plan", ALL_IN_TENANT, kwargs=floor, ok=(200, 404)),
    Case("risks:floor_upload", EDITORS, kwargs=floor, method="post"),
    Case(
        "risks:floor_place",
        EDITORS,
        kwargs=floor,
        method="post",
        data=lambda w: {"point": point(w)["uuid"], "x": "0.5", "y": "0.5"},
    ),
    Case("risks:floor_pdf", ALL_IN_TENANT, kwargs=floor),
    Case("risks:library", ALL_IN_TENANT),
    # Library entries are shared data, not an institution's: no 404 for the outsider.
    Case(
        "risks:library_adopt",
        EDITORS,
        kwargs=entry,
        object_scoped=False,
        method="post",
        data=lambda w: {"institution": w.inst_a.pk},
    ),
    Case("risks:library_edit", LIBRARY, kwargs=entry, object_scoped=False),
    Case("risks:reviews", ALL_IN_TENANT),
    Case("risks:overview", ALL_IN_TENANT),
    Case("risks:palette", LIBRARY),
]

P = "/api/v1/risks"
API_CASES = [
    ApiCase("get", f"{P}/methods", ALL_IN_TENANT),
    ApiCase("get", f"{P}/points", ALL_IN_TENANT),
    ApiCase("get", f"{P}/mem", ALL_IN_TENANT),
    ApiCase(
        "post",
        f"{P}/points",
        EDITORS,
        object_scoped=True,  # the body names institution A
        body=lambda w: {"institution": str(w.inst_a.uuid), "name": "锅炉房", "kind": "place"},
    ),
    ApiCase("get", f"{P}/points/{{uuid}}", ALL_IN_TENANT, params=point, object_scoped=True),
    ApiCase(
        "patch",
        f"{P}/points/{{uuid}}",
        EDITORS,
        params=point,
        object_scoped=True,
        body=lambda w: {"area": "后勤区"},
    ),
    ApiCase("get", f"{P}/points/{{uuid}}/factors", ALL_IN_TENANT, params=point, object_scoped=True),
    ApiCase(
        "post",
        f"{P}/points/{{uuid}}/factors",
        EDITORS,
        params=point,
        object_scoped=True,
        body=lambda w: {"description": "地面湿滑", "factor_class": "environment"},
    ),
    ApiCase(
        "patch",
        f"{P}/factors/{{uuid}}",
        EDITORS,
        params=factor,
        object_scoped=True,
        body=lambda w: {"consequence": "爆炸"},
    ),
    ApiCase("get", f"{P}/factors/{{uuid}}/assessments", ALL_IN_TENANT, params=factor, object_scoped=True),
    ApiCase(
        "post",
        f"{P}/factors/{{uuid}}/assessments",
        EDITORS,
        params=factor,
        object_scoped=True,
        body=lambda w: {"method": "ls_a", "inputs": {"L": 2, "S": 4}},
    ),
    ApiCase("get", f"{P}/factors/{{uuid}}/measures", ALL_IN_TENANT, params=factor, object_scoped=True),
    ApiCase(
        "post",
        f"{P}/factors/{{uuid}}/measures",
        EDITORS,
        params=factor,
        object_scoped=True,
        body=lambda w: {"category": "management", "description": "每日检查阀门"},
    ),
    ApiCase(
        "patch",
        f"{P}/measures/{{uuid}}",
        EDITORS,
        params=measure,
        object_scoped=True,
        body=lambda w: {"what_to_check": "阀门"},
    ),
]
