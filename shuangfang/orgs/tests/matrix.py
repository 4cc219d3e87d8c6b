from shuangfang.core.matrix import ALL_IN_TENANT, ApiCase, Case

MANAGERS = frozenset({"admin", "institution_head"})
PEOPLE_VIEWERS = frozenset(
    {"admin", "bureau_supervisor", "institution_head", "safety_officer", "department_head"}
)
AUDITORS = frozenset({"admin", "bureau_supervisor", "institution_head", "safety_officer"})


def inst_a(w):
    return {"uuid": w.inst_a.uuid}


def cook(w):
    return {"uuid": w.users["staff"].uuid}


def _import_job(w):
    """A finished people import of the institution head's."""
    from shuangfang.core.jobs import FLOW
    from shuangfang.core.models import Job

    if "_people_import" not in w.__dict__:
        job = Job.objects.create(
            owner=w.users["institution_head"],
            organization=w.inst_a,
            title="人员",
            path="/imports/orgs.people/",
            task="core.import",
            params={"sheet": "orgs.people", "organization": w.inst_a.pk},
        )
        w.__dict__["_people_import"] = FLOW.move(FLOW.move(job, "start", actor=None), "finish", actor=None)
    return {"uuid": w.__dict__["_people_import"].uuid}


CASES = [
    Case("home", ALL_IN_TENANT),
    Case("profile", ALL_IN_TENANT),
    Case("password_change", ALL_IN_TENANT),
    Case("orgs:tree", ALL_IN_TENANT),
    Case("orgs:detail", ALL_IN_TENANT, kwargs=inst_a),
    Case("orgs:create", MANAGERS, kwargs=inst_a),
    Case(
        "orgs:create",
        MANAGERS,
        kwargs=inst_a,
        method="post",
        data=lambda w: {"name": "安全保卫科", "kind": "department", "is_active": "on"},
    ),
    Case("orgs:edit", MANAGERS, kwargs=inst_a),
    Case("orgs:audit", AUDITORS, kwargs=inst_a),
    Case("orgs:post_create", MANAGERS, kwargs=inst_a),
    Case("orgs:post_edit", MANAGERS, kwargs=lambda w: {"uuid": w.post_a.uuid}),
    Case("orgs:people", PEOPLE_VIEWERS),
    Case("orgs:person_create", MANAGERS),
    # The people import (core.importing): the chooser, one organisation's page, the passwords of a
    # finished import (its owner's only: 404 for anyone else, even other managers).
    Case(
        "core:import_choose",
        MANAGERS,
        kwargs=lambda w: {"name": "orgs.people"},
        object_scoped=False,
        denied=404,
    ),
    Case("core:import", MANAGERS, kwargs=lambda w: {"name": "orgs.people", "uuid": w.inst_a.uuid}),
    Case("orgs:people_import_passwords", frozenset({"institution_head"}), kwargs=_import_job, denied=404),
    Case("orgs:person", PEOPLE_VIEWERS, kwargs=lambda w: {"uuid": w.users["department_head"].uuid}),
    Case("orgs:person_edit", MANAGERS, kwargs=cook),
    Case("orgs:membership_add", MANAGERS, kwargs=cook),
    Case("orgs:person_reset_password", MANAGERS, kwargs=cook, method="post"),
    Case("orgs:person_toggle_active", MANAGERS, kwargs=cook, method="post"),
    Case(
        "orgs:membership_end",
        MANAGERS,
        kwargs=lambda w: {"uuid": w.users["staff"].memberships.get().uuid},
        method="post",
    ),
]

API_CASES = [
    ApiCase("get", "/api/v1/orgs/me", ALL_IN_TENANT),
    ApiCase("get", "/api/v1/orgs/organizations", ALL_IN_TENANT),
    ApiCase("get", "/api/v1/orgs/organizations/{uuid}", ALL_IN_TENANT, params=inst_a, object_scoped=True),
    ApiCase("get", "/api/v1/orgs/people", PEOPLE_VIEWERS),
    ApiCase(
        "get",
        "/api/v1/orgs/people/{uuid}",
        PEOPLE_VIEWERS,
        params=lambda w: {"uuid": w.users["department_head"].uuid},
        object_scoped=True,
    ),
]


def _officer_token(w):
    from shuangfang.orgs import services

    token, _raw = services.issue_api_token(actor=w.users["safety_officer"], name="matrix")
    return {"uuid": token.uuid}


# A token is its owner's alone: everyone else gets 404, as for any object that is not theirs.
CASES.append(
    Case("token_revoke", frozenset({"safety_officer"}), kwargs=_officer_token, method="post", denied=404)
)
