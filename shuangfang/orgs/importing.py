"""Import people from an Excel sheet: all rows or none, with an error per bad row and column."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shuangfang.core.uploads import open_workbook, sheet_rows

from . import services
from .models import Organization, OrgKind, Post, User
from .roles import Role

# (key, header in Chinese, header in English, required)
COLUMNS = [
    ("username", "登录名", "Login name", True),
    ("name", "姓名", "Name", True),
    ("phone", "手机号", "Mobile phone", False),
    ("email", "邮箱", "Email", False),
    ("department", "部门", "Department", False),
    ("role", "角色", "Role", True),
    ("post", "岗位", "Post", False),
    ("valid_until", "有效期至", "Valid until", False),
    ("password", "初始密码", "Initial password", False),
]
MAX_ROWS = 5000


@dataclass
class RowError:
    row: int
    column: str
    message: str


@dataclass
class ImportResult:
    errors: list[RowError] = field(default_factory=list)
    created: list[tuple[User, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def template_rows() -> tuple[list[str], list[list[Any]]]:
    headers = [zh for _k, zh, _en, _r in COLUMNS]
    example = ["zhangsan", "张三", "13800138000", "", "后勤科", str(Role.STAFF.label), "厨师", "", ""]
    return headers, [example]


def _role_from(text: str) -> str | None:
    text = text.strip()
    for role in Role:
        if text in (role.value, str(role.label)):
            return role.value
    from django.utils import translation

    for lang in ("zh-hans", "en"):
        with translation.override(lang):
            for role in Role:
                if text == str(role.label):
                    return role.value
    return None


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _date(value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(_text(value))
    except ValueError:
        raise ValidationError(_("%(value)s is not a date (use 2026-12-31).") % {"value": value}) from None


def read_rows(upload) -> tuple[list[dict[str, Any]], list[RowError]]:
    wb = open_workbook(upload)
    ws = wb.worksheets[0]
    rows_iter = sheet_rows(ws)
    header = [(_text(h)) for h in next(rows_iter, (1, ()))[1]]
    index: dict[str, int] = {}
    for key, zh, en, _required in COLUMNS:
        for i, h in enumerate(header):
            if h in (zh, en, key):
                index[key] = i
    missing = [zh for key, zh, _en, req in COLUMNS if req and key not in index]
    if missing:
        raise ValidationError(
            _("The sheet lacks the columns: %(columns)s. Download the template and keep its header row.")
            % {"columns": "、".join(missing)}
        )
    rows: list[dict[str, Any]] = []
    for n, values in rows_iter:
        if not any(v not in (None, "") for v in values):
            continue
        row = {key: (values[i] if i < len(values) else None) for key, i in index.items()}
        row["_row"] = n
        rows.append(row)
        if len(rows) > MAX_ROWS:
            raise ValidationError(_("At most %(n)d people per import.") % {"n": MAX_ROWS})
    wb.close()
    return rows, []


def import_people(*, actor: User, organization: Organization, upload) -> ImportResult:
    """Validate every row first; if any is bad, save nothing. ``organization`` is the institution
    (or bureau) the people join; the department column names a department below it."""
    result = ImportResult()
    rows, _errors = read_rows(upload)
    if not rows:
        raise ValidationError(_("The sheet has no rows below the header."))
    departments = {
        d.name: d
        for d in Organization.objects.filter(path__startswith=organization.path, kind=OrgKind.DEPARTMENT)
    }
    posts = {p.name: p for p in Post.objects.filter(organization=organization.institution_id or 0)}
    seen: dict[str, int] = {}
    plans: list[tuple[int, dict[str, Any]]] = []
    for row in rows:
        n = row["_row"]

        def err(column: str, message: str, n: int = n) -> None:
            result.errors.append(RowError(n, column, message))

        plans.append(
            (
                n,
                _check_row(
                    row,
                    err,
                    actor=actor,
                    organization=organization,
                    departments=departments,
                    posts=posts,
                    seen=seen,
                ),
            )
        )
    if result.errors:
        return result
    try:
        with transaction.atomic():
            for n, plan in plans:
                try:
                    result.created.append(services.create_person(actor=actor, **plan))
                except ValidationError as exc:
                    result.errors.append(RowError(n, "", "; ".join(exc.messages)))
            if result.errors:
                raise _Rollback
    except _Rollback:
        result.created = []
    return result


def _check_row(
    row: dict[str, Any],
    err: Callable[[str, str], None],
    *,
    actor: User,
    organization: Organization,
    departments: dict[str, Organization],
    posts: dict[str, Post],
    seen: dict[str, int],
) -> dict[str, Any]:
    """Check one row, reporting each problem through ``err`` (column, message), and return the
    arguments of its ``services.create_person``. ``seen``: the login names of the rows above, by row."""
    n = row["_row"]
    username = _text(row.get("username"))
    name = _text(row.get("name"))
    if not username:
        err("登录名", _("The login name is required."))
    elif username.lower() in seen:
        err("登录名", _("Repeats row %(row)d.") % {"row": seen[username.lower()]})
    else:
        seen[username.lower()] = n
    if not name:
        err("姓名", _("The name is required."))
    role = _role_from(_text(row.get("role")))
    if role is None:
        err("角色", _("Unknown role %(role)s.") % {"role": _text(row.get("role"))})
    dept_name = _text(row.get("department"))
    target = organization
    if dept_name:
        dept = departments.get(dept_name)
        if dept is None:
            err(
                "部门",
                _("No department named %(name)s in %(org)s.") % {"name": dept_name, "org": organization},
            )
        else:
            target = dept
    post_name = _text(row.get("post"))
    post = posts.get(post_name) if post_name else None
    if post_name and post is None:
        err("岗位", _("No post named %(name)s in %(org)s.") % {"name": post_name, "org": organization})
    try:
        valid_until = _date(row.get("valid_until"))
    except ValidationError as exc:
        err("有效期至", exc.messages[0])
        valid_until = None
    try:
        phone = services.normalize_phone(_text(row.get("phone")))
    except ValidationError as exc:
        err("手机号", exc.messages[0])
        phone = ""
    if username and services.USERNAME_RE.match(username) is None:
        err(
            "登录名",
            _("The login name must be 3–40 letters, digits or . _ @ + - (got %(name)s).")
            % {"name": username},
        )
    elif username and User.objects.filter(username__iexact=username).exists():
        err("登录名", _("The login name %(name)s is taken.") % {"name": username})
    if role is not None:
        try:
            services.validate_membership(
                actor=actor, organization=target, role=role, post=post, valid_until=valid_until
            )
        except ValidationError as exc:
            err("角色", exc.messages[0])
    return {
        "username": username,
        "name": name,
        "phone": phone,
        "email": _text(row.get("email")),
        "password": _text(row.get("password")) or None,
        "membership": services.NewMembership(
            organization=target, role=role or "", post=post, valid_until=valid_until
        ),
    }


class _Rollback(Exception):
    pass


COLUMN_HELP = gettext_lazy(
    "Columns: login name, name, role (required); mobile phone, email, department, post, valid until, "
    "initial password (optional). A blank password gets a generated one, shown once after the import."
)
