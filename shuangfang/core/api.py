"""What every endpoint of the JSON API shares: bounded pagination, a strict JSON parser and the
error responses declared in the OpenAPI document (see docs/security.md, "Input limits").

``config/api.py`` wires these in: ``NINJA_PAGINATION_CLASS`` points at :class:`BoundedPagination`,
``api.parser`` is a :class:`StrictParser` and :func:`declare_errors` adds the 400/401/403/404/422
answers (and 429 where an endpoint rate-limits) to every operation of the schema.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Field, Schema
from ninja.errors import HttpError
from ninja.pagination import LimitOffsetPagination
from ninja.parser import Parser
from pydantic import BeforeValidator


class BoundedPagination(LimitOffsetPagination):
    """``limit``/``offset`` with bounds in the schema: an offset past ``API_MAX_OFFSET`` (2^63 broke
    the database) or a limit past ``NINJA_PAGINATION_MAX_LIMIT`` is a 422, never a 500."""

    class Input(Schema):
        limit: int = Field(settings.NINJA_PAGINATION_PER_PAGE, ge=1, le=settings.NINJA_PAGINATION_MAX_LIMIT)
        offset: int = Field(0, ge=0, le=settings.API_MAX_OFFSET)


def refuse_unstorable(value: Any) -> None:
    """Raise ``ValueError`` for text no database keeps: NUL characters and lone surrogates."""
    if isinstance(value, str):
        if "\x00" in value:
            raise ValueError(_("Text may not contain NUL characters."))
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError(_("Text must be valid Unicode (no lone surrogates).")) from None
    elif isinstance(value, dict):
        for key, item in value.items():
            refuse_unstorable(key)
            refuse_unstorable(item)
    elif isinstance(value, list):
        for item in value:
            refuse_unstorable(item)


class StrictParser(Parser):
    """JSON bodies and query strings with text a database cannot store are a 400 with the reason."""

    def parse_body(self, request):
        data = json.loads(request.body)
        try:
            refuse_unstorable(data)
        except ValueError as exc:
            raise HttpError(400, str(exc)) from None
        return data

    def parse_querydict(self, data, list_fields, request):
        result = super().parse_querydict(data, list_fields, request)
        try:
            refuse_unstorable(result)
        except ValueError as exc:
            raise HttpError(400, str(exc)) from None
        return result


def _iso(kind: type[dt.date]):
    def parse(value: Any) -> Any:
        """Only ISO 8601 text (or a real date): pydantic alone takes "-3668" as a Unix time."""
        if isinstance(value, str):
            try:
                parsed = kind.fromisoformat(value.replace("Z", "+00:00") if kind is dt.datetime else value)
                if isinstance(parsed, dt.datetime) and parsed.tzinfo is not None:
                    parsed = parsed.astimezone(dt.UTC)  # PostgreSQL refuses offsets like +23:27
                return parsed
            except (ValueError, OverflowError):
                raise ValueError(f"not an ISO 8601 {kind.__name__}") from None
        if isinstance(value, int | float) and not isinstance(value, bool):
            raise ValueError(f"not an ISO 8601 {kind.__name__}")
        return value

    return BeforeValidator(parse)


IsoDate = Annotated[dt.date, _iso(dt.date)]
IsoDateTime = Annotated[dt.datetime, _iso(dt.datetime)]


DETAIL = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
INVALID = {
    "type": "object",
    "properties": {"detail": {"type": "array", "items": {"type": "object"}}},
    "required": ["detail"],
}
# The answers' words, in the language of the request like every other message (core's catalogue).
DENIED = gettext_lazy("Your role does not allow this.")
NOT_FOUND = gettext_lazy("Not found, or not yours to see.")

ERRORS: dict[str, tuple[str, dict]] = {
    "400": ("Bad input: the reason is in detail", DETAIL),
    "401": ("Not logged in, or the API token is not valid", DETAIL),
    "403": ("Your role does not allow this", DETAIL),
    "404": ("Not found, or not yours to see", DETAIL),
    "422": ("The request does not match the schema: each problem is in detail", INVALID),
}


def add_error_responses(schema: dict) -> dict:
    """Declare the error answers on every operation of an OpenAPI document (in place)."""
    for path in schema.get("paths", {}).values():
        for operation in path.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            # An endpoint's own answers may be keyed by int (400) or str ("400"): they serialise to
            # the same JSON key, and a duplicate key breaks strict readers (Swagger UI's YAML parser).
            declared = {str(code) for code in responses}
            for code, (text, body) in ERRORS.items():
                if str(code) not in declared:
                    responses[code] = {"description": text, "content": {"application/json": {"schema": body}}}
    return schema


def declare_errors(api) -> None:
    """Make ``api``'s OpenAPI document list the error responses of every endpoint."""
    build = api.get_openapi_schema

    def get_openapi_schema(**kwargs):
        return add_error_responses(build(**kwargs))

    api.get_openapi_schema = get_openapi_schema
