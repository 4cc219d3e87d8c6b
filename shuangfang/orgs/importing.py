"""People imported from an Excel sheet through the shared background import (``core.importing``):
a job with progress, all rows or none, every problem of every row listed by row and column.

The initial passwords (the sheet's, or generated for a blank cell) are shown to the importer only,
once: the job keeps them encrypted in the shared cache (never in the job's row, the log or the
inbox notice) for ``PASSWORDS_SECONDS``, and the page that shows them
(:func:`take_passwords`, ``orgs:people_import_passwords``) is the job owner's only and deletes them as
it reads them. The uploaded workbook itself is deleted once read (``core.importing.import_job``).
"""

from __future__ import annotations

import base64
import json
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from shuangfang.core import importing
from shuangfang.core.importing import Col, RowProblem, RowProblems

from . import services
from .models import BUREAU_KINDS, Organization, OrgKind, Post, User
from .roles import Role

COLUMNS = [
    Col("username", gettext_lazy("Login name"), True, "zhangsan"),
    Col("name", gettext_lazy("Full name"), True, "张三"),
    Col("phone", pgettext_lazy("people import", "Mobile phone"), False, "13800138000"),
    Col("email", pgettext_lazy("people import", "Email"), False, ""),
    Col("department", gettext_lazy("Department"), False, "后勤科"),
    Col("role", gettext_lazy("Role"), True, "员工"),
    Col("post", gettext_lazy("Post"), False, "厨师"),
    Col("valid_until", gettext_lazy("Valid until"), False, ""),
    Col("password", gettext_lazy("Initial password"), False, ""),
]
PASSWORDS_SECONDS = 24 * 3600  # unread initial passwords are dropped after this


def _role_from(value: str) -> str | None:
    try:
        return importing.choice(value, Role.choices, "role")
    except RowProblem:
        return None


def _prepare(actor: User, organization: Organization) -> dict[str, Any]:
    return {
        "departments": {
            d.name: d
            for d in Organization.objects.filter(path__startswith=organization.path, kind=OrgKind.DEPARTMENT)
        },
        "posts": {p.name: p for p in Post.objects.filter(organization=organization.institution_id or 0)},
        "seen": {},  # login names of the rows above -> their row
        "created": [],  # (name, login name, initial password) of the people saved
    }


def _check(row: dict[str, Any], ctx: dict[str, Any]) -> dict[str, Any]:
    """Every problem of the row at once; the arguments of its ``services.create_person``."""
    problems: list[RowProblem] = []

    def err(column: str, message: str) -> None:
        problems.append(RowProblem(column, message))

    actor, organization, seen = ctx["actor"], ctx["organization"], ctx["seen"]
    username = importing.text(row.get("username"))
    name = importing.text(row.get("name"))
    if not username:
        err("username", _("The login name is required."))
    elif username.lower() in seen:
        err("username", _("Repeats row %(row)d.") % {"row": seen[username.lower()]})
    else:
        seen[username.lower()] = row["_row"]
    if not name:
        err("name", _("The name is required."))
    role = _role_from(importing.text(row.get("role")))
    if role is None:
        err("role", _("Unknown role %(role)s.") % {"role": importing.text(row.get("role"))})
    dept_name = importing.text(row.get("department"))
    target = organization
    if dept_name:
        dept = ctx["departments"].get(dept_name)
        if dept is None:
            err(
                "department",
                _("No department named %(name)s in %(org)s.") % {"name": dept_name, "org": organization},
            )
        else:
            target = dept
    post_name = importing.text(row.get("post"))
    post = ctx["posts"].get(post_name) if post_name else None
    if post_name and post is None:
        err("post", _("No post named %(name)s in %(org)s.") % {"name": post_name, "org": organization})
    try:
        valid_until = importing.date(row.get("valid_until"), "valid_until")
    except RowProblem as exc:
        problems.append(exc)
        valid_until = None
    try:
        phone = services.normalize_phone(importing.text(row.get("phone")))
    except ValidationError as exc:
        err("phone", exc.messages[0])
        phone = ""
    if username and services.USERNAME_RE.match(username) is None:
        err(
            "username",
            _("The login name must be 3–40 letters, digits or . _ @ + - (got %(name)s).")
            % {"name": username},
        )
    elif username and User.objects.filter(username__iexact=username).exists():
        err("username", _("The login name %(name)s is taken.") % {"name": username})
    if role is not None:
        try:
            services.validate_membership(
                actor=actor, organization=target, role=role, post=post, valid_until=valid_until
            )
        except ValidationError as exc:
            err("role", exc.messages[0])
    if problems:
        raise RowProblems(problems)
    return {
        "username": username,
        "name": name,
        "phone": phone,
        "email": importing.text(row.get("email")),
        "password": importing.text(row.get("password")) or None,
        "membership": services.NewMembership(
            organization=target, role=role or "", post=post, valid_until=valid_until
        ),
    }


def _save(plan: dict[str, Any], ctx: dict[str, Any]) -> None:
    person, password = services.create_person(actor=ctx["actor"], **plan)
    ctx["created"].append((person.name, person.username, password))


# --- The initial passwords, for the importer's eyes only, once -------------------------------------


def _fernet() -> Fernet:
    key = salted_hmac("shuangfang.orgs.importing.passwords", "fernet", algorithm="sha256").digest()
    return Fernet(base64.urlsafe_b64encode(key))


def _key(job) -> str:
    return f"orgs:import-passwords:{job.uuid}"


def keep_passwords(job, created: list[tuple[str, str, str]]) -> None:
    token = _fernet().encrypt(json.dumps(created).encode())
    cache.set(_key(job), token.decode(), PASSWORDS_SECONDS)


def take_passwords(job) -> list[tuple[str, str, str]] | None:
    """The job's initial passwords, deleted as they are read: None once shown (or expired). Of two
    pages opened at once only the one that deletes them shows them."""
    token = cache.get(_key(job))
    if token is None or not cache.delete(_key(job)):
        return None
    try:
        return [
            (name, login, password) for name, login, password in json.loads(_fernet().decrypt(token.encode()))
        ]
    except InvalidToken:  # SECRET_KEY changed meanwhile
        return None


def _finish(job, ctx: dict[str, Any]) -> tuple[str, str]:
    keep_passwords(job, ctx["created"])
    note = _("Open the result to read the initial passwords: they are shown once.")
    return reverse("orgs:people_import_passwords", kwargs={"uuid": job.uuid}), note


SHEET = importing.Sheet(
    name="orgs.people",
    title=gettext_lazy("People"),
    perm="org.manage",
    columns=COLUMNS,
    check=_check,
    save=_save,
    prepare=_prepare,
    finish=_finish,
    kinds=(OrgKind.INSTITUTION, *BUREAU_KINDS),
    help=gettext_lazy(
        "One row per person; the department column names a department of the institution. A blank "
        "password gets a generated one, shown once, to you only, after the import."
    ),
)
