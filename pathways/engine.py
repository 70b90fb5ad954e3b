"""Engine connections. DuckDB (through Ibis) is the embedded default.

Timestamps are stored as ``TIMESTAMPTZ`` (instants) and the session runs in UTC,
so that every difference of times is exact, across daylight-saving changes too.
Calendar parts (weekday, hour, midnight) are taken of :func:`local_time`, which
converts an instant to the wall-clock time of the log's zone.
"""

from __future__ import annotations

import itertools
import threading

_lock = threading.Lock()
_backend = None
_names = itertools.count()


def duckdb_backend():
    """The shared in-process Ibis DuckDB backend (session time zone UTC)."""
    global _backend
    with _lock:
        if _backend is None:
            import ibis

            _backend = ibis.duckdb.connect()
            _backend.con.execute("SET TimeZone = 'UTC'")
        return _backend


def check_zone(tz: str) -> str:
    """``tz`` if it is an IANA time zone name, else OptionError."""
    import zoneinfo

    try:
        zoneinfo.ZoneInfo(str(tz))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
        from .errors import OptionError, closest

        hint = closest(str(tz), sorted(zoneinfo.available_timezones()))
        did = f" Did you mean {hint!r}?" if hint else ""
        raise OptionError(f"tz={tz!r} is not a time zone. Use an IANA name such as "
                          f"'Europe/Copenhagen' or 'UTC'.{did}") from None
    return str(tz)


def local_time(ts, tz: str):
    """Ibis expression: the wall-clock time in ``tz`` of the instant ``ts`` (a naive timestamp).

    Take calendar parts (``.hour()``, ``.day_of_week``, ``.date()``) of this, never of
    the stored instant, which is in UTC.
    """
    from ._udf import wall_clock

    return wall_clock(tz, ts)


def fresh_name(prefix: str) -> str:
    """A table or view name not used before in this process."""
    return f"__pw_{prefix}_{next(_names)}"


def sql_quote(name: str) -> str:
    """Quote an identifier for DuckDB SQL."""
    return '"' + str(name).replace('"', '""') + '"'


def sql_literal(value: str) -> str:
    """Quote a string literal for DuckDB SQL."""
    return "'" + str(value).replace("'", "''") + "'"
