"""Every outreach page answers 404 to anyone without its permission at a relief station: the
elderly home's head (outsider), the bureau, the assessor."""

from shuangfang.core.matrix import ApiCase, Case

CASEWORK = frozenset({"institution_head", "safety_officer", "department_head", "staff"})


def patrol(w):
    from shuangfang.outreach import patrols

    return {"uuid": patrols.start_patrol(actor=w.users["staff"], organization=w.inst_a, team="一组").uuid}


def encounter(w):
    from shuangfang.outreach import patrols

    p = patrols.start_patrol(actor=w.users["staff"], organization=w.inst_a, team="二组")
    return {
        "uuid": patrols.log_encounter(actor=w.users["staff"], patrol=p, data={"action": "persuaded"}).uuid
    }


CASES = [
    Case("outreach:index", CASEWORK, object_scoped=True, denied=404),
    Case(
        "outreach:start",
        CASEWORK,
        object_scoped=True,
        method="post",
        data=lambda w: {"team": "三组"},
        denied=404,
        ok=(302,),
    ),
    Case("outreach:patrol", CASEWORK, kwargs=patrol, denied=404),
    Case("outreach:patrol_end", CASEWORK, kwargs=patrol, method="post", denied=404, ok=(302,)),
    Case("outreach:admit", CASEWORK, kwargs=encounter, denied=404),
]


REGISTER = frozenset({"admin", "bureau_supervisor"})


def at_risk(w):
    from .test_register import add

    return {"uuid": add(w).uuid}


def revisit(w):
    from shuangfang.outreach.register_models import Revisit

    from .test_register import add

    person = add(w)
    r = Revisit.objects.create(organization=w.bureau, person=person, period="2026-07-01")
    return {"uuid": r.uuid}


CASES += [
    Case("outreach:register", REGISTER, object_scoped=True, denied=404),
    Case("outreach:register_person", REGISTER, kwargs=at_risk, denied=404),
    Case("outreach:register_identity", REGISTER, kwargs=at_risk, method="post", denied=404),
    Case(
        "outreach:register_assign",
        REGISTER,
        kwargs=at_risk,
        method="post",
        data=lambda w: {"assignee": w.users["admin"].pk},
        denied=404,
        ok=(302,),
    ),
    Case("outreach:register_photo", REGISTER, kwargs=at_risk, denied=404, ok=(404,)),
    Case(
        "outreach:register_remove",
        REGISTER,
        kwargs=at_risk,
        method="post",
        data=lambda w: {"reason": "迁出"},
        denied=404,
        ok=(302,),
    ),
    Case("outreach:revisit", REGISTER, kwargs=revisit, denied=404),
]


def campaign(w):
    from .test_campaigns import winter

    return {"uuid": winter(w).uuid}


CASES += [
    Case("outreach:campaigns", REGISTER, object_scoped=True, denied=404),
    Case("outreach:campaign", REGISTER, kwargs=campaign, denied=404),
]


def a_visit(w):
    from .test_gate import visit

    return {"uuid": visit(w).uuid}


CASES += [
    Case("outreach:gate", CASEWORK, object_scoped=True, denied=404),
    Case("outreach:gate_out", CASEWORK, kwargs=a_visit, method="post", denied=404, ok=(302,)),
]


PLANNERS = frozenset({"institution_head", "safety_officer"})

CASES += [
    Case("outreach:plans", CASEWORK, object_scoped=True, denied=404),
    Case(
        "outreach:plan_add",
        PLANNERS,
        object_scoped=True,
        method="post",
        data=lambda w: {"which": "daily", "time": "09:00", "hours": "4", "role": "staff"},
        denied=404,
        ok=(302,),
    ),
    Case(
        "outreach:patrol_route",
        CASEWORK,
        kwargs=patrol,
        method="post",
        data=lambda w: {"where": "人民广场"},
        denied=404,
        ok=(302,),
    ),
]

CASES += [Case("outreach:matches", CASEWORK, object_scoped=True, denied=404)]

CASES += [
    Case("outreach:ledgers", CASEWORK, object_scoped=True, denied=404),
    Case(
        "outreach:ledger_export",
        frozenset({"institution_head"}),
        kwargs=lambda w: {"name": "encounters"},
        object_scoped=True,
        denied=404,
    ),
    Case("outreach:register_export", REGISTER, object_scoped=True, denied=404),
    Case("outreach:bureau_overview", REGISTER, object_scoped=True, denied=404),
    Case("outreach:campaign_report", REGISTER, kwargs=lambda w: {**campaign(w), "fmt": "xlsx"}, denied=404),
]


API_CASES = [
    ApiCase("get", "/api/v1/outreach/patrols", CASEWORK, object_scoped=True, denied=404),
    ApiCase(
        "post",
        "/api/v1/outreach/patrols",
        CASEWORK,
        body=lambda w: {"station": str(w.inst_a.uuid), "team": "四组"},
        object_scoped=True,
        denied=404,
    ),
    ApiCase(
        "get",
        "/api/v1/outreach/patrols/{uuid}/encounters",
        CASEWORK,
        params=patrol,
        object_scoped=True,
        denied=404,
    ),
    ApiCase(
        "post",
        "/api/v1/outreach/patrols/{uuid}/encounters",
        CASEWORK,
        params=patrol,
        body=lambda w: {"action": "supplies", "supplies": "棉被1", "place": "人民广场"},
        object_scoped=True,
        denied=404,
    ),
]


def closed_period(w):
    from .test_closed import _start

    return {"uuid": _start(w).uuid}


CASES += [
    Case(
        "outreach:closed_start",
        CASEWORK,
        object_scoped=True,
        method="post",
        data=lambda w: {"reason": "疫情防控", "stop_visitors": "on"},
        denied=404,
        ok=(302,),
    ),
    Case("outreach:closed_end", CASEWORK, kwargs=closed_period, method="post", denied=404, ok=(302,)),
    Case(
        "outreach:closed_check",
        CASEWORK,
        kwargs=closed_period,
        method="post",
        data=lambda w: {"person": "王五", "result": "36.5"},
        denied=404,
        ok=(302,),
    ),
]
