"""Declarations for the role × tenant permission-matrix test (``tests/test_permission_matrix.py``).

Each app lists, in ``<app>/tests/matrix.py``, one :class:`Case` per URL name and one
:class:`ApiCase` per API operation, with the personas allowed. The test fails for any URL or API
operation that has no case, so the matrix grows with every view.

Expected answers:

* ``anonymous``: pages redirect to the login page; the API answers 401.
* a persona in ``allowed``: 200 (or a redirect after a POST).
* ``outsider`` (the head of another institution): 404 when the case is about an object
  (``object_scoped``); otherwise as ``institution_head`` would be answered in their own institution.
* anyone else: ``denied`` (403 unless the case says otherwise).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

ALL_IN_TENANT = frozenset(
    {
        "admin",
        "bureau_supervisor",
        "institution_head",
        "safety_officer",
        "department_head",
        "staff",
        "assessor",
    }
)


@dataclass(frozen=True)
class Case:
    url_name: str
    allowed: frozenset[str]
    kwargs: Callable[[Any], dict] | None = None
    method: str = "get"
    data: Callable[[Any], dict] = field(default=lambda w: {})
    object_scoped: bool | None = None  # default: the URL takes kwargs
    denied: int = 403
    ok: tuple[int, ...] = (200, 302)

    @property
    def is_object(self) -> bool:
        return self.object_scoped if self.object_scoped is not None else self.kwargs is not None


@dataclass(frozen=True)
class ApiCase:
    method: str
    path: str  # as in the OpenAPI schema, e.g. "/api/v1/orgs/organizations/{uuid}"
    allowed: frozenset[str]
    params: Callable[[Any], dict] = field(default=lambda w: {})
    body: Callable[[Any], dict] | None = None
    object_scoped: bool = False
    denied: int = 403
    ok: tuple[int, ...] = (200, 201, 204)


@dataclass(frozen=True)
class PublicCase:
    """A page reachable without an account (an app's ``PUBLIC`` pages): every persona, anonymous or
    logged in, from this tenant or another, gets ``ok``, never a redirect to the login page, and the
    page names none of the strings ``prepare`` returns (other reports, internal notes, staff names).

    ``prepare(world)`` makes what the page shows and returns ``(kwargs, secrets)``."""

    url_name: str
    prepare: Callable[[Any], tuple[dict | None, list[str]]]
    ok: int = 200


def expected(case: Case | ApiCase, persona: str, *, api: bool) -> tuple[int, ...]:
    is_object = case.is_object if isinstance(case, Case) else case.object_scoped
    if persona == "anonymous":
        return (401,) if api else (302,)
    if persona == "outsider":
        if is_object:
            return (404,)
        return case.ok if "institution_head" in case.allowed else (case.denied,)
    return case.ok if persona in case.allowed else (case.denied,)
