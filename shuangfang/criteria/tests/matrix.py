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

SELFCHECK_VIEW = frozenset({"admin", "bureau_supervisor", "institution_head", "safety_officer"})
SELFCHECK_RUN = frozenset({"admin", "institution_head", "safety_officer"})


def _selfcheck(w):
    from shuangfang.criteria.models import SelfAssessment

    a = SelfAssessment.objects.filter(organization=w.inst_a).first()
    if a is None:
        a = SelfAssessment.objects.create(
            organization=w.inst_a, done_on="2026-01-05", performed_by=w.users["safety_officer"]
        )
    return {"uuid": a.uuid}


CASES += [
    Case("criteria:selfchecks", SELFCHECK_VIEW),
    Case("criteria:selfcheck_new", SELFCHECK_RUN),
    Case("criteria:selfcheck", SELFCHECK_VIEW, kwargs=_selfcheck),
]
