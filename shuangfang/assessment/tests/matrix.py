from shuangfang.core.matrix import ApiCase, Case

VIEWERS = frozenset({"admin", "bureau_supervisor", "institution_head", "safety_officer"})
BUREAU = frozenset({"admin", "bureau_supervisor"})


def _inst(w):
    return {"uuid": w.inst_a.uuid}


def _bureau(w):
    return {"uuid": w.bureau.uuid}


CASES = [
    Case("assessment:index", VIEWERS),
    Case("assessment:institution", VIEWERS, kwargs=_inst),
    # A bureau is not visible to institution staff at all: 404, as any object outside their tree.
    Case("assessment:bureau", BUREAU, kwargs=_bureau, denied=404),
    Case("assessment:scheme", BUREAU, kwargs=_bureau, denied=404),
    Case(
        "assessment:scheme",
        BUREAU,
        kwargs=_bureau,
        method="post",
        data=lambda w: {"action": "preview"},
        denied=404,
    ),
]

API_CASES = [
    ApiCase(
        "get",
        "/api/v1/assessment/bureaus/{uuid}/scores",
        BUREAU,
        params=_bureau,
        object_scoped=True,
        denied=404,
    ),
    ApiCase("get", "/api/v1/assessment/institutions/{uuid}/score", VIEWERS, params=_inst, object_scoped=True),
]
