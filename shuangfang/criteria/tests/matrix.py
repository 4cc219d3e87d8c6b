from shuangfang.core.matrix import ALL_IN_TENANT, ApiCase, Case

IMPORTERS = frozenset({"admin", "bureau_supervisor"})


def _standard(w):
    from shuangfang.criteria.models import Standard

    return {"uuid": Standard.objects.get(code="elderly-2023").uuid}


CASES = [
    Case("criteria:list", ALL_IN_TENANT),
    Case("criteria:standard", ALL_IN_TENANT, kwargs=_standard, object_scoped=False),
    Case("criteria:import", IMPORTERS),
]

API_CASES = [
    ApiCase("get", "/api/v1/criteria/standards", ALL_IN_TENANT),
    ApiCase(
        "get",
        "/api/v1/criteria/criteria/{code}",
        ALL_IN_TENANT,
        params=lambda w: {"code": "elderly-2023-4-1"},
    ),
]
