from shuangfang.core.matrix import ALL_IN_TENANT, ApiCase, Case

from .helpers import kitchen_a

MANAGERS = frozenset({"admin", "institution_head", "safety_officer"})
RECORDERS = frozenset({"admin", "institution_head", "safety_officer", "department_head", "staff"})
RULES = frozenset({"admin", "bureau_supervisor", "institution_head", "safety_officer"})


def _k(w):
    return {"uuid": kitchen_a(w).kitchen.uuid}


def _of(attr):
    return lambda w: {"uuid": getattr(kitchen_a(w), attr).uuid}


def _inst(w):
    kitchen_a(w)
    return {"uuid": w.inst_a.uuid}


CASES = [
    # A user with one kitchen is sent to it (302); the bureau sees the list.
    Case("food:home", ALL_IN_TENANT),
    Case("food:kitchen_setup", MANAGERS, kwargs=_inst),
    Case("food:kitchen", ALL_IN_TENANT, kwargs=_k),
    Case("food:today", ALL_IN_TENANT, kwargs=_k),
    Case("food:meal_create", RECORDERS, kwargs=_k),
    Case("food:meal_detail", ALL_IN_TENANT, kwargs=_of("lunch")),
    Case("food:disinfection_create", RECORDERS, kwargs=_of("lunch")),
    Case("food:sample_create", RECORDERS, kwargs=_of("dish")),
    Case("food:core_temp", RECORDERS, kwargs=_of("dish")),
    Case("food:sample_dispose", RECORDERS, kwargs=_of("sample")),
    Case("food:supplier_create", MANAGERS, kwargs=_k),
    Case("food:supplier_detail", ALL_IN_TENANT, kwargs=_of("supplier")),
    Case("food:supplier_edit", MANAGERS, kwargs=_of("supplier")),
    Case("food:licence_add", MANAGERS, kwargs=_of("supplier")),
    Case("food:items", ALL_IN_TENANT, kwargs=_k),
    Case("food:storage", ALL_IN_TENANT, kwargs=_k),
    Case(
        "food:stock_move",
        RECORDERS,
        kwargs=lambda w: {"uuid": kitchen_a(w).purchase.lines.get(accepted=True).uuid},
    ),
    Case("food:item_create", MANAGERS, kwargs=_k),
    Case("food:item_edit", MANAGERS, kwargs=_of("rice")),
    Case("food:purchase_create", RECORDERS, kwargs=_k),
    Case("food:purchase_detail", ALL_IN_TENANT, kwargs=_of("purchase")),
    Case("food:staff_list", ALL_IN_TENANT, kwargs=_k),
    Case("food:staff_create", MANAGERS, kwargs=_k),
    Case("food:morning_check", RECORDERS, kwargs=_k),
    Case("food:staff_detail", ALL_IN_TENANT, kwargs=_of("person")),
    Case("food:certificate_add", MANAGERS, kwargs=_of("person")),
    Case("food:fridges", ALL_IN_TENANT, kwargs=_k),
    Case("food:fridge_create", MANAGERS, kwargs=_k),
    Case("food:temperature_create", RECORDERS, kwargs=_k),
    Case("food:rules", ALL_IN_TENANT, kwargs=_k),
    # No rule named: 404 for everyone allowed to get that far.
    Case("food:rule_set", RULES, kwargs=_k, ok=(404,)),
    Case("food:photo_sample", ALL_IN_TENANT, kwargs=_of("sample")),
    Case("food:photo_ticket", ALL_IN_TENANT, kwargs=_of("purchase")),
    Case("food:photo_licence", ALL_IN_TENANT, kwargs=_of("licence")),
    Case("food:photo_certificate", ALL_IN_TENANT, kwargs=_of("cert")),
    *[
        Case(f"food:ledger_{kind}{pdf}", ALL_IN_TENANT)
        for kind in ("purchases", "samples", "disinfection", "morning_checks", "suppliers")
        for pdf in ("", "_pdf")
    ],
]

API_CASES = [
    ApiCase("get", "/api/v1/food/kitchens/{uuid}/today", ALL_IN_TENANT, params=_k, object_scoped=True),
    ApiCase(
        "post",
        "/api/v1/food/dishes/{uuid}/sample",
        RECORDERS,
        params=lambda w: {"uuid": kitchen_a(w).lunch.dishes.get(name="炒青菜").uuid},
        body=lambda w: {"weight_g": "130"},
        object_scoped=True,
    ),
    ApiCase(
        "post",
        "/api/v1/food/samples/{uuid}/dispose",
        RECORDERS,
        params=_of("sample"),
        body=lambda w: {},
        object_scoped=True,
    ),
]
