from shuangfang.core.matrix import ApiCase, Case

OFFICERS = frozenset({"admin", "institution_head", "safety_officer"})

# Reachable without an account by design (tests/test_permission_matrix.py): the poster's report
# form and the follow-up pages. What an anonymous visitor can and cannot see there is tested in
# tests/test_public_pages.py.
PUBLIC = {"publicreports:report", "publicreports:follow", "publicreports:follow_lookup"}


def _report(w):
    from shuangfang.publicreports.tests.factories import report_at

    return {"uuid": report_at(w.inst_a).uuid}


def _poster(w):
    from shuangfang.publicreports.tests.factories import poster_at

    return {"uuid": poster_at(w.inst_a).uuid}


def _photo(w):
    from shuangfang.publicreports.tests.factories import report_at

    return {"uuid": report_at(w.inst_a, photo=True).photos.get().uuid}


CASES = [
    Case("publicreports:queue", OFFICERS),
    Case("publicreports:detail", OFFICERS, kwargs=_report),
    Case(
        "publicreports:act",
        OFFICERS,
        kwargs=_report,
        method="post",
        data=lambda w: {"do": "reject", "reason": "not_a_hazard"},
    ),
    Case("publicreports:photo", OFFICERS, kwargs=_photo),
    Case("publicreports:posters", OFFICERS),
    Case(
        "publicreports:posters_make",
        OFFICERS,
        method="post",
        data=lambda w: {"institution": str(w.inst_a.uuid)},
        object_scoped=True,
    ),
    Case("publicreports:poster_pdf", OFFICERS, kwargs=_poster),
    Case("publicreports:poster_switch", OFFICERS, kwargs=_poster, method="post", data=lambda w: {"on": "0"}),
]

API_CASES = [
    ApiCase("get", "/api/v1/publicreports/reports", OFFICERS),
    ApiCase("get", "/api/v1/publicreports/reports/{uuid}", OFFICERS, params=_report, object_scoped=True),
    ApiCase(
        "post",
        "/api/v1/publicreports/reports/{uuid}/confirm",
        OFFICERS,
        params=_report,
        body=lambda w: {"description": "楼梯间堆放杂物"},
        object_scoped=True,
    ),
    ApiCase(
        "post",
        "/api/v1/publicreports/reports/{uuid}/reject",
        OFFICERS,
        params=_report,
        body=lambda w: {"reason": "not_a_hazard", "note": ""},
        object_scoped=True,
    ),
]
