"""Engine functions Ibis has no operation for, declared as DuckDB builtins (imported lazily)."""

import ibis
import ibis.expr.datatypes as dt


@ibis.udf.scalar.builtin(name="timezone")
def wall_clock(zone: str, ts: dt.Timestamp(timezone="UTC")) -> dt.Timestamp(scale=6):
    """DuckDB's ``timezone(zone, timestamptz)``: the wall-clock time in ``zone``."""
