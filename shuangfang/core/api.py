"""What every endpoint of the JSON API shares: bounded pagination, a strict JSON parser and the
error responses declared in the OpenAPI document (see docs/security.md, "Input limits").

``config/api.py`` wires these in: ``NINJA_PAGINATION_CLASS`` points at :class:`BoundedPagination`,
``api.parser`` is a :class:`StrictParser` and :func:`declare_errors` adds the 400/401/403/404/422
answers (and 429 where an endpoint rate-limits) to every operation of the schema.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import uuid
from collections.abc import Callable, Hashable
from decimal import Decimal
from typing import Annotated, Any, TypeVar, get_args

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Field, Schema
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.parser import Parser
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder
from ninja.schema import DjangoGetter
from ninja.utils import contribute_operation_callback
from pydantic import BaseModel, BeforeValidator
from pydantic_core import to_json

from .planned import planned_cursor

S = TypeVar("S", bound=BaseModel)


class BoundedPagination(LimitOffsetPagination):
    """``limit``/``offset`` with bounds in the schema: an offset past ``API_MAX_OFFSET`` (2^63 broke
    the database) or a limit past ``NINJA_PAGINATION_MAX_LIMIT`` is a 422, never a 500.

    The rows are read first; ``count`` then costs no query when the page is not full (it is the
    offset plus the rows), and otherwise comes from :func:`list_count`."""

    class Input(Schema):
        limit: int = Field(settings.NINJA_PAGINATION_PER_PAGE, ge=1, le=settings.NINJA_PAGINATION_MAX_LIMIT)
        offset: int = Field(0, ge=0, le=settings.API_MAX_OFFSET)

    def paginate_queryset(self, queryset, pagination, request, **params):
        offset = pagination.offset
        limit = min(pagination.limit, self.max_limit)
        rows = list(queryset[offset : offset + limit])
        count = known_total(rows, offset, limit)
        return {self.items_attribute: rows, "count": list_count(queryset) if count is None else count}


def known_total(rows: list, offset: int, limit: int) -> int | None:
    """The list's total when the page read at ``offset`` tells it without a count: a page that is
    not full and holds rows (or is the first page) is the last one. ``None``: count."""
    if len(rows) < limit and (rows or offset == 0):
        return offset + len(rows)
    return None


def list_count(queryset) -> int:
    """The number of rows of a list longer than one page: counted, and remembered for
    ``API_COUNT_CACHE_SECONDS`` under the query's SQL (which holds the caller's scope and filters),
    so a client polling the first page does not count the table each time. Such a total may lag a
    change by that long; a list that fits one page is always exact."""
    if not isinstance(queryset, QuerySet):
        return len(queryset)
    try:
        sql, params = queryset.order_by().values("pk").query.sql_with_params()
    except EmptyResultSet:  # a filter that can match nothing (an unknown level, ``.none()``)
        return 0
    return _remembered_count(queryset.db, sql, params, queryset.count)


def _remembered_count(db: str, sql: str, params: Any, count: Callable[[], int]) -> int:
    seconds = settings.API_COUNT_CACHE_SECONDS
    if seconds <= 0:
        return count()
    # Kept in this process, not in the shared cache: a Redis round trip was a ninth of an API
    # request, and each web process counting once per period costs less than that.
    local = caches["local"]
    key = "sf:count:" + hashlib.sha256(f"{db}|{sql}|{params!r}".encode()).hexdigest()
    total = local.get(key)
    if total is None:
        total = count()
        local.set(key, total, seconds)
    return total


Compiled = tuple[str, str, Any]  # database alias, SQL without the page's limits, parameters


class _CompiledOnce:
    """A ``values_list`` query as the paginator's sequence. The page's slice compiles the query once
    and that SQL (without the slice) is also the key its total is remembered under, where a queryset
    would compile a second query for the key. With a ``key`` (the view's own inputs: see
    :func:`paginate_values`), the SQL is remembered in this process under it, and a request with
    the same inputs neither builds nor compiles the query again (together ≈ 25 % of the request)."""

    def __init__(self, make: Callable[[], QuerySet], key: Hashable = None, memo: dict | None = None):
        self.make, self.key, self.memo = make, key, memo
        self.built: QuerySet | None = None
        self.compiled: Compiled | None = None

    @property
    def queryset(self) -> QuerySet:
        if self.built is None:
            self.built = self.make()
        return self.built

    def _compile(self) -> tuple[Any, Compiled | None]:
        """The compiler and what it compiled, or ``(None, None)`` when nothing can match."""
        query = self.queryset.query
        compiler = query.get_compiler(using=self.queryset.db)
        try:
            sql, params = compiler.as_sql(with_limits=False)
        except EmptyResultSet:
            return None, None
        return (compiler, (self.queryset.db, sql, params)) if sql else (None, None)

    def __getitem__(self, window: slice) -> list[tuple]:
        known = self.memo.get(self.key) if self.memo is not None else None
        if known is not None:
            if settings.TESTING:  # every test checks that the remembered SQL is what would be compiled
                assert self._compile()[1] == known, f"{self.key!r} does not hold all the view's inputs"
            self.compiled = db, sql, params = known
            # The same statement for every request with these inputs: PostgreSQL keeps its plan.
            with planned_cursor(db) as cursor:
                cursor.execute(
                    f"{sql} {connections[db].ops.limit_offset_sql(window.start, window.stop)}", params
                )
                return cursor.fetchall()
        query = self.queryset.query
        if query.is_sliced or query.combinator or query.select_for_update:
            return list(self.queryset[window])
        compiler, self.compiled = self._compile()
        if compiler is None or self.compiled is None:
            return []
        db, sql, params = self.compiled
        page = f"{sql} {compiler.connection.ops.limit_offset_sql(window.start, window.stop)}"
        # What the compiler would run for the sliced query (the limits are its own SQL); its rows
        # then get the converters ``values_list`` gives them.
        compiler.as_sql = lambda *args, **kwargs: (page, params)
        rows = list(compiler.results_iter(tuple_expected=True))
        fields = [column[0] for column in compiler.select[: compiler.col_count]]
        # Remembered only when the database's rows are the values as they are (no converters).
        if self.memo is not None and not compiler.has_extra_select and not compiler.get_converters(fields):
            if len(self.memo) >= _MEMO_SIZE:
                self.memo.clear()
            self.memo[self.key] = self.compiled
        return rows

    def __len__(self) -> int:
        if self.compiled is None:  # sliced elsewhere, or nothing can match
            return list_count(self.queryset)
        db, sql, params = self.compiled
        return _remembered_count(db, sql, params, lambda: self.queryset.count())


_MEMO_SIZE = 1000  # compiled lists kept per view and process (scopes × filters in use)


def _item_schema(op) -> tuple[type[BaseModel], type[BaseModel]]:
    paged = op.response_models[200].model_fields["response"].annotation
    (item,) = get_args(paged.model_fields["items"].annotation)
    for field in item.model_fields.values():
        for arg in (field.annotation, *get_args(field.annotation)):
            if isinstance(arg, type) and issubclass(arg, BaseModel):
                raise TypeError(f"{item.__name__}.{arg.__name__}: nested schemas need validation")
    return paged, item


_PLAIN = (str, int, float, bool, Decimal, dt.date, dt.time, uuid.UUID, type(None))


def _readers(schema: type[BaseModel]) -> list[tuple[str, Callable[[Any, Any], Any]]]:
    """Per field, how ninja reads it from an object: its ``resolve_<name>`` (given the context if it
    asks for it) or the attribute, converted as ninja's ``DjangoGetter`` does (a manager becomes
    a list, a callable is called, a file its URL). Built once per schema."""
    cached = _READERS.get(schema)
    if cached is not None:
        return cached
    resolvers = schema._ninja_resolvers  # type: ignore[attr-defined]
    readers: list[tuple[str, Callable[[Any, Any], Any]]] = []
    for name, field in schema.model_fields.items():
        resolver = resolvers.get(name)
        if resolver is not None:

            def resolve(obj: Any, ctx: Any, r: Any = resolver) -> Any:
                return r(DjangoGetter(obj, schema, ctx))  # type: ignore[type-var]

            readers.append((name, resolve))
            continue
        attr = field.alias or name

        def read(obj, ctx, attr=attr):
            value = getattr(obj, attr)
            return value if isinstance(value, _PLAIN) else DjangoGetter._convert_result(None, value)  # type: ignore[arg-type]

        readers.append((name, read))
    _READERS[schema] = readers
    return readers


_READERS: dict[type[BaseModel], list[tuple[str, Callable[[Any, Any], Any]]]] = {}


def constructed(schema: type[S], obj: Any, context: Any = None) -> S:
    """``schema`` filled from ``obj`` as ninja reads it (resolvers, attributes, callables), without
    pydantic's per-field validation: for rows the server itself read from the database, whose types
    already are the schema's. The tests compare the result with the validated one."""
    return schema.model_construct(**{name: read(obj, context) for name, read in _readers(schema)})


def paginate_unvalidated(func: Callable) -> Callable:
    """``@paginate`` for a list whose rows come straight from the database: the same parameters,
    the same ``Paged<Item>`` answer in the OpenAPI document, but the rows are built with
    :func:`constructed` and the page handed to ninja as a model it does not validate again
    (validation was ≈ 12 % of an API request's time on the 50-row hazard list)."""
    paged_view = paginate(func)
    found: dict[str, tuple[type[BaseModel], type[BaseModel]]] = {}

    @functools.wraps(paged_view)
    def view(request, **kwargs):
        result = paged_view(request, **kwargs)
        paged, item = found["schemas"]
        context = {"request": request, "response_status": 200}
        items = [constructed(item, row, context) for row in result["items"]]
        return paged.model_construct(items=items, count=result["count"])

    def remember(op) -> None:
        found["schemas"] = _item_schema(op)

    # After ninja's own callback has turned list[Item] into Paged<Item> on the operation.
    contribute_operation_callback(view, remember)
    return view


Source = str | Callable[[dict[str, Any], dt.date], Any]  # a column, or a function of the row and today

# The page is written by pydantic's JSON writer (in Rust; ≈ 3× ninja's ``json.dumps`` with its Python
# encoder per UUID, date and decimal), which writes those as the encoder does (DjangoJSONEncoder:
# ``str``, ``isoformat``); times it writes otherwise (microseconds, ``+00:00``), so they are turned
# into the encoder's text first, by the value's exact class. Anything else goes to the encoder.
# Unlike ``json.dumps`` it writes non-ASCII text as UTF-8, not ``\uXXXX``: the same JSON.
_ENCODER = NinjaJSONEncoder()
_AS_ENCODER_WRITES = {dt.datetime, dt.time, dt.timedelta}
_JSON_TYPE = f"{JSONRenderer.media_type}; charset={JSONRenderer.charset}"


_AS_IS = (str, bool, int, float, type(None), uuid.UUID, dt.date, Decimal)  # dt.date only, not datetime


def _written_as_is(annotation: Any) -> bool:
    """Whether a field's values go to the JSON writer as they are (no time, nothing unusual)."""
    return all(arg in _AS_IS for arg in (get_args(annotation) or (annotation,)))


class _ValuesPlan:
    """Which columns a list reads for ``item`` and how each row becomes the item's JSON object."""

    def __init__(self, op, item: type[BaseModel], sources: dict[str, Source]):
        unknown = set(sources) - set(item.model_fields)
        if unknown:
            raise TypeError(f"{item.__name__} has no field {', '.join(sorted(unknown))}")
        options = ("by_alias", "exclude_unset", "exclude_defaults", "exclude_none")
        if any(getattr(op, name, False) for name in options):
            raise TypeError(f"{item.__name__}: {', '.join(options)} need ninja's own serialisation")
        resolvers = item._ninja_resolvers  # type: ignore[attr-defined]
        self.names = tuple(item.model_fields)
        self.columns: list[str] = []
        self.keys: list[str] = []  # per column, the field it is read for
        self.computed: list[tuple[str, Callable[[dict[str, Any], dt.date], Any]]] = []
        for name in self.names:
            source = sources.get(name, name)
            if callable(source):
                self.computed.append((name, source))
                continue
            if name in resolvers and name not in sources:
                raise TypeError(f"{item.__name__}.{name} has a resolver: give its source")
            self.columns.append(source)
            self.keys.append(name)
        # Fields whose values may need converting first (times, and any type not in _AS_IS).
        self.convert = tuple(n for n, f in item.model_fields.items() if not _written_as_is(f.annotation))
        self.in_order = not self.computed  # else a computed field is put back in its place

    def items(self, rows: list[tuple]) -> list[dict[str, Any]]:
        keys, names, computed, convert = self.keys, self.names, self.computed, self.convert
        default = _ENCODER.default
        today = timezone.localdate()  # once per page, for the computed fields
        items = []
        for row in rows:
            item = dict(zip(keys, row, strict=True))
            for name, compute in computed:
                item[name] = compute(item, today)
            for name in convert:
                value = item[name]
                if value.__class__ in _AS_ENCODER_WRITES:
                    item[name] = default(value)
            items.append(item if self.in_order else {name: item[name] for name in names})
        return items


def paginate_values(
    compiled_by: Callable[..., Hashable] | None = None, /, **sources: Source
) -> Callable[[Callable], Callable]:
    """``@paginate`` for a list read as plain values, not model instances: the view returns a
    queryset (scoped and filtered), and only the columns the item schema needs are read, related
    rows' columns joined into the same query, each row turned straight into its JSON object. The
    parameters and the ``Paged<Item>`` answer in the OpenAPI document are ``@paginate``'s.

    A field is read from the column of its own name unless ``sources`` names another
    (``institution="organization__uuid"``) or gives a function of the row (a dict of the other
    fields, raw) and today's date, read once per page (``overdue=lambda row, today: ...``). A
    field with a ``resolve_<name>`` must be given a source; a nested schema is refused. The tests
    compare every field with the validated output of the same schema read from model instances.

    ``compiled_by(request, **filters)`` (the first argument), when given, returns everything the
    view's query depends on (the caller's scope, the filters, today's date if a filter uses it): the
    compiled SQL is then remembered under it (:class:`_CompiledOnce`). Under test every reuse is
    checked against a fresh compile, so a ``compiled_by`` that misses an input fails the view's
    tests."""

    def decorator(func: Callable) -> Callable:
        found: dict[str, _ValuesPlan] = {}
        memo: dict[Hashable, Compiled] | None = None if compiled_by is None else {}

        @functools.wraps(func)
        def rows(request, **kwargs):
            def make() -> QuerySet:
                return func(request, **kwargs).values_list(*found["plan"].columns)

            key = None if compiled_by is None else compiled_by(request, **kwargs)
            return _CompiledOnce(make, key, None if key is None else memo)

        paged_view = paginate(rows)

        @functools.wraps(paged_view)
        def view(request, **kwargs):
            result = paged_view(request, **kwargs)
            plan = found["plan"]
            page = {"items": plan.items(result["items"]), "count": result["count"]}
            return HttpResponse(to_json(page, fallback=_ENCODER.default), content_type=_JSON_TYPE)

        def remember(op) -> None:
            found["plan"] = _ValuesPlan(op, _item_schema(op)[1], sources)

        contribute_operation_callback(view, remember)
        return view

    return decorator


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
        if data is request.GET:
            repeated = sorted(k for k in data if k not in list_fields and len(data.getlist(k)) > 1)
            if repeated:  # ninja would silently take the last one
                once = _("Give %(name)s once.")
                problems = [
                    {"type": "repeated", "loc": ["query", name], "msg": once % {"name": name}}
                    for name in repeated
                ]
                raise NinjaValidationError(problems)
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
