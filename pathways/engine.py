"""Engine connections. DuckDB (through Ibis) is the embedded default.

One in-process DuckDB connection is kept per time zone: timestamps are stored
as ``TIMESTAMPTZ`` (instants), and the connection's ``TimeZone`` setting is the
log's zone, so that calendar parts (weekday, hour, midnight) are local time.
"""

from __future__ import annotations

import itertools
import threading

_lock = threading.Lock()
_backends: dict[str, object] = {}
_names = itertools.count()


def duckdb_backend(tz: str = "Europe/Copenhagen"):
    """The shared Ibis DuckDB backend whose session time zone is ``tz``."""
    with _lock:
        backend = _backends.get(tz)
        if backend is None:
            import ibis

            backend = ibis.duckdb.connect()
            try:
                backend.con.execute("SET TimeZone = ?", [tz])
            except Exception as exc:  # duckdb raises its own error types
                from .errors import OptionError

                raise OptionError(f"tz={tz!r} is not a time zone DuckDB knows ({exc}). "
                                  "Use an IANA name such as 'Europe/Copenhagen' or 'UTC'.") from None
            _backends[tz] = backend
        return backend


def fresh_name(prefix: str) -> str:
    """A table or view name not used before in this process."""
    return f"__pw_{prefix}_{next(_names)}"


def sql_quote(name: str) -> str:
    """Quote an identifier for DuckDB SQL."""
    return '"' + str(name).replace('"', '""') + '"'


def sql_literal(value: str) -> str:
    """Quote a string literal for DuckDB SQL."""
    return "'" + str(value).replace("'", "''") + "'"
