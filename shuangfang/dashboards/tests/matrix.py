from shuangfang.core.matrix import ApiCase, Case

VIEWERS = frozenset({"admin", "bureau_supervisor", "institution_head", "safety_officer", "department_head"})
BUREAU = frozenset({"admin", "bureau_supervisor"})


def _inst(w):
    return {"uuid": w.inst_a.uuid}


def _bureau(w):
    return {"uuid": w.bureau.uuid}


CASES = [
    Case("dashboards:index", VIEWERS),
    Case("dashboards:institution", VIEWERS, kwargs=_inst),
    # A bureau is not even visible to institution staff: 404, as for any object outside their tree.
    Case("dashboards:bureau", BUREAU, kwargs=_bureau, denied=404),
    Case("dashboards:screen", BUREAU, kwargs=_bureau, denied=404),
]

API_CASES = [
    ApiCase(
        "get",
        "/api/v1/dashboards/bureaus/{uuid}/screen",
        BUREAU,
        params=_bureau,
        object_scoped=True,
        denied=404,
    ),
]
