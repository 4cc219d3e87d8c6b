"""Every relief page answers 404 to anyone without its permission at a relief station: the
elderly home's head (outsider), the bureau (statistics only), the assessor."""

import itertools

from shuangfang.core.matrix import ApiCase, Case

from .helpers import admitted, new_case

# Each builder registers a new person: the export-safety test builds every case in one database.
_seq = itertools.count(100)


def _unique() -> dict:
    n = next(_seq)
    return {"name": f"矩阵{n}", "seq": n}


CASEWORK = frozenset({"institution_head", "safety_officer", "department_head", "staff"})
LEADS = frozenset({"institution_head", "safety_officer", "department_head"})


def case(w):
    return {"uuid": new_case(w, **_unique()).uuid}


CASES = [
    Case("relief:index", CASEWORK, object_scoped=True, denied=404),
    Case("relief:register", CASEWORK, object_scoped=True, denied=404),
    Case("relief:case", CASEWORK, kwargs=case, denied=404),
    Case("relief:case_identity", LEADS, kwargs=case, method="post", denied=404),
    Case(
        "relief:case_move",
        CASEWORK,
        kwargs=case,
        method="post",
        data=lambda w: {"action": "check", "check-method": "gate", "check-result": "passed"},
        denied=404,
    ),
    Case(
        "relief:case_record",
        CASEWORK,
        kwargs=case,
        method="post",
        data=lambda w: {"what": "search", "search-kind": "notice_24h", "search-on": "2026-01-02"},
        denied=404,
    ),
    Case("relief:case_photo", CASEWORK, kwargs=case, denied=404, ok=(200, 404)),
]


def trip(w):
    from .test_trips import make_trip

    return {"uuid": make_trip(w, case=admitted(w, **_unique())).uuid}


CASES += [
    Case("relief:trips", CASEWORK, object_scoped=True, denied=404),
    Case("relief:trip_new", CASEWORK, object_scoped=True, denied=404),
    Case("relief:trip", CASEWORK, kwargs=trip, denied=404),
    # Station staff reach the page; the table says who makes the move (the head approves: 302;
    # the others 403). Who may is tested move by move in test_trips.py.
    Case(
        "relief:trip_move",
        CASEWORK,
        kwargs=trip,
        method="post",
        data=lambda w: {"action": "approve"},
        denied=404,
        ok=(302, 403),
    ),
    # Only the trip's escorts check in (403 for the others), and only en route (400).
    Case("relief:trip_checkin", CASEWORK, kwargs=trip, method="post", denied=404, ok=(400, 403)),
    Case("relief:trip_receipt", CASEWORK, kwargs=trip, denied=404, ok=(404,)),
]


def _repeat(w):
    from shuangfang.relief import cases

    names = _unique()
    first = new_case(w, **names)
    cases.move(first, "refuse", actor=w.users["staff"], reason="self_sufficient")
    return new_case(w, **names).person


def letter(w):
    from .test_letters import draft

    return {"uuid": draft(w, _repeat(w)).uuid}


def person(w):
    return {"uuid": _repeat(w).uuid}


APPROVERS = frozenset({"institution_head"})
CASES += [
    Case("relief:letters", CASEWORK, object_scoped=True, denied=404),
    Case("relief:letter_template", APPROVERS, object_scoped=True, denied=404),
    Case("relief:letter_new", CASEWORK, kwargs=person, denied=404),
    Case("relief:letter", CASEWORK, kwargs=letter, denied=404),
    Case(
        "relief:letter_move",
        CASEWORK,
        kwargs=letter,
        method="post",
        data=lambda w: {"action": "send", "send-method": "post", "send-body": "正文"},
        denied=404,
    ),
    Case("relief:case_pdf", CASEWORK, kwargs=case, denied=404),
    Case("relief:letter_pdf", CASEWORK, kwargs=letter, denied=404),
]

CASES += [
    Case(
        "relief:stats",
        frozenset({"admin", "bureau_supervisor", "institution_head", "safety_officer"}),
        object_scoped=True,
        denied=404,
    ),
    Case("relief:export", APPROVERS, object_scoped=True, denied=404),
]


API_CASES = [
    ApiCase(
        "get",
        "/api/v1/relief/organizations/{uuid}/statistics",
        frozenset({"admin", "bureau_supervisor", "institution_head", "safety_officer"}),
        params=lambda w: {"uuid": w.inst_a.uuid},
        object_scoped=True,  # the elderly home's head: 404; staff of the station: 403
    ),
]
