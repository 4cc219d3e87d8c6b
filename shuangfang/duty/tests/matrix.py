from shuangfang.core.matrix import ALL_IN_TENANT, ApiCase, Case

from .helpers import handover_a, shift_a

MANAGERS = frozenset({"admin", "institution_head", "safety_officer"})


def inst_a(w):
    return {"uuid": w.inst_a.uuid}


def shift(w):
    return {"uuid": shift_a(w).uuid}


def handover(w):
    return {"uuid": handover_a(w).uuid}


CASES = [
    Case("duty:board", ALL_IN_TENANT),
    Case("duty:roster", ALL_IN_TENANT, kwargs=inst_a),
    Case("core:import", MANAGERS, kwargs=lambda w: {"name": "duty.roster", "uuid": w.inst_a.uuid}),
    Case("duty:shift_create", MANAGERS, kwargs=inst_a),
    Case("duty:shift_edit", MANAGERS, kwargs=shift),
    Case("duty:override_create", MANAGERS, kwargs=shift),
    Case("duty:handover_create", ALL_IN_TENANT, kwargs=shift),
    Case("duty:handover_detail", ALL_IN_TENANT, kwargs=handover),
    # Only the person taking over signs.
    Case("duty:handover_sign", frozenset({"staff"}), kwargs=handover, method="post"),
]

API_CASES = [
    ApiCase(
        "get", "/api/v1/duty/institutions/{uuid}/on-duty", ALL_IN_TENANT, params=inst_a, object_scoped=True
    ),
]
