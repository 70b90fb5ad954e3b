"""Engine functions Ibis has no operation for, declared as DuckDB builtins (imported lazily)."""

import ibis
import ibis.expr.datatypes as dt


@ibis.udf.scalar.builtin(name="timezone")
def wall_clock(zone: str, ts: dt.Timestamp(timezone="UTC")) -> dt.Timestamp(scale=6):
    """DuckDB's ``timezone(zone, timestamptz)``: the wall-clock time in ``zone``."""


@ibis.udf.scalar.builtin(name="epoch_us")
def epoch_us(ts: dt.Timestamp(timezone="UTC")) -> dt.int64:
    """DuckDB's ``epoch_us(timestamptz)``: microseconds since 1970-01-01 UTC, exact."""


@ibis.udf.scalar.builtin(name="enum_code")
def enum_code(value: str) -> dt.int64:
    """DuckDB's ``enum_code(enum)``: the position of the value among the ENUM's values (0-based)."""


@ibis.udf.scalar.builtin(name="bit_count")
def bit_count(bits: dt.uint64) -> dt.int64:
    """DuckDB's ``bit_count(x)``: the number of bits set."""
