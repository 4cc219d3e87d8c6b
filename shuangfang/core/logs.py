"""Logs an operator can search: one line per event, and with ``LOG_FORMAT=json`` one JSON object a
line (``ts``, ``level``, ``logger``, ``message``, ``request_id``, ``user``, ``institution`` and, for
the request line, ``method``, ``path``, ``status``, ``ms``; ``exc`` with the traceback of an error).

``RequestContextMiddleware`` gives each request an id (the proxy's ``X-Request-ID`` when it is a
plain token, else a new one), answers with it in ``X-Request-ID``, and writes one line per request
to the ``shuangfang.request`` logger (INFO). Every record logged while a request runs, in any
module, carries its id, the user's UUID and the user's institution's UUID (from the memberships
the request's permission checks already loaded: logging adds no query). Outside a request
(workers, listeners) the fields are empty.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging
import re
import time
import uuid
from typing import Any

_request: contextvars.ContextVar[Any] = contextvars.ContextVar("shuangfang_request", default=None)
_TOKEN = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}
request_log = logging.getLogger("shuangfang.request")


def _who(request: Any) -> tuple[str, str]:
    cached = getattr(request, "_log_who", None)
    if cached is not None:
        return cached
    user = getattr(request, "user", None)
    who = ("", "")
    if user is not None and getattr(user, "is_authenticated", False):
        from .tenancy import _CACHE_ATTR as _SCOPE_CACHE  # late: logging is set up before the apps

        # What tenancy already loaded for this request (no query of its own: logging stays free).
        loaded = user.__dict__.get(_SCOPE_CACHE, {}).get("memberships") or []
        org = loaded[0].organization if loaded else None
        place = (org.institution or org) if org is not None else None  # a bureau's people: the bureau
        who = (str(user.uuid), str(place.uuid) if place is not None else "")
    request._log_who = who
    return who


class ContextFilter(logging.Filter):
    """Adds ``request_id``, ``user`` and ``institution`` to every record (empty outside requests)."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = _request.get()
        record.request_id = getattr(request, "request_id", "") if request is not None else ""
        if not hasattr(record, "user") or not hasattr(record, "institution"):
            try:
                record.user, record.institution = _who(request) if request is not None else ("", "")
            except Exception:  # a broken database must not break logging
                record.user, record.institution = "", ""
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "ts": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                out[key] = value if isinstance(value, (str, int, float, bool, type(None))) else str(value)
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False)


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get("X-Request-ID", "")
        request.request_id = given if _TOKEN.match(given) else uuid.uuid4().hex
        token = _request.set(request)
        started = time.monotonic()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request.request_id
            if not request.path.startswith("/static/"):
                request_log.info(
                    "%s %s %s",
                    request.method,
                    request.path,
                    response.status_code,
                    extra={
                        "method": request.method,
                        "path": request.path,
                        "status": response.status_code,
                        "ms": round((time.monotonic() - started) * 1000, 1),
                    },
                )
            return response
        finally:
            _request.reset(token)
