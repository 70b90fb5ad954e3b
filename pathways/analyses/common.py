"""What the analyses share with each other and with the rest of the package: reading durations and dates given as
options, time differences in the engine, fetching results through Arrow, exact grouped quantiles, and recording
the parameters a result used. An internal module (not part of ``pathways.__all__``), documented for the modules
that build on the analyses (filters, graphs, models, quality, render, report): its names are stable within the
package, so no module reaches into another package's private names."""

from __future__ import annotations

from datetime import timedelta

import ibis
import numpy as np
import pandas as pd

from ..errors import OptionError

SECONDS_PER_DAY = 86_400.0
#: The dtype of text columns in results: pandas' own default for strings (``str`` in pandas 3,
#: ``object`` before), so results convert from Arrow without a copy per value.
TEXT = pd.Series(["text"]).dtype


def by_list(by) -> list[str]:
    """The column names of a ``by=`` option (a name, a list of names, or None for no grouping).

    >>> by_list("unit"), by_list(None), by_list(("unit", "sector"))
    (['unit'], [], ['unit', 'sector'])
    """
    if by is None:
        return []
    if isinstance(by, str):
        return [by]
    if isinstance(by, (list, tuple)) and all(isinstance(b, str) for b in by):
        return list(by)
    raise OptionError(f"by={by!r} must be a column name or a list of them, e.g. by='unit' or by=['unit', 'sector'].")


def duration(value, *, argument: str) -> pd.Timedelta:
    """``"30D"``, ``"72h"``, ``"4W"`` or a timedelta as a pandas Timedelta; OptionError otherwise."""
    if isinstance(value, (pd.Timedelta, timedelta)):
        out = pd.Timedelta(value)
    else:
        text = str(value).strip()
        if text[-1:].upper() == "W" and text[:-1].strip().replace(".", "", 1).isdigit():
            text = f"{float(text[:-1]) * 7}D"  # pandas has no "4W" for Timedelta
        try:
            out = pd.Timedelta(text)
        except (ValueError, TypeError):
            raise OptionError(f"{argument}={value!r} is not a duration; write it like '30D', '72h' or '4W'.") \
                from None
    if out < pd.Timedelta(0):
        raise OptionError(f"{argument}={value!r} is negative; a duration must be zero or more.")
    return out


def timestamp(value, tz: str, *, argument: str) -> pd.Timestamp:
    """A date or time (text, datetime, Timestamp) as an aware Timestamp in ``tz`` (naive = local)."""
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError):
        ts = pd.NaT
    if ts is pd.NaT:
        raise OptionError(f"{argument}={value!r} is not a date; write it like '2024-01-01'.")
    return ts.tz_localize(tz) if ts.tzinfo is None else ts.tz_convert(tz)


def days_between(start, end):
    """Ibis expression: ``end - start`` in days (float64), exact to the microsecond, across DST too."""
    from ..udf import epoch_us

    return (epoch_us(end) - epoch_us(start)).cast("float64") / (SECONDS_PER_DAY * 1e6)


def n_distinct(log, table, column: str):
    """Ibis aggregate: the number of distinct non-null values of ``table[column]`` per group.

    When the engine keeps the column as an ENUM of at most 64 values (DuckDB, the log's
    activities and units as a rule), each value is one bit of an integer, OR-ed together and
    counted in the same pass as the other aggregates; a distinct count would make DuckDB hash
    every (group, value) pair in a pass of its own: case_summary's query took 6.3 s against 3.0 s at
    11 million events.
    """
    from ..engine import enum_values

    values = enum_values(log.backend, table, column)
    if values is None or len(values) > 64:
        return table[column].nunique()
    from ..udf import bit_count, enum_code

    bits = ibis.literal(1, "uint64") << enum_code(table[column]).cast("uint64")
    return bit_count(bits.bit_or()).fill_null(0)


#: The memory a value of a quantile aggregate takes (with the other aggregates beside it): see grouped_quantiles.
BYTES_PER_VALUE = 64
#: The memory a group of a quantile aggregate takes beside its values (its state, the distinct counts next to it).
BYTES_PER_GROUP = 4096


def grouped_quantiles(log, table, keys: list[str], value, quantiles: dict[str, float], *, pairs_of: str | None = None,
                      **aggregates):
    """``table`` grouped by ``keys``: the ``aggregates`` and, per name, the exact quantile of ``value``.

    The quantiles interpolate linearly between the two nearest values, as DuckDB's
    ``quantile_cont`` and pandas' default do. An engine's quantile aggregate holds every value
    of a group in memory, and a state per group; when the values and groups could need more
    than the engine's memory limit (DuckDB: 64 bytes per row read and 4 KiB per group, the
    groups counted as the pairs of the ENUM column ``pairs_of`` when the keys are pairs of its
    values), the same quantiles come from numbering each group's values in a sorted window,
    which spills to disk, and reading the one or two values each quantile needs. Both give the
    same numbers (to the last bits of a float); the window takes longer (transitions on 11
    million events: 3.2 s against 2.3 s), so it is used only then. With the default 2 GB limit:
    from 33 million rows, or from about 600 activities (350,000 possible edges) at 11 million
    events, where the aggregates stopped with the engine out of memory.
    """
    value_name = "_pw_value"
    if not _quantiles_spill(log, pairs_of=pairs_of):
        qs = list(quantiles.values())
        g = table.group_by(keys).aggregate(_pw_q=value.quantile(qs), **aggregates)  # one sort for every q
        return g.mutate(**{name: g._pw_q[i] for i, name in enumerate(quantiles)}).drop("_pw_q")
    g = table.group_by(keys).aggregate(**aggregates)
    x = table.select(*keys, **{value_name: value})
    x = x.filter(x[value_name].notnull())
    x = x.mutate(_pw_i=ibis.row_number().over(ibis.window(group_by=keys, order_by=value_name)),
                 _pw_n=x.count().over(ibis.window(group_by=keys)))
    where, picks = None, {}
    for name, q in quantiles.items():
        position = (x._pw_n - 1).cast("float64") * q
        low, high = position.floor().cast("int64"), position.ceil().cast("int64")
        hit = (x._pw_i == low) | (x._pw_i == high)
        where = hit if where is None else where | hit
        picks[name] = (low, high, position - position.floor())
    x = x.filter(where)
    q = x.group_by(keys).aggregate(**{
        part: column for name, (low, high, fraction) in picks.items() for part, column in (
            (f"{name}_lo", x[value_name].max(where=x._pw_i == low)),
            (f"{name}_hi", x[value_name].max(where=x._pw_i == high)),
            (f"{name}_f", fraction.max()))})
    q = q.select(*[q[k].name(f"_pw_key{i}") for i, k in enumerate(keys)], **{
        name: q[f"{name}_lo"] + (q[f"{name}_hi"] - q[f"{name}_lo"]) * q[f"{name}_f"] for name in quantiles})
    joined = g.left_join(q, [g[k].identical_to(q[f"_pw_key{i}"]) for i, k in enumerate(keys)])
    return joined.select(*g.columns, *quantiles)


def _quantiles_spill(log, *, pairs_of: str | None = None) -> bool:
    """Whether quantiles per group of this log's events should come from a sort (see grouped_quantiles)."""
    from ..engine import engine_of, enum_values, memory_limit_bytes

    if engine_of(log.backend) != "duckdb":
        return False
    limit = memory_limit_bytes(log.backend)
    values = enum_values(log.backend, log.table, pairs_of) if pairs_of else None
    groups = (len(values) + 1) ** 2 if values is not None else 0  # + 1: no value before a case's first event
    # rows read: known without a query, and never fewer than the rows grouped
    return limit is not None and log.n_read * BYTES_PER_VALUE + groups * BYTES_PER_GROUP > limit


def with_parameters(df: pd.DataFrame, **parameters) -> pd.DataFrame:
    """Record the parameters a result was computed with in ``df.attrs["parameters"]``."""
    df.attrs["parameters"] = {k: (str(v) if isinstance(v, (pd.Timedelta, timedelta, pd.Timestamp)) else v)
                              for k, v in parameters.items()}
    return df


def local_times(df: pd.DataFrame, tz: str, columns) -> pd.DataFrame:
    """Convert aware timestamp columns of a result to the log's zone (results show local time)."""
    for c in columns:
        if c in df and hasattr(df[c], "dt") and df[c].dt.tz is not None:
            df[c] = df[c].dt.tz_convert(tz)
    return df


def typed_result(df, columns: dict, tz: str, times):
    """Result columns in order with stable dtypes (also when empty), times in the log's zone."""
    df = df.reset_index(drop=True)
    if not len(df):
        df = pd.DataFrame({c: pd.Series([], dtype=d) for c, d in columns.items()})
    else:
        df = df.reindex(columns=list(columns)).astype({c: d for c, d in columns.items() if not str(d).startswith("datetime")})
    return local_times(df, tz, times)


def fetch(expr, *, tuples=(), order=()):
    """Run ``expr`` and return pandas; the array columns named in ``tuples`` become tuples of str.

    Through Arrow, column by column: Ibis' own ``to_pandas`` on DuckDB makes a Python object of
    every value of a column that has a null or is an ENUM (0.53 of transitions' 1.5 s on a log
    with 194,000 edges). ``order`` (Arrow sort keys: ``[(column, "ascending" | "descending"), ...]``)
    sorts the rows in Arrow, stably, texts in code-point order as pandas does: 100,000 distinct
    variants of ~190 characters in 0.04 s, against 0.13 s for DuckDB's ORDER BY and 0.27 s for pandas.
    """
    table = expr.to_pyarrow()
    if order:
        import pyarrow.compute as pc

        table = table.take(pc.sort_indices(table, sort_keys=list(order)))
    lists = {c: _tuples(table.column(c).combine_chunks()) for c in tuples}
    df = table.drop_columns(list(tuples)).to_pandas() if tuples else table.to_pandas()
    for c, values in lists.items():
        df[c] = pd.Series(values, index=df.index, dtype="object")
    return df


def _tuples(lists) -> list:
    """A pyarrow list array as a list of tuples (None where null), without a Python object per list first.

    The values are dictionary-encoded first, so each distinct value is one Python object (a loop's units:
    6 million values of 40 units at 11 million events of long cases, 1.3 -> 0.55 s)."""
    flat = lists.flatten().dictionary_encode(null_encoding="encode")
    values = np.array(flat.dictionary.to_pylist(), dtype=object)[flat.indices.to_numpy()].tolist()
    offsets = lists.offsets.to_numpy()
    offsets = (offsets - offsets[0]).tolist()
    valid = lists.is_valid().to_numpy(zero_copy_only=False).tolist()
    return [tuple(values[a:b]) if ok else None for a, b, ok in zip(offsets[:-1], offsets[1:], valid)]


def days_option(value, argument: str) -> float:
    """A duration option in days (float), OptionError when it is not a duration."""
    return duration(value, argument=argument).total_seconds() / 86_400.0
