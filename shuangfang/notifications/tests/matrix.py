from shuangfang.core.matrix import ALL_IN_TENANT, ApiCase, Case

from .helpers import incident_a, note_a, policy_a, provider_a

VIEWERS = frozenset({"admin", "bureau_supervisor", "institution_head", "safety_officer", "department_head"})
CONFIGURERS = frozenset({"admin", "institution_head", "safety_officer"})


def incident(w):
    note_a(w)
    return {"uuid": incident_a(w).uuid}


CASES = [
    Case("notifications:inbox", ALL_IN_TENANT),
    Case("notifications:channels", ALL_IN_TENANT),
    Case("notifications:incidents", VIEWERS),
    # The incident's viewers, and the people it was sent to (the cook was told).
    Case("notifications:incident", VIEWERS | {"staff"}, kwargs=incident),
    Case("notifications:incident_ack", VIEWERS | {"staff"}, kwargs=incident, method="post"),
    Case(
        "notifications:inbox_open",
        frozenset({"staff"}),
        kwargs=lambda w: {"uuid": note_a(w).uuid},
        method="post",
        denied=404,
    ),
    Case("notifications:log", CONFIGURERS),
    Case("notifications:providers", CONFIGURERS),
    Case("notifications:policies", CONFIGURERS),
    Case("notifications:policy_create", CONFIGURERS, kwargs=lambda w: {"uuid": w.inst_a.uuid}),
    Case("notifications:policy_edit", CONFIGURERS, kwargs=lambda w: {"uuid": policy_a(w).uuid}),
    Case("notifications:provider_create", CONFIGURERS, kwargs=lambda w: {"uuid": w.inst_a.uuid}),
    Case("notifications:provider_edit", CONFIGURERS, kwargs=lambda w: {"uuid": provider_a(w).uuid}),
]

API_CASES = [
    ApiCase("get", "/api/v1/notifications/inbox", ALL_IN_TENANT),
    ApiCase(
        "post",
        "/api/v1/notifications/incidents/{uuid}/ack",
        VIEWERS | {"staff"},
        params=incident,
        object_scoped=True,
        ok=(200,),
    ),
]
