"""A cursor whose repeated statements PostgreSQL plans once (prepared statements).

Django sends every query with its parameters bound on the client (psycopg's ``ClientCursor``):
PostgreSQL parses and plans the text each time. For the API's list query, planning (≈ 1.1 ms for
the hazard list's joins) cost five times its execution (≈ 0.2 ms). A cursor binding its parameters
on the server can send it as a prepared statement (psycopg keeps up to ``prepared_max``, 100, per
connection, the least used dropped first), and PostgreSQL then reuses its plan (a generic plan,
once it is no worse than the custom ones it tries for the first five runs). Django turns psycopg's
automatic preparing off (``prepare_threshold`` None); this cursor turns it on for its connection,
where only server-binding cursors (this one) ever prepare.

Only the places that run one statement over and over use it (``core.api``'s remembered list
queries), not the whole ORM: server-side binding changes how every parameter is typed, and the ORM
does not promise its SQL works that way for every query (Django #20516). The cursor is Django's
own wrapper round psycopg's, so query logging and counting, error wrapping and the connection's
health checks are as for any other query.

``DB_PREPARED_STATEMENTS`` (on by default) turns it off: behind a connection pooler in transaction
mode older than PgBouncer 1.21 (which keeps prepared statements per client since), a prepared
statement may meet a server connection that does not know it.
"""

from __future__ import annotations

import functools
from typing import Any

from django.conf import settings
from django.db import connections


def planned_cursor(alias: str) -> Any:
    """A cursor on ``alias`` for a statement run many times: server-side binding and prepared on
    PostgreSQL, Django's ordinary cursor elsewhere or when turned off."""
    connection = connections[alias]
    if connection.vendor != "postgresql" or not getattr(settings, "DB_PREPARED_STATEMENTS", True):
        return connection.cursor()
    from django.db.backends.postgresql.base import TIMESTAMPTZ_OID, ServerBindingCursor  # psycopg 3
    from django.db.backends.postgresql.psycopg_any import register_tzloader
    from psycopg.pq import Format

    connection.close_if_health_check_failed()
    connection.ensure_connection()
    with connection.wrap_database_errors:
        # Django sets psycopg's ``prepare_threshold`` to None (never prepare). Its client-binding
        # cursors never prepare whatever the threshold; this cursor prepares on the first run.
        connection.connection.prepare_threshold = 0
        binding: Any = ServerBindingCursor  # (typed by the stubs as a Django wrapper)
        cursor = binding(connection.connection)
        # As Django's ``create_cursor``: the time zone loader only when the connection's differs.
        tzloader = connection.connection.adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT)
        if connection.timezone != tzloader.timezone:
            register_tzloader(connection.timezone, cursor)
        connection.validate_thread_sharing()
        if connection.queries_logged:  # tests, DEBUG: logged with its parameters, as the ORM's are
            return _debug_wrapper()(cursor, connection)
        return connection.make_cursor(cursor)


@functools.cache
def _debug_wrapper() -> type:
    """Django's debug cursor logs the text psycopg last sent, which a server-binding cursor does
    not keep (the log would say None): this one logs the statement with its parameters put in."""
    from django.db.backends.postgresql.base import CursorDebugWrapper
    from django.db.backends.utils import CursorWrapper

    class PlannedDebugWrapper(CursorDebugWrapper):
        def execute(self, sql, params=None):
            with self.debug_sql(self.db.ops.compose_sql(sql, params) if params else sql):
                return CursorWrapper.execute(self, sql, params)

    return PlannedDebugWrapper
