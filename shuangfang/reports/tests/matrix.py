from django.utils import timezone

from shuangfang.core.matrix import ApiCase, Case
from shuangfang.reports.models import Report
from shuangfang.reports.periods import last_ended

from .helpers import stored_report

READERS = frozenset({"admin", "bureau_supervisor", "institution_head", "safety_officer", "department_head"})
MAKERS = frozenset({"admin", "bureau_supervisor", "institution_head", "safety_officer"})
BUREAU = frozenset({"admin", "bureau_supervisor"})


def _inst(w):
    return {"uuid": w.inst_a.uuid}


def _bureau(w):
    return {"uuid": w.bureau.uuid}


def _report(w):
    report = Report.objects.filter(organization=w.inst_a).first() or stored_report(w.inst_a)
    return {"uuid": report.uuid}


def _period(w):
    return {"period": last_ended("quarterly", timezone.localdate()).key}


CASES = [
    Case("reports:index", READERS),
    Case("reports:organization", READERS, kwargs=_inst),
    # A bureau is not even visible to institution staff: 404, as for any object outside their tree.
    Case("reports:organization", BUREAU, kwargs=_bureau, denied=404),
    Case("reports:generate", MAKERS, kwargs=_inst, method="post", data=_period),
    Case("reports:detail", READERS, kwargs=_report),
    Case("reports:pdf", READERS, kwargs=_report),
    Case("reports:xlsx", READERS, kwargs=_report),
]

API_CASES = [
    ApiCase("get", "/api/v1/reports/organizations/{uuid}/reports", READERS, params=_inst, object_scoped=True),
    ApiCase(
        "post",
        "/api/v1/reports/organizations/{uuid}/reports",
        MAKERS,
        params=_inst,
        body=_period,
        object_scoped=True,
    ),
    ApiCase("get", "/api/v1/reports/{uuid}", READERS, params=_report, object_scoped=True),
    ApiCase("get", "/api/v1/reports/{uuid}/pdf", READERS, params=_report, object_scoped=True),
    ApiCase("get", "/api/v1/reports/{uuid}/xlsx", READERS, params=_report, object_scoped=True),
]
