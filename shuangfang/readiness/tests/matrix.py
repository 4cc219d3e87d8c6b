from shuangfang.core.matrix import ALL_IN_TENANT, ApiCase, Case

from .helpers import (
    certificate_a,
    drill_a,
    drill_photo_a,
    letter_a,
    material_a,
    meeting_a,
    plan_a,
    receipt_a,
    session_a,
    supply_a,
)

MANAGERS = frozenset({"admin", "institution_head", "safety_officer"})
REQUIREMENTS = frozenset({"admin", "bureau_supervisor", "institution_head", "safety_officer"})
STATUS = frozenset(
    {"admin", "bureau_supervisor", "institution_head", "safety_officer", "department_head", "assessor"}
)
# A letter is seen by its holder and by those who track letters at the institution.
LETTER_READERS = frozenset(
    {"admin", "bureau_supervisor", "institution_head", "safety_officer", "assessor", "staff"}
)


def inst_a(w):
    return {"uuid": w.inst_a.uuid}


def session(w):
    return {"uuid": session_a(w).uuid}


def sign_in(w):
    s = session_a(w)
    return {"uuid": s.uuid, "key": s.sign_in_key}


def drill(w):
    return {"uuid": drill_a(w).uuid}


def drill_sign_in(w):
    d = drill_a(w)
    return {"uuid": d.uuid, "key": d.sign_in_key}


def letter(w):
    return {"uuid": letter_a(w).uuid}


CASES = [
    Case("readiness:mine", ALL_IN_TENANT),
    Case("readiness:sessions", ALL_IN_TENANT),
    Case("readiness:session_create", MANAGERS, kwargs=inst_a),
    Case("readiness:session", ALL_IN_TENANT, kwargs=session),
    Case("readiness:sign_in", ALL_IN_TENANT, kwargs=sign_in),
    # Only people of the institution sign in: the others are refused with a message (a redirect).
    Case("readiness:sign_in", ALL_IN_TENANT, kwargs=sign_in, method="post"),
    Case("readiness:quiz", ALL_IN_TENANT, kwargs=session, method="post"),
    Case("readiness:session_mark", MANAGERS, kwargs=session, method="post"),
    Case("readiness:session_close", MANAGERS, kwargs=session, method="post"),
    Case("readiness:status", STATUS),
    Case("readiness:certificate_create", MANAGERS, kwargs=inst_a),
    Case("readiness:requirements", REQUIREMENTS),
    Case("readiness:drills", ALL_IN_TENANT),
    Case("readiness:drill_create", MANAGERS, kwargs=inst_a),
    Case("readiness:drill", ALL_IN_TENANT, kwargs=drill),
    Case("readiness:drill_record", MANAGERS, kwargs=drill, method="post"),
    Case("readiness:drill_sign_in", ALL_IN_TENANT, kwargs=drill_sign_in),
    Case("readiness:drill_sign_in", ALL_IN_TENANT, kwargs=drill_sign_in, method="post"),
    Case("readiness:drill_evaluate", MANAGERS, kwargs=drill, method="post"),
    Case("readiness:drill_cancel", MANAGERS, kwargs=drill, method="post"),
    Case("readiness:letters", ALL_IN_TENANT),
    Case("readiness:templates", REQUIREMENTS),
    Case("readiness:generate", REQUIREMENTS, kwargs=inst_a, method="post"),
    Case("readiness:letter", LETTER_READERS, kwargs=letter, denied=404),
    Case("readiness:letter_sign", LETTER_READERS, kwargs=letter, method="post", denied=404),
    Case("readiness:letter_pdf", LETTER_READERS, kwargs=letter, denied=404),
    Case("readiness:letter_change", REQUIREMENTS, kwargs=letter, method="post"),
]


def plan(w):
    return {"uuid": plan_a(w).uuid}


def supply(w):
    return {"uuid": supply_a(w).uuid}


CASES += [
    Case("readiness:plans", ALL_IN_TENANT),
    Case("readiness:plan_create", MANAGERS, kwargs=inst_a),
    Case("readiness:plan", ALL_IN_TENANT, kwargs=plan),
    Case("readiness:supplies", ALL_IN_TENANT),
    Case("readiness:supply_create", MANAGERS, kwargs=inst_a, method="post"),
    Case("readiness:supply_move", MANAGERS, kwargs=supply, method="post"),
]

BUREAU = frozenset({"admin", "bureau_supervisor"})
ACKNOWLEDGE = frozenset({"admin", "institution_head", "safety_officer"})


def meeting(w):
    return {"uuid": meeting_a(w).uuid}


def follow_up(w):
    return {"uuid": meeting_a(w).follow_ups.get().uuid}


def receipt(w):
    return {"uuid": receipt_a(w).uuid}


CASES += [
    Case("readiness:bureau", BUREAU),
    # Planning the quarter's spot-check tasks (a message when no inspector is chosen: a redirect).
    Case("readiness:bureau", BUREAU, method="post", data=lambda w: {"action": "plan"}),
    Case("readiness:meetings", BUREAU),
    # A bureau's meeting is not even seen from an institution.
    Case("readiness:meeting", BUREAU, kwargs=meeting, denied=404),
    Case("readiness:follow_up_done", BUREAU, kwargs=follow_up, method="post", denied=404),
    Case("readiness:notices", BUREAU),
    Case("readiness:receipt", ALL_IN_TENANT, kwargs=receipt),
    Case("readiness:receipt", ACKNOWLEDGE, kwargs=receipt, method="post"),
    Case("readiness:accountability", BUREAU),
    Case("readiness:accountability_create", BUREAU, kwargs=inst_a),
]


def drill_photo(w):
    return {"uuid": drill_photo_a(w).uuid}


def drill_photo_thumb(w):
    return {"uuid": drill_photo_a(w).uuid, "name": "thumb"}


def material(w):
    return {"uuid": material_a(w).uuid}


CASES += [
    Case("readiness:drill_photo_add", MANAGERS, kwargs=drill, method="post"),
    Case("readiness:session_material_add", MANAGERS, kwargs=session, method="post"),
    # Files are served only to those who see the drill or session: an outsider gets 404.
    Case("readiness:attachment", ALL_IN_TENANT, kwargs=drill_photo),
    Case("readiness:attachment_size", ALL_IN_TENANT, kwargs=drill_photo_thumb),
    Case("readiness:attachment", ALL_IN_TENANT, kwargs=material),
    # A certificate's photo: its holder (the cook) and whoever sees the cook's training status.
    Case(
        "readiness:certificate_photo",
        STATUS | {"staff"},
        kwargs=lambda w: {"uuid": certificate_a(w).uuid},
        denied=404,
    ),
]

API_CASES = [
    ApiCase("get", "/api/v1/readiness/training/mine", ALL_IN_TENANT),
    # Lists in the caller's scope: an outsider gets their own institution's rows (none of A's).
    ApiCase("get", "/api/v1/readiness/drills", ALL_IN_TENANT),
    ApiCase("get", "/api/v1/readiness/sessions", ALL_IN_TENANT),
    ApiCase("get", "/api/v1/readiness/letters", ALL_IN_TENANT),
    ApiCase(
        "post",
        "/api/v1/readiness/sessions/{uuid}/sign-in",
        frozenset({"institution_head", "safety_officer", "department_head", "staff", "assessor"}),
        params=session,
        body=lambda w: {"key": session_a(w).sign_in_key},
        object_scoped=True,
        denied=400,
    ),
]
