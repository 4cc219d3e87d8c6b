"""Documented maximum lengths of free text (docs/security.md, "Input limits").

Single-line fields take the ``max_length`` of their model field; multi-line texts (descriptions,
measures, notes) take ``settings.TEXT_MAX_CHARS``. The API schemas declare both as ``maxLength``
(a longer value is a 422 with the reason), the page forms as ``max_length`` (a form error): nothing
is cut silently.
"""

from __future__ import annotations

from typing import Annotated, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field
from pydantic import StringConstraints

# A filter or period given as text (a status, a kind, ``2026-Q3``): a code, never prose.
SHORT = 40


# A list item that is a code or a short name (an accident type): ``list[Code]``.
Code = Annotated[str, StringConstraints(max_length=SHORT)]


def max_chars(model, name: str) -> int:
    """The documented limit of ``model.name``: its ``max_length``, or the text limit."""
    return model._meta.get_field(name).max_length or settings.TEXT_MAX_CHARS


def text(model, name: str, default: Any = ...) -> Any:
    """A schema field for ``model.name`` with its limit (``default`` as for ``Field``)."""
    return Field(default, max_length=max_chars(model, name))


def code(default: Any = ...) -> Any:
    """A schema field for a code (a choice, a status, a method): at most ``SHORT`` characters."""
    return Field(default, max_length=SHORT)


def check_length(label, value: str, limit: int) -> None:
    """Refuse (translated ``ValidationError``) a text longer than ``limit``: never cut it."""
    if value and len(value) > limit:
        raise ValidationError(
            _("%(field)s is %(length)s characters long; the limit is %(limit)s.")
            % {"field": label, "length": len(value), "limit": limit}
        )


def optional(**kwargs: Any) -> Any:
    """A PATCH field that may be left out but not sent as null (``Field(None)``: the default is not
    validated, an explicit null is)."""
    return Field(None, **kwargs)
