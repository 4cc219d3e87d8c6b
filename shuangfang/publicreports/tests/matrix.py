from shuangfang.core.matrix import ApiCase, Case, PublicCase

OFFICERS = frozenset({"admin", "institution_head", "safety_officer"})

# Reachable without an account by design: the poster's report form and the follow-up pages. The
# permission matrix (tests/test_permission_matrix.py) opens each as every persona (PUBLIC_CASES);
# the visitor's whole journey is in test_pages.py and tests/e2e/test_publicreports_journey.py.
PUBLIC = {"publicreports:report", "publicreports:follow", "publicreports:follow_lookup"}


def _public_world(w):
    """A report of institution A confirmed into a hazard with an internal note, another visitor's
    report there and one of institution B: what a public page must never show."""
    from shuangfang.publicreports import services
    from shuangfang.publicreports.tests.factories import poster_at, report_at

    mine = report_at(w.inst_a, text="访客甲：二楼走廊应急灯不亮")
    hazard = services.confirm(actor=w.users["safety_officer"], report=mine, note="内部备注：联系物业")
    other = report_at(w.inst_a, text="访客乙：地面湿滑")
    elsewhere = report_at(w.inst_b, text="访客丙：另一家机构的报告")
    secrets = [
        mine.text,
        other.text,
        elsewhere.text,
        "内部备注",
        hazard.number,
        str(hazard.uuid),
        str(mine.uuid),
        other.follow_code,
        elsewhere.follow_code,
        w.users["safety_officer"].name,
        w.users["safety_officer"].username,
    ]
    return mine, poster_at(w.inst_a), secrets


def _public_report(w):
    _mine, poster, secrets = _public_world(w)
    return {"code": poster.code}, secrets


def _public_follow(w):
    mine, _poster, secrets = _public_world(w)
    return {"code": mine.follow_code}, [*secrets, f"/hazards/{hazard_uuid(mine)}"]


def hazard_uuid(report) -> str:
    report.refresh_from_db()
    return str(report.hazard.uuid)


def _public_lookup(w):
    return None, _public_world(w)[2]


PUBLIC_CASES = [
    PublicCase("publicreports:report", _public_report),
    PublicCase("publicreports:follow", _public_follow),
    PublicCase("publicreports:follow_lookup", _public_lookup),
]


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
