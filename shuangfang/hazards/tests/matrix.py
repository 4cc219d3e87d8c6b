from shuangfang.core.matrix import ALL_IN_TENANT, ApiCase, Case

OFFICERS = frozenset({"admin", "institution_head", "safety_officer"})
ACCEPTORS = OFFICERS | {"bureau_supervisor"}
LEDGER = frozenset(
    {"admin", "bureau_supervisor", "institution_head", "safety_officer", "department_head", "assessor"}
)
SUPERVISORS = frozenset({"admin", "bureau_supervisor"})


def _hazard(w, status="reported"):
    from shuangfang.core.vocabulary import CheckCategory, HazardGrade
    from shuangfang.hazards import services

    from .conftest import jpeg, soon

    cache = w.__dict__.setdefault("_hazards", {})
    if status not in cache:
        h = services.report_hazard(
            actor=w.users["staff"],
            organization=w.inst_a,
            description="插座烧焦",
            source="snap",
            photos=[jpeg()],
        )
        officer = w.users["safety_officer"]
        if status in ("rectifying", "pending"):
            services.assign(
                actor=officer,
                hazard=h,
                grade=HazardGrade.GENERAL,
                category=CheckCategory.UTILITIES,
                responsible=w.users["department_head"],
                measures="更换插座",
                deadline=soon(),
            )
        if status == "pending":
            services.submit_for_acceptance(
                actor=w.users["department_head"], hazard=h, fix_note="已换", photos=[jpeg()]
            )
        cache[status] = h
    return cache[status]


def reported(w):
    return {"uuid": _hazard(w).uuid}


def act(action, status="reported"):
    return lambda w: {"uuid": _hazard(w, status).uuid}


def photo(w):
    return {"uuid": _hazard(w).photos.first().uuid}


def _soon():
    from .conftest import soon

    return soon()


def _jpeg():
    from .conftest import jpeg

    return jpeg()


CASES = [
    Case("hazards:list", ALL_IN_TENANT),
    Case("hazards:mine", ALL_IN_TENANT),
    Case("hazards:report", ALL_IN_TENANT),
    Case("hazards:statistics", LEDGER),
    Case("hazards:ledger_pdf", LEDGER),
    Case("hazards:detail", ALL_IN_TENANT, kwargs=reported),
    Case("hazards:photo", ALL_IN_TENANT, kwargs=photo, denied=404),
    Case("hazards:file_pdf", LEDGER, kwargs=reported),
    Case("hazards:act", ALL_IN_TENANT, kwargs=reported),
    Case(
        "hazards:act",
        OFFICERS,
        kwargs=act("reject"),
        method="post",
        data=lambda w: {"do": "reject", "note": "不是"},
    ),
    Case(
        "hazards:act",
        ACCEPTORS,
        kwargs=act("accept", "pending"),
        method="post",
        data=lambda w: {"do": "accept"},
    ),
    Case(
        "hazards:act",
        SUPERVISORS,
        kwargs=act("supervise"),
        method="post",
        data=lambda w: {"do": "supervise", "supervision_deadline": str(_soon()), "supervision_note": "限期"},
    ),
    Case(
        "hazards:act",
        OFFICERS | {"department_head"},  # the responsible person may submit their own fix
        kwargs=act("submit", "rectifying"),
        method="post",
        data=lambda w: {"do": "submit", "fix_note": "已换", "photos": _jpeg()},
    ),
    Case(
        "hazards:act",
        ALL_IN_TENANT,
        kwargs=act("comment"),
        method="post",
        data=lambda w: {"do": "comment", "note": "好"},
    ),
]


def _h(w):
    return {"uuid": _hazard(w).uuid}


API_CASES = [
    ApiCase("get", "/api/v1/hazards/hazards", ALL_IN_TENANT),
    ApiCase("get", "/api/v1/hazards/hazards/mine", ALL_IN_TENANT),
    ApiCase("get", "/api/v1/hazards/mem", LEDGER),
    ApiCase("get", "/api/v1/hazards/hazards/{uuid}", ALL_IN_TENANT, params=_h, object_scoped=True),
    ApiCase("get", "/api/v1/hazards/hazards/{uuid}/timeline", ALL_IN_TENANT, params=_h, object_scoped=True),
]
API_CASES += [
    ApiCase(
        "post",
        "/api/v1/hazards/hazards",
        ALL_IN_TENANT,
        body=lambda w: {"institution": str(w.inst_a.uuid), "description": "楼道堆放杂物"},
        object_scoped=True,  # the body names institution A: the outsider gets 404
    ),
    ApiCase(
        "post",
        "/api/v1/hazards/hazards/{uuid}/actions/{action}",
        OFFICERS,
        params=lambda w: {"uuid": _hazard(w).uuid, "action": "reject"},
        body=lambda w: {"note": "不是"},
        object_scoped=True,
    ),
    ApiCase(
        "post",
        "/api/v1/hazards/hazards/{uuid}/actions/{action}",
        ALL_IN_TENANT,
        params=lambda w: {"uuid": _hazard(w).uuid, "action": "comment"},
        body=lambda w: {"note": "看到了"},
        object_scoped=True,
    ),
]
