"""The EventLog: a validated, frozen table of events living in the engine.

An EventLog is built once, from any reader, by :func:`build`. Building maps the
source columns to the canonical names of :mod:`pathways.schema`, parses
timestamps, classifies activities and units, and moves every row that cannot be
used to ``log.rejected`` with its reason, so that
``len(log) + len(log.rejected) == log.n_read`` always holds.
"""

from __future__ import annotations

import datetime
import html
import warnings
import weakref
from dataclasses import dataclass
from typing import Literal, Sequence

from . import rejections
from . import schema as S
from .engine import (DUCKDB, SPARK, Engine, clock_aggregates, compress_tables, date_pattern, fresh_name,
                     local_midnight, sql_literal, sql_quote as q)
from .errors import EventLogError, OptionError, check_choice, closest, outside_stacklevel


_MIDNIGHT = datetime.time(0, 0)


class PathwaysWarning(UserWarning):
    """Raised (as a warning) when rows were moved to ``log.rejected``, or a result needs a word of caution.

    Examples
    --------
    >>> import warnings, pandas as pd, pathways as pw
    >>> df = pd.DataFrame({"pt": ["A", None], "what": ["Henvisning", "Visitation"], "when": ["2024-01-02"] * 2})
    >>> with warnings.catch_warnings(record=True) as seen:
    ...     warnings.simplefilter("always", pw.PathwaysWarning)
    ...     log = pw.from_pandas(df, case="pt", activity="what", timestamp="when")
    >>> seen[0].category.__name__, len(log), len(log.rejected)
    ('PathwaysWarning', 1, 1)
    """


# Formats tried, in order, after ISO 8601 (which DuckDB casts natively).
def date_formats(dayfirst: bool) -> list[str]:
    """The day-first (or month-first) date and time formats the readers try after ISO 8601, on both engines."""
    date_parts = ["%d{s}%m{s}%Y"] if dayfirst else ["%m{s}%d{s}%Y"]
    out = []
    for sep in ("-", "/", "."):
        for d in date_parts:
            d = d.format(s=sep)
            out += [f"{d} %H:%M:%S.%f", f"{d} %H:%M:%S", f"{d} %H:%M", f"{d} %H.%M",
                    f"{d}T%H:%M:%S", f"{d}T%H:%M", d]
    out += ["%Y-%m-%d %H.%M", "%Y%m%d %H:%M:%S", "%Y%m%d"]
    return out


@dataclass(frozen=True)
class _Check:
    flag: str      # SQL boolean: the row has this problem
    column: str    # source column named in the report
    code: str      # what is wrong: a code of pathways.rejections.REASONS
    value: str     # SQL expression for the offending value (as text)


#: An ISO 8601 time that ends in an offset or Z: an instant, not a wall-clock time (a regular expression,
#: the same on both engines).
ISO_OFFSET = r"\d:\d\d(:\d\d(\.\d+)?)?\s*([zZ]|[+-]\d\d(:?\d\d)?)$"


def _timestamp_sql(con, source: str, col: str, col_type: str, timestamp_format, dayfirst: bool) -> tuple[str, str]:
    """``(instant, wall)``: SQL reading source column ``col`` of DuckDB type ``col_type`` as an instant
    (TIMESTAMPTZ, for values that carry their offset or zone) or as a wall-clock time (TIMESTAMP, local time
    in the log's zone), the other NULL; both NULL when the value is not a date. The time is
    ``coalesce(instant, timezone(tz, wall))``.

    DuckDB's special words (``epoch``, ``infinity``, ``-inf``), which its casts and ``strptime`` read whatever
    the format, are not dates. A value matches either the zoned or the local formats, never both (a format
    without ``%z`` cannot match a trailing offset), so at most one of the two is set.
    """
    t = col_type.upper()
    none_i, none_w = "CAST(NULL AS TIMESTAMPTZ)", "CAST(NULL AS TIMESTAMP)"
    if t.startswith("ENUM"):  # a pandas category of texts reads like its texts
        col, t = f"CAST({col} AS VARCHAR)", "VARCHAR"
    if t.startswith("TIMESTAMP WITH TIME ZONE") or t == "TIMESTAMPTZ":
        return col, none_w
    if t.startswith("TIMESTAMP") or t == "DATE":
        return none_i, f"CAST({col} AS TIMESTAMP)"  # naive values are local time in tz
    if t != "VARCHAR":
        return none_i, none_w
    text = blank_as_null(col)
    s = (f"CASE WHEN ascii({text}) BETWEEN 48 AND 57 THEN {text} WHEN regexp_matches({text}, "
         f"'^[+-]?(epoch|inf|infinity|now|today|tomorrow|yesterday|allballs)$', 'i') THEN NULL ELSE {text} END")
    if timestamp_format is not None:
        fmts = [timestamp_format] if isinstance(timestamp_format, str) else list(timestamp_format)
        zoned = [f"try_strptime({s}, {sql_literal(f)})" for f in fmts if "%z" in f or "%Z" in f]
        local = [f"try_strptime({s}, {sql_literal(f)})" for f in fmts if not ("%z" in f or "%Z" in f)]
        return (f"coalesce({', '.join(zoned)})" if zoned else none_i,
                f"coalesce({', '.join(local)})" if local else none_w)

    def iso_instant(v: str) -> str:
        return f"CASE WHEN {DUCKDB.matches(v, ISO_OFFSET)} THEN TRY_CAST({v} AS TIMESTAMPTZ) END"

    def iso_wall(v: str) -> str:
        return f"CASE WHEN NOT {DUCKDB.matches(v, ISO_OFFSET)} THEN TRY_CAST({v} AS TIMESTAMP) END"

    formats = date_formats(dayfirst)
    # Formats are tried in order for every value, so put the ones a sample of the
    # column uses first: one format per value instead of twenty.
    hits = con.execute(
        f"SELECT count(coalesce({iso_instant('v')}, {iso_wall('v')})), "
        + ", ".join(f"count(try_strptime(v, {sql_literal(f)}))" for f in formats)
        + f" FROM (SELECT {s} AS v FROM {q(source)} WHERE {s} IS NOT NULL LIMIT 2000)").fetchall()[0]
    iso_hits, fmt_hits = hits[0], hits[1:]
    formats = [f for _, f in sorted(zip(fmt_hits, formats), key=lambda p: -p[0])]
    fmt_list = "[" + ", ".join(sql_literal(f) for f in formats) + "]"
    local = f"try_strptime({s}, {fmt_list})"
    walls = (iso_wall(s), local) if iso_hits >= max(fmt_hits, default=0) else (local, iso_wall(s))
    return iso_instant(s), f"coalesce({', '.join(walls)})"


def raw_sql(col: str, col_type: str, engine: Engine = DUCKDB) -> str:
    """The source value as text, for reports; typed date columns need no copy (NULL or 'x' marker); NaN is
    NULL (missing). One definition for both engines (``col_type`` is DuckDB's name of the type)."""
    t = col_type.upper()
    if t == "VARCHAR":
        return col
    if t.startswith("TIMESTAMP") or t == "DATE":
        return f"CASE WHEN {col} IS NULL THEN NULL ELSE 'x' END"
    return text_sql(col, col_type, engine)


#: Names of the helper columns the builders add beside the source columns. Every one starts with
#: RESERVED_PREFIX, which no source column may use (see check_names), so none can clash with one.
RESERVED_PREFIX = "__pw_"
ROW_NUMBER = "__pw_row"
RAW_TS, RAW_END, DUP_OF = "__pw_raw_ts", "__pw_raw_end", "__pw_dup_of"
WALL_TS, WALL_END = "__pw_wall_ts", "__pw_wall_end"

_NUMBER_TYPES = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER",
                 "UBIGINT", "UHUGEINT", "FLOAT", "REAL", "DOUBLE", "DECIMAL"}


def is_number_type(col_type: str) -> bool:
    """Whether a column of this type (DuckDB's name, or the Spark builder's family) holds numbers."""
    return col_type.upper().split("(")[0] in _NUMBER_TYPES


def row_checks(mapping: dict, types: dict, *, case, activity, timestamp, end_timestamp, duplicates: str,
               engine: Engine = DUCKDB) -> list[_Check]:
    """The problems that make a row unusable: one definition for both engines, in ``engine``'s SQL (``types``
    are the source columns' types, as DuckDB names them)."""
    def not_a_date(column: str, code: str) -> str:
        return f"{code}_number" if is_number_type(types[column]) else code

    def out_of_range(column: str) -> str:
        return f"({column} < {engine.instant} {_FIRST_INSTANT} OR {column} >= {engine.instant} {_LAST_INSTANT})"

    def shown(column: str, raw: str) -> str:  # the offending time: the source text, or the typed instant
        return f"CASE WHEN {raw} = 'x' THEN {engine.instant_text(column)} ELSE {raw} END"

    same_as = f"concat('same as row ', CAST({DUP_OF} AS {engine.text}))"

    checks = [
        _Check("case_id IS NULL", case, "missing_case_id", "''"),
        _Check("activity IS NULL", activity, "missing_activity", "''"),
        # a time that parsed is not missing: the blank test (a regular expression) runs on the few rows without one
        _Check(f"timestamp IS NULL AND {blank_as_null(RAW_TS, engine)} IS NULL", timestamp, "missing_timestamp", "''"),
        _Check(f"timestamp IS NULL AND {blank_as_null(RAW_TS, engine)} IS NOT NULL", timestamp,
               not_a_date(timestamp, "not_a_date"), RAW_TS),
        _Check(out_of_range("timestamp"), timestamp, "time_out_of_range", shown("timestamp", RAW_TS)),
    ]
    if "end_timestamp" in mapping:
        checks += [
            _Check(f"end_timestamp IS NULL AND {blank_as_null(RAW_END, engine)} IS NOT NULL", end_timestamp,
                   not_a_date(end_timestamp, "end_not_a_date"), RAW_END),
            _Check(out_of_range("end_timestamp"), end_timestamp, "end_time_out_of_range",
                   shown("end_timestamp", RAW_END)),
            _Check("end_timestamp < timestamp", end_timestamp, "end_before_start", RAW_END),
        ]
    if duplicates == "reject":
        checks.append(_Check(f"{DUP_OF} < row", "*", "duplicate_row", same_as))
    return checks


def classified_sql(parsed: str, uc: str, ac: str, unit_classes, carried, *, engine: Engine = DUCKDB,
                   enums: dict | None = None) -> str:
    """The SELECT of the classified events (event type, domain, sector), one definition for both engines:
    the events ``parsed`` joined with the activity classes registered as ``ac`` and the unit classes
    registered as ``uc`` (:func:`class_sql`), with the ``carried`` columns after them. ``enums`` (DuckDB)
    maps text columns to the values of the ENUM they are stored as (see :func:`_classify`)."""
    def typed(sql: str, column: str) -> str:
        return enum_sql(sql, enums[column]) if enums else sql

    q = engine.quote
    period_join, domain, sector = class_sql(uc, unit_classes)
    extra = "".join(f", e.{q(a)}" for a in carried)
    event_type = f"coalesce(a.event_type, {engine.literal(S.UNKNOWN_EVENT_TYPE)})"
    return (f"SELECT e.row, e.case_id, {typed('e.activity', 'activity')} AS activity, e.timestamp, "
            f"e.end_timestamp, {typed('e.unit', 'unit')} AS unit, e.resource, "
            f"{typed('e.referral_to', 'referral_to')} AS referral_to, {typed(event_type, 'event_type')} AS event_type, "
            f"{typed(f'CASE WHEN e.unit IS NULL THEN NULL ELSE {domain} END', 'domain')} AS domain, "
            f"{typed(f'CASE WHEN e.unit IS NULL THEN NULL ELSE {sector} END', 'sector')} AS sector{extra} "
            f"FROM {parsed} e LEFT JOIN {ac} a ON e.activity = a.activity {period_join}"
            f"LEFT JOIN (SELECT * FROM {uc} WHERE valid_from IS NULL AND valid_to IS NULL) f ON e.unit = f.unit")


def class_sql(uc: str, unit_classes) -> tuple[str, str, str]:
    """``(period_join, domain, sector)``: SQL (DuckDB and Spark alike) classifying the events ``e`` by the
    unit classes registered as ``uc``, whose rows without a period are joined as ``f``."""
    has_periods = bool(unit_classes["valid_from"].notna().any() or unit_classes["valid_to"].notna().any())
    if not has_periods:
        return "", "coalesce(f.domain, 'unknown')", "coalesce(f.sector, 'unknown')"
    # A unit's period rows (validity interval) win over its plain row; UnitTaxonomy
    # refuses overlapping periods, so an event matches at most one period row.
    period_join = (f"LEFT JOIN (SELECT * FROM {uc} WHERE valid_from IS NOT NULL OR valid_to IS NOT NULL) p "
                   f"ON e.unit = p.unit AND (e.timestamp >= p.valid_from OR p.valid_from IS NULL) "
                   f"AND (e.timestamp < p.valid_to OR p.valid_to IS NULL) ")
    return period_join, "coalesce(p.domain, f.domain, 'unknown')", "coalesce(p.sector, f.sector, 'unknown')"


def carried_sql(col: dict, mapping: dict, kinds: dict, attr_names: dict, available: list, duplicates: str, *,
                engine: Engine = DUCKDB) -> list[str]:
    """SELECT items of the validation, one definition for both engines: the unit, resource and referral
    target (NULL when not mapped), the attributes, and for ``duplicates="reject"`` ``DUP_OF``, the first row
    with the same source values."""
    quote = engine.quote
    items = [f"{text_sql(col[role], kinds[mapping[role]], engine)} AS {S.ROLES[role]}" if role in mapping
             else f"CAST(NULL AS {engine.text}) AS {S.ROLES[role]}" for role in ("unit", "resource", "referral_to")]
    items += [f"{quote(a)} AS {quote(n)}" for a, n in attr_names.items()]
    if duplicates == "reject":
        every = ", ".join(quote(c) for c in available)
        items.append(f"min({ROW_NUMBER}) OVER (PARTITION BY {every}) AS {DUP_OF}")
    return items


#: Blank: the characters Python's ``str.isspace()`` accepts (those ``str.strip()`` removes): spaces, tabs,
#: line and paragraph separators (CR, LF, VT, FF, NEL, U+2028, U+2029), the file/group/record/unit
#: separators U+001C-U+001F, no-break and ideographic spaces. One definition for Python and for the SQL of
#: both engines, so a cell the taxonomy finds blank is a missing value in the engine too.
WHITESPACE = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
              "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")


def blank_as_null(sql: str, engine: Engine | str = DUCKDB) -> str:
    """SQL for the text ``sql`` without leading and trailing :data:`WHITESPACE`, NULL when nothing is left.

    DuckDB: one ``regexp_replace`` of the runs at either end (RE2: ``^`` and ``$`` are the ends of the
    text). Reading 1.1 million events with it, against DuckDB's plain ``TRIM`` (which keeps tabs and line
    breaks): Parquet 0.99-1.01 s against 0.92-0.96 s, CSV 3.36-3.53 s against 2.93-2.94 s. A ``CASE`` that
    skips values with printable ends costs CSV less (3.12-3.23 s) but Parquet more (1.20-1.23 s: it cannot
    run once per value of a dictionary-encoded column as a function can); ``trim`` with a character set
    took 2.6 s for Parquet. Spark's ``trim(BOTH ... FROM ...)`` is cheap and keeps its generated code small.
    ``engine`` is an :class:`~pathways.engine.Engine` (or its name).
    """
    return (SPARK if engine in (SPARK, "spark") else DUCKDB).blank_as_null(sql)


def text_sql(col: str, col_type: str, engine: Engine = DUCKDB) -> str:
    """SQL for an identifier-like column as text, with blanks and NaN as NULL: one definition for both engines
    (``col_type`` is DuckDB's name of the type), so that a case id reads the same, and gets the same
    pseudonym, on DuckDB and on Spark.

    A number is written as Python writes it: a whole number below 1e15 without its ``.0`` (``12.0`` ->
    ``'12'``, ``-0.0`` -> ``'0'``), infinities as ``'inf'`` and ``'-inf'``, any other float as ``repr``
    writes it (``1e+20``, ``1.5e-07``); NaN is missing; a decimal keeps its scale (``'12.500'``).
    """
    t = col_type.upper()
    whole = f"{col} = floor({col}) AND abs({col}) < 1e15"
    as_whole = f"CAST(CAST({col} AS BIGINT) AS {engine.text})"
    if t in ("DOUBLE", "FLOAT", "REAL"):
        finite = engine.finite(col)
        txt = (f"CASE WHEN {finite} AND {whole} THEN {as_whole} "
               f"WHEN {finite} THEN concat(CASE WHEN {col} < 0 THEN '-' ELSE '' END, {engine.repr_text(f'abs({col})')}) "
               f"WHEN {col} = CAST('Infinity' AS DOUBLE) THEN 'inf' "
               f"WHEN {col} = CAST('-Infinity' AS DOUBLE) THEN '-inf' END")
    elif t.startswith("DECIMAL"):
        txt = f"CASE WHEN {whole} THEN {as_whole} ELSE CAST({col} AS {engine.text}) END"
    else:
        txt = f"CAST({col} AS {engine.text})"
    return engine.blank_as_null(txt)


# Instants every part of the toolchain can hold: Python's datetime stops at years 1 and 9999, and a
# day's margin keeps the local time in any zone inside them too. DuckDB reads far wider dates
# ("0000-12-31", "10000-01-01", "294247-01-10") that would break len(log) and every table later.
_FIRST_INSTANT = "'0001-01-02 00:00:00+00:00'"
_LAST_INSTANT = "'9999-12-31 00:00:00+00:00'"


def clashing_names(names) -> list[str]:
    """Column names the engine cannot tell apart: equal, or equal but for ASCII case ("Afsnit", "afsnit").

    DuckDB matches names ignoring ASCII case, so two such columns would quietly read as one.

    Examples
    --------
    >>> clashing_names(["cpr", "Afsnit", "afsnit", "Æ", "æ"])
    ['Afsnit', 'afsnit']
    """
    import string

    fold = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)
    keys = [str(n).translate(fold) for n in names]
    return sorted({str(n) for n, k in zip(names, keys) if keys.count(k) > 1})


def check_names(names, *, source: str, rename: str) -> None:
    """Refuse source column names the engine cannot tell apart (:func:`clashing_names`), names with a NUL
    character, and names starting with ``__pw_``, which pathways keeps for its own columns: EventLogError
    saying ``source`` ("the frame", "'x.csv'") and how to ``rename``.

    Examples
    --------
    >>> try:
    ...     check_names(["cpr", "__pw_row"], source="the frame", rename="Rename it.")
    ... except EventLogError as err:
    ...     print(err)
    the frame has a column called '__pw_row': names starting with '__pw_' are kept for pathways' own columns \
(such as '__pw_row', the row numbers). Rename it.
    """
    names = [str(n) for n in names]
    dups = clashing_names(names)
    if dups:
        raise EventLogError(f"{source} has duplicate column names {dups} (names that differ only in upper and "
                            f"lower case count as the same); every column needs its own name. {rename}")
    nul = [n for n in names if "\x00" in n]
    if nul:  # the engine's result frames cut a name at its first NUL
        raise EventLogError(f"{source} has a column name with a NUL character ({nul[0]!r}), which the engine "
                            f"cannot keep in a name. {rename}")
    reserved = [n for n in names if n.startswith(RESERVED_PREFIX)]
    if reserved:
        raise EventLogError(f"{source} has a column called {reserved[0]!r}: names starting with "
                            f"{RESERVED_PREFIX!r} are kept for pathways' own columns (such as {ROW_NUMBER!r}, the "
                            f"row numbers). {rename}")


def describe_failures(failures, n_rows: int) -> str:
    """The message of an EventLogError: one sentence per (column, problem); ``failures`` in long form
    (:func:`pathways.rejections.long_form`)."""
    lines = []
    for (column, code), grp in failures.groupby(["column", "code"], sort=False):
        rows = ", ".join(str(r) for r in grp["row"].head(3))
        more = ", ..." if len(grp) > 3 else ""
        # a whole input line (column "*") may hold the case id: messages and warnings never quote it
        example = "" if column == "*" else f"; e.g. {grp['value'].iloc[0]!r}"
        lines.append(f"column {column!r}: {len(grp):,} of {n_rows:,} rows: {rejections.text(code)} "
                     f"(rows {rows}{more}{example}). {rejections.fix(code, column)}.")
    return "\n".join(lines) + "\nRow numbers count data rows from 0. See err.failure_cases or log.rejected."


def map_columns(types: dict, *, case, activity, timestamp, end_timestamp=None, unit=None, resource=None,
                referral_to=None, attributes=None):
    """``(mapping, attributes, attr_names)``: roles -> source columns, checked against the source's ``types``.

    Raises EventLogError for a missing column (with the closest name) and OptionError
    for a column mapped to two roles. ``attr_names`` renames attributes that clash with
    a canonical column (``unit`` -> ``unit_attr``).
    """
    available = list(types)
    mapping = {"case": case, "activity": activity, "timestamp": timestamp,
               "end_timestamp": end_timestamp, "unit": unit, "resource": resource,
               "referral_to": referral_to}
    mapping = {role: col for role, col in mapping.items() if col is not None}
    missing = [(role, col) for role, col in mapping.items() if col not in types]
    if attributes is not None:
        missing += [("attributes", a) for a in attributes if a not in types]
    if missing:
        raise _missing_columns(missing, available)
    used = list(mapping.values())
    if len(set(used)) != len(used):
        dup = sorted({c for c in used if used.count(c) > 1})
        raise OptionError(f"column {dup[0]!r} is mapped to more than one role "
                          f"({', '.join(r for r, c in mapping.items() if c == dup[0])}). Map each role to its own column.")
    if attributes is None:
        attributes = [c for c in available if c not in used]
    attr_names = {}
    for a in attributes:
        name = str(a)
        while name in S.RESERVED or name in attr_names.values():
            name = f"{name}_attr"  # never silently drop a clashing column: rename it
        attr_names[a] = name
    return mapping, attributes, attr_names


#: Longest span of days :func:`_localized_sql` writes the offsets of (about 110 years).
_MAX_OFFSET_DAYS = 40_000


def _localized_sql(con, source: str, wall: str, tz: str, *, typed: bool) -> str:
    """SQL: the instant of the wall-clock time ``wall`` in ``tz``, as DuckDB's ``timezone(tz, wall)`` gives it.

    Converting every value took 0.8 s of reading 11 million events. When ``wall`` is a ``typed`` column
    of the source cast to TIMESTAMP (not text to parse), the offset of each day of the column's span is computed once, by
    that conversion at every hour of the day, and a value takes its day's offset from a list; a day
    whose offset changes (daylight saving begins or ends, with its gap and repeated hour) keeps the
    conversion, so the instants are the same (0.26 s at 11 million events).
    """
    convert = f"timezone({sql_literal(tz)}, {wall})"
    if not typed:
        return convert
    first, last = con.execute(f"SELECT min(w)::DATE, max(w)::DATE FROM (SELECT {wall} AS w FROM {q(source)})"
                              ).fetchall()[0]
    if first is None or (last - first).days >= _MAX_OFFSET_DAYS:
        return convert
    z, day0 = sql_literal(tz), f"TIMESTAMP '{first}'"
    days = f"unnest(range({day0}, TIMESTAMP '{last}' + INTERVAL 1 DAY, INTERVAL 1 DAY))"
    hours = f"SELECT d, d + to_hours(k) AS h FROM (SELECT {days} AS d), range(25) AS r(k)"
    per_day = (f"SELECT d, CASE WHEN min(o) = max(o) THEN min(o) END AS o FROM "
               f"(SELECT d, epoch_us(h) - epoch_us(timezone({z}, h)) AS o FROM ({hours})) GROUP BY d")
    offsets = con.execute(f"SELECT list(o ORDER BY d) FROM ({per_day})").fetchall()[0][0]
    if all(o is None for o in offsets):
        return convert
    offset = (f"[{', '.join('NULL' if o is None else str(o) for o in offsets)}]"
              f"[date_diff('day', {day0}, {wall}) + 1]")
    return f"CASE WHEN {offset} IS NULL THEN {convert} ELSE make_timestamptz(epoch_us({wall}) - {offset}) END"


def build(source: str, *, backend, n_read: int, case: str, activity: str, timestamp: str,
          end_timestamp: str | None = None, unit: str | None = None, resource: str | None = None,
          referral_to: str | None = None, attributes: Sequence[str] | None = None,
          tz: str = "Europe/Copenhagen", timestamp_format: str | Sequence[str] | None = None,
          dayfirst: bool = False, taxonomy=None, vocabulary=None, strict: bool = False,
          duplicates: Literal["keep", "reject"] = "keep", origin: str = "frame",
          extra_failures=None) -> "EventLog":
    """Validate the DuckDB relation ``source`` (source columns plus ``__pw_row``) into an EventLog.

    ``extra_failures`` are rows a reader already refused (e.g. CSV lines with the
    wrong number of fields); they count as read and go to ``log.rejected``.
    """
    import pandas as pd

    check_choice("duplicates", duplicates, ["keep", "reject"])
    con = backend.con
    described = con.execute(f"DESCRIBE {q(source)}").fetchall()
    types = {name: typ for name, typ, *_ in described if name != ROW_NUMBER}
    available = list(types)
    mapping, attributes, attr_names = map_columns(
        types, case=case, activity=activity, timestamp=timestamp, end_timestamp=end_timestamp, unit=unit,
        resource=resource, referral_to=referral_to, attributes=attributes)

    col = {role: q(c) for role, c in mapping.items()}
    select = [f"{ROW_NUMBER} AS row",
              f"{text_sql(col['case'], types[case])} AS case_id",
              f"{text_sql(col['activity'], types[activity])} AS activity"]
    helpers = []  # kept beside the events until the failures are reported
    for role, name, raw, wall in (("timestamp", timestamp, RAW_TS, WALL_TS),
                                  ("end_timestamp", end_timestamp, RAW_END, WALL_END)):
        if role not in mapping:
            select.append(f"CAST(NULL AS TIMESTAMPTZ) AS {role}")
            continue
        instant, local = _timestamp_sql(con, source, col[role], types[name], timestamp_format, dayfirst)
        # the same parse twice in one SELECT is computed once (DuckDB eliminates common subexpressions)
        typed = local == f"CAST({col[role]} AS TIMESTAMP)"  # a TIMESTAMP or DATE column (see _timestamp_sql)
        select += [f"coalesce({instant}, {_localized_sql(con, source, local, tz, typed=typed)}) AS {role}",
                   f"{raw_sql(col[role], types[name])} AS {raw}", f"{local} AS {wall}"]
        helpers += [raw, wall]
    select += carried_sql(col, mapping, types, attr_names, available, duplicates)
    if duplicates == "reject":
        helpers.append(DUP_OF)
    checks = row_checks(mapping, types, case=case, activity=activity, timestamp=timestamp,
                        end_timestamp=end_timestamp, duplicates=duplicates)

    parsed = f"(SELECT {', '.join(select)} FROM {q(source)})"
    # the distinct activities and units in one scan of the source (two scans took 0.62 s at 11 million events);
    # sorted here, by code point as DuckDB's ORDER BY sorts text
    found = con.execute(f"SELECT list(DISTINCT activity), list(DISTINCT unit), list(DISTINCT referral_to) "
                        f"FROM {parsed}").fetchall()[0]
    activities = sorted({a for a in found[0] or () if a is not None})
    units = sorted({u for values in found[1:] for u in values or () if u is not None})
    from .taxonomy import UnitTaxonomy, Vocabulary

    taxonomy = UnitTaxonomy.default() if taxonomy is None else taxonomy
    vocabulary = Vocabulary.default() if vocabulary is None else vocabulary
    unit_classes = taxonomy.table_for(units, tz=tz)
    activity_classes = vocabulary.table_for(activities)
    # one pass: parse, classify and keep every row; the (few) bad ones are deleted below
    events = _classify(con, parsed, helpers, attr_names.values(), unit_classes, activity_classes)
    try:
        any_bad = " OR ".join(f"coalesce({c.flag}, false)" for c in checks)
        failures = con.execute(
            " UNION ALL ".join(
                f"SELECT row, {sql_literal(c.column)} AS column, {sql_literal(c.code)} AS code, "
                f"CAST({c.value} AS VARCHAR) AS value, {i} AS k FROM {events} WHERE {c.flag}"
                for i, c in enumerate(checks))
            + " ORDER BY row, k").df().drop(columns="k")
        failures = failures.astype({"row": "int64"})
        if extra_failures is not None and len(extra_failures):
            failures = pd.concat([extra_failures, failures], ignore_index=True).sort_values(
                "row", kind="stable", ignore_index=True)
        failures = rejections.long_form(failures)
        if strict and len(failures):
            raise EventLogError(describe_failures(failures, n_read), failures)
        if len(failures):
            con.execute(f"DELETE FROM {events} WHERE {any_bad}")
        local_times = _local_time_notes(con, events, tz, [WALL_TS, WALL_END] if "end_timestamp" in mapping
                                        else [WALL_TS])
        for helper in helpers:  # raw texts were kept only to report the failures
            con.execute(f"ALTER TABLE {events} DROP COLUMN {helper}")
        compress_tables(backend)
    except BaseException:
        con.execute(f"DROP TABLE IF EXISTS {events}")
        raise

    return new_log(backend, events, failures, n_read=n_read, mapping=mapping, attributes=attributes,
                   attr_names=attr_names, tz=tz, taxonomy=taxonomy, vocabulary=vocabulary,
                   unit_classes=unit_classes, activity_classes=activity_classes, origin=origin,
                   local_times=local_times)


def _local_time_notes(con, events: str, tz: str, walls: list[str]) -> dict:
    """How many events (and cases) have a wall-clock time the zone skipped (``"gap"``: the clocks jumped
    forward) or passed twice (``"overlap"``: the clocks went back), with an example of each.

    ``walls`` are the helper columns of the times read as local (NULL where the source gave an offset);
    beside each is the instant it became. A gap time was moved forward by the jump (its instant shows
    another wall time), an overlap time took the later instant (the instant one shift earlier shows the
    same wall time). The engine finds the days on which the zone's offset changes in the years the times
    fall in (its own zone data, so the days are those it resolved), then examines only the events of
    those days: two light passes over the events.
    """
    z = sql_literal(tz)
    instant = {WALL_TS: "timestamp", WALL_END: "end_timestamp"}
    none = {"gap": (0, 0, None), "overlap": (0, 0, None)}
    years = " UNION ".join(f"SELECT DISTINCT year({w}) AS y FROM {events} WHERE {w} IS NOT NULL" for w in walls)

    def offset(day: str) -> str:  # seconds east of UTC at a local midnight
        return f"(epoch({day}) - epoch(timezone({z}, {day})))"

    # a jump late in a day can reach into the next one: the day after a change is examined too
    days = con.execute(
        f"SELECT d, abs({offset('d + INTERVAL 1 DAY')} - {offset('d')}) FROM (SELECT unnest(generate_series("
        f"make_timestamp(y, 1, 1, 0, 0, 0), make_timestamp(y, 12, 31, 0, 0, 0), INTERVAL 1 DAY)) AS d "
        f"FROM ({years})) WHERE {offset('d + INTERVAL 1 DAY')} <> {offset('d')} ORDER BY d").fetchall()
    if not days:
        return none
    values = ", ".join(f"(TIMESTAMP '{d:%Y-%m-%d} 00:00:00', {int(shift)})" for d, shift in days)
    spans = " OR ".join(f"(w >= TIMESTAMP '{d:%Y-%m-%d} 00:00:00' AND w < TIMESTAMP '{d:%Y-%m-%d} 00:00:00' "
                        f"+ INTERVAL 2 DAY)" for d, _ in days)
    times = " UNION ALL ".join(f"SELECT * FROM (SELECT row, case_id, {instant[w]} AS t, {w} AS w FROM {events}) "
                               f"WHERE {spans}" for w in walls)
    row = con.execute(
        f"WITH days(d, shift) AS (VALUES {values}), "
        f"flagged AS (SELECT DISTINCT row, case_id, w, timezone({z}, t) AS shown, "
        f"timezone({z}, t) <> w AS gap, timezone({z}, t) = w AND (timezone({z}, t - to_seconds(shift)) = w "
        f"OR timezone({z}, t + to_seconds(shift)) = w) AS overlap "
        f"FROM ({times}) JOIN days ON w >= d AND w < d + INTERVAL 2 DAY) "
        f"SELECT count(DISTINCT row) FILTER (gap), count(DISTINCT case_id) FILTER (gap), "
        f"strftime(min(w) FILTER (gap), '%Y-%m-%d %H:%M'), strftime(arg_min(shown, w) FILTER (gap), '%H:%M'), "
        f"count(DISTINCT row) FILTER (overlap), count(DISTINCT case_id) FILTER (overlap), "
        f"strftime(min(w) FILTER (overlap), '%Y-%m-%d %H:%M') FROM flagged").fetchall()[0]
    return local_time_notes(*row)


def local_time_notes(n_gap, c_gap, gap_at, gap_shown, n_overlap, c_overlap, overlap_at) -> dict:
    """``log.local_times`` from the engine's counts of events (and cases) in a gap and in an overlap, the first
    such wall time (``YYYY-MM-DD HH:MM``) and, for the gap, the clock time it was read as (``HH:MM``)."""
    return {"gap": (int(n_gap), int(c_gap), None if gap_at is None else f"{gap_at} read as {gap_shown}"),
            "overlap": (int(n_overlap), int(c_overlap), None if overlap_at is None else
                        f"{overlap_at}, read as the later of the two")}


def new_log(backend, table: str, failures, *, n_read: int, mapping, attributes, attr_names, tz, taxonomy,
            vocabulary, unit_classes, activity_classes, origin, local_times=None, notes=None) -> "EventLog":
    """The EventLog of the validated engine ``table`` (any engine), with ``failures`` as ``log.rejected``.

    Warns (at the reader's caller) when rows were rejected.
    """
    rejected = rejections.per_row(failures)
    log = EventLog(engine_table(backend, table), backend=backend, tz=tz,
                   columns={**mapping, "attributes": list(attributes)},
                   attributes=list(attr_names.values()), rejected=rejected, n_read=n_read,
                   taxonomy=taxonomy, vocabulary=vocabulary, unit_classes=unit_classes,
                   activity_classes=activity_classes, origin=origin, local_times=local_times, notes=notes)
    if len(rejected):
        warnings.warn(f"{len(rejected):,} of {n_read:,} rows were moved to log.rejected:\n"
                      + describe_failures(failures, n_read), PathwaysWarning,
                      stacklevel=outside_stacklevel())
    return log


def _classify(con, parsed, helpers, attributes, unit_classes, activity_classes) -> str:
    """Create the events table, with event type, domain and sector.

    Rows are stored in the order the engine reads them, which is not the input order for a
    large file read in parallel; ``row`` is the input order, and everything that shows or
    writes events in input order sorts by it (sorting the whole table here took 2 of the 5.6 s
    of reading 11 million events).

    The columns with few distinct values (activity, unit, referral_to, event_type, domain,
    sector) are stored as DuckDB ENUMs of their sorted values: one small integer per event
    instead of a string, so the sorts, windows, joins and group-bys of every analysis over
    them are cheaper. Ibis reads them as strings, compares and orders them as strings
    (the values are declared in sorted order), and returns strings.
    """
    uc = fresh_name("unit_classes")
    ac = fresh_name("activity_classes")
    con.register(uc, unit_classes)
    con.register(ac, activity_classes)
    events = fresh_name("events")
    try:
        con.execute(f"CREATE TABLE {events} AS " + classified_sql(
            parsed, uc, ac, unit_classes, [*attributes, *helpers],
            enums=enum_columns(unit_classes, activity_classes)))
    finally:
        con.unregister(uc)
        con.unregister(ac)
    return events


#: Above this many distinct values, or characters in all, a text column stays VARCHAR (an ENUM's
#: values are spelled out in the SQL).
_MAX_ENUM = 10_000
_MAX_ENUM_CHARS = 1_000_000


def enum_columns(unit_classes, activity_classes) -> dict:
    """column -> the values the events table's ENUM of that column holds (see :func:`_classify`), from the
    log's classes: a log reloaded from its Parquet file gets the same column types."""
    units = list(unit_classes["unit"])
    return {"activity": list(activity_classes["activity"]), "unit": units, "referral_to": units,
            "event_type": [*activity_classes["event_type"], S.UNKNOWN_EVENT_TYPE],
            "domain": [*unit_classes["domain"], "unknown"], "sector": [*unit_classes["sector"], "unknown"]}


def enum_sql(sql: str, values) -> str:
    """``sql`` cast to an ENUM of its possible ``values`` (sorted, so they order as text), or as is."""
    values = sorted({str(v) for v in values if isinstance(v, str)})
    if not values or len(values) > _MAX_ENUM or sum(map(len, values)) > _MAX_ENUM_CHARS:
        return sql
    return f"CAST({sql} AS ENUM({', '.join(sql_literal(v) for v in values)}))"


def _missing_columns(missing, available) -> EventLogError:
    import pandas as pd

    parts = []
    for role, col in missing:
        hint = closest(col, available)
        parts.append(f"{role}={col!r}: no such column" + (f" (closest: {hint!r})" if hint else ""))
    shown = ", ".join(repr(a) for a in available[:40]) + (", ..." if len(available) > 40 else "")
    msg = "; ".join(parts) + f". Available columns: {shown}."
    if len(available) == 1 and any(s in available[0] for s in ";,\t|"):
        sep = next(s for s in ";\t|," if s in available[0])
        msg += f" The header looks separated by {sep!r}: pass sep={sep!r}."
    failures = pd.DataFrame({"row": [-1] * len(missing), "column": [c for _, c in missing],
                             "code": ["no_such_column"] * len(missing), "value": [""] * len(missing)})
    return EventLogError(msg, rejections.long_form(failures))


class EventLog:
    """A validated, frozen event log whose table lives in the engine.

    Build one with a reader (:func:`pathways.read_csv`, :func:`pathways.read_parquet`,
    :func:`pathways.from_pandas`, ...). Its canonical columns are ``row`` (input row
    number), ``case_id``, ``activity``, ``timestamp``, ``end_timestamp``, ``unit``,
    ``resource``, ``referral_to``, ``event_type``, ``domain``, ``sector`` and the
    attribute columns; a role that was not mapped is a column of NULLs, and
    ``log.columns`` says which source column each role came from.

    Attributes kept beside the table: ``rejected`` (a pandas frame of the input rows
    that could not be used: ``row``, and per problem of the row its ``code``, ``column``,
    ``problem`` and ``value``, see :mod:`pathways.rejections`), ``n_read``
    (the number of input rows read; ``len(log) + len(log.rejected) == log.n_read``,
    so no row is lost unseen), ``tz`` (the zone naive times were read in and results
    are shown in), ``local_times`` (how many events of the log as read had a local time the
    zone skipped or passed twice at a daylight-saving change, see :func:`pathways.quality_report`;
    None when not counted), ``notes`` (counts a reader kept beside the events, shown by
    :func:`pathways.quality_report`: for :func:`pathways.read_fhir` the entries read, the duplicate
    messages, revisions and cancellations; None for other readers), ``attributes``, ``taxonomy``,
    ``vocabulary``, ``origin``, and the classification made when the log was read:
    ``unit_classes`` (a pandas frame, one row per unit name of the source: ``unit``, ``domain``,
    ``sector``, the period it holds for, and how it was placed) and ``activity_classes`` (one row per
    activity: ``activity``, ``event_type``, how it was placed), which the filters, the writers and
    :attr:`units` / :attr:`activities` read.

    Examples
    --------
    >>> import pandas as pd, pathways as pw
    >>> df = pd.DataFrame({"pt": ["A", "A", "B"], "what": ["Henvisning", "Indlæggelse", "Henvisning"],
    ...                    "when": ["2023-01-02 08:00", "2023-01-05 10:30", "2023-02-01 09:00"],
    ...                    "afsnit": ["Egen læge", "Medicinsk afdeling", "Egen læge"]})
    >>> log = pw.from_pandas(df, case="pt", activity="what", timestamp="when", unit="afsnit")
    >>> log
    EventLog: 3 events, 2 cases, 2 activities, 2 units, 2023-01-02 → 2023-02-01, 0 rows rejected
    >>> log.to_pandas()[["case_id", "event_type", "domain", "sector"]]
      case_id event_type            domain            sector
    0       A   referral  general_practice  general_practice
    1       A  admission           somatic            region
    2       B   referral  general_practice  general_practice
    """

    __slots__ = ("table", "backend", "tz", "columns", "attributes", "rejected", "n_read", "taxonomy",
                 "vocabulary", "origin", "local_times", "notes", "unit_classes", "activity_classes", "_stats",
                 "_cache", "_frozen", "__weakref__")

    def __init__(self, table, *, backend, tz, columns, attributes, rejected, n_read, taxonomy,
                 vocabulary, unit_classes, activity_classes, origin="frame", local_times=None, notes=None):
        for name, value in dict(table=table, backend=backend, tz=tz, columns=columns,
                                attributes=tuple(attributes), rejected=rejected, n_read=n_read,
                                taxonomy=taxonomy, vocabulary=vocabulary, origin=origin,
                                local_times=local_times, notes=notes,
                                unit_classes=unit_classes, activity_classes=activity_classes,
                                _stats=None, _cache={}).items():
            object.__setattr__(self, name, value)
        object.__setattr__(self, "_frozen", True)

    def __setattr__(self, name, value):
        raise AttributeError("EventLog is frozen; filters and readers return a new log.")

    def replace(self, table, **changes) -> "EventLog":
        """A new log with the same metadata over another table expression (used by filters), with ``changes``
        to the metadata (``rejected=``, ``notes=``, ...: the names of the constructor)."""
        kept = {name: getattr(self, name) for name in ("backend", "tz", "columns", "attributes", "rejected", "n_read",
                                                       "taxonomy", "vocabulary", "unit_classes", "activity_classes",
                                                       "origin", "local_times", "notes")}
        return EventLog(table, **{**kept, **changes})

    def materialize(self, key, build):
        """The Ibis table ``build(self)``, computed once per log and kept in the engine.

        Analyses share intermediate tables this way (the unit path, the ordered events):
        the first call runs the query into a temporary table, later calls with the same
        ``key`` reuse it. The table is dropped when nothing refers to it any more.
        """
        table = self._cache.get(key)
        if table is None:
            from .engine import create_table

            name = fresh_name("cache")
            create_table(self.backend, name, build(self))
            table = self._cache[key] = engine_table(self.backend, name)
        return table

    # --- facts -----------------------------------------------------------------
    def has(self, role: str) -> bool:
        """Whether ``role`` (``"unit"``, ``"end_timestamp"``, ...) was mapped to a source column."""
        check_choice("role", role, list(S.ROLES))
        return role in self.columns

    def require(self, *roles: str, purpose: str) -> None:
        """Raise OptionError unless every role is mapped, saying how to map it."""
        missing = [r for r in roles if not self.has(r)]
        if missing:
            raise OptionError(f"{purpose} needs the {', '.join(missing)} column(s), which this log does not "
                              f"map. Build the log with {', '.join(f'{r}=<column name>' for r in missing)} "
                              f"(e.g. pw.read_csv(path, ..., {missing[0]}='afsnit')).")

    @property
    def stats(self) -> dict:
        """Counts and time span (computed once, in one query)."""
        if self._stats is None:
            t = self.table
            row = t.aggregate(
                n_events=t.count(), n_cases=t.case_id.nunique(), n_activities=t.activity.nunique(),
                n_units=t.unit.nunique(), first=t.timestamp.min(), last=t.timestamp.max(),
                n_midnight=local_midnight(t.timestamp, self.tz, self.backend).sum(),
                **clock_aggregates(t.timestamp, self.tz),
            ).to_pyarrow().to_pylist()[0]
            row["n_midnight"] = int(row["n_midnight"] or 0)
            row["date_pattern"] = date_pattern(row)
            object.__setattr__(self, "_stats", row)
        return self._stats

    def __len__(self) -> int:
        return int(self.stats["n_events"])

    @property
    def n_cases(self) -> int:
        return int(self.stats["n_cases"])

    @property
    def date_only(self) -> bool:
        """True when the source held dates without times (see :func:`pathways.engine.date_pattern`).

        Every local time at midnight, or every time at one clock time per season: a date
        converted between zones sits at 01:00 in winter and 02:00 in summer.
        """
        return self.stats["date_pattern"] is not None

    @property
    def units(self):
        """One row per unit: unit, domain, sector, n_events, n_cases, classified_by (mapping, rule, unknown),
        rule (the name of the rule that placed the unit, else None)."""
        return self._class_table("unit", self.unit_classes, ["domain", "sector"])

    @property
    def activities(self):
        """One row per activity: activity, event_type, n_events, n_cases, classified_by, rule."""
        return self._class_table("activity", self.activity_classes, ["event_type"])

    def _class_table(self, key: str, classes, columns):
        t = self.table.filter(lambda e: e[key].notnull())
        counts = t.group_by([key, *columns]).aggregate(n_events=t.count(), n_cases=t.case_id.nunique()).to_pandas()
        how = classes.drop_duplicates(key)[[key, "classified_by", "rule"]]
        out = counts.merge(how, on=key, how="left")
        return out.sort_values(["n_events", key], ascending=[False, True], ignore_index=True)

    # --- conversion ------------------------------------------------------------
    def to_pandas(self):
        """The events as a pandas DataFrame in input order, timestamps in the log's time zone."""
        df = self.table.order_by("row").to_pandas()
        for c in (S.TIMESTAMP, S.END):
            df[c] = df[c].dt.tz_convert(self.tz)
        return df.reset_index(drop=True)

    def to_pm4py(self):
        """A pandas DataFrame with pm4py's XES column names, sorted by case, then time, then input row.

        ``case:concept:name``, ``concept:name``, ``time:timestamp`` (the event time),
        ``org:resource`` (resource), ``org:group`` (unit), and the other columns under their
        canonical names (``end_timestamp``, ``event_type``, ``domain``, ...). Roles that were
        not mapped are left out.
        """
        df = self.to_pandas()
        df = df.sort_values([S.CASE, S.TIMESTAMP, S.ROW], kind="stable", ignore_index=True)
        renames = {S.CASE: "case:concept:name", S.ACTIVITY: "concept:name", S.TIMESTAMP: "time:timestamp",
                   S.RESOURCE: "org:resource", S.UNIT: "org:group"}
        if not self.has("resource"):
            df = df.drop(columns=S.RESOURCE)
        if not self.has("unit"):
            df = df.drop(columns=[S.UNIT, S.DOMAIN, S.SECTOR])
        if not self.has("referral_to"):
            df = df.drop(columns=S.REFERRAL_TO)
        if not self.has("end_timestamp"):
            df = df.drop(columns=S.END)
        return df.rename(columns=renames)

    # --- display ---------------------------------------------------------------
    def _span(self) -> str:
        s = self.stats
        if not s["n_events"]:
            return "no time span"
        first = s["first"].astimezone(_zone(self.tz)) if hasattr(s["first"], "astimezone") else s["first"]
        last = s["last"].astimezone(_zone(self.tz)) if hasattr(s["last"], "astimezone") else s["last"]
        return f"{first:%Y-%m-%d} → {last:%Y-%m-%d}"

    def __repr__(self) -> str:
        try:
            s = self.stats
            return (f"EventLog: {s['n_events']:,} events, {s['n_cases']:,} cases, "
                    f"{s['n_activities']:,} activities, {s['n_units']:,} units, {self._span()}, "
                    f"{len(self.rejected):,} rows rejected")
        except Exception as exc:  # a repr never raises
            return f"EventLog (summary unavailable: {exc})"

    def _repr_html_(self) -> str:
        try:
            s = self.stats
            rows = [("events", f"{s['n_events']:,}"), ("cases", f"{s['n_cases']:,}"),
                    ("activities", f"{s['n_activities']:,}"), ("units", f"{s['n_units']:,}"),
                    ("period", self._span()), ("rows rejected", f"{len(self.rejected):,}"),
                    ("time zone", self.tz), ("dates only", "yes" if self.date_only else "no")]
        except Exception as exc:
            return f"<p>EventLog (summary unavailable: {html.escape(str(exc))})</p>"
        body = "".join(f"<tr><th style='text-align:left'>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>"
                       for k, v in rows)
        return f"<table><caption>EventLog</caption>{body}</table>"


def check_log(log, function: str) -> None:
    """NotALogError (a TypeError) unless ``log`` is an EventLog, naming what it is and the way forward.

    Examples
    --------
    >>> import pandas as pd
    >>> check_log(pd.DataFrame({"cpr": ["1"]}), "transitions")
    Traceback (most recent call last):
    ...
    pathways.errors.NotALogError: pw.transitions takes an EventLog, not a pandas DataFrame (columns 'cpr'). \
Build the log first: log = pw.from_pandas(df, case=..., activity=..., timestamp=...) (pw.from_pm4py(df) for a \
pm4py frame), then pw.transitions(log, ...).
    """
    from .errors import NotALogError

    if isinstance(log, EventLog):
        return
    call = f"pw.{function}(log, ...)"
    if log is None:
        raise NotALogError(f"pw.{function} takes an EventLog, got None. Build the log first (pw.read_csv(...), "
                           f"pw.from_pandas(...)) and pass it: {call}.")
    import pandas as pd

    if isinstance(log, pd.DataFrame):
        columns = ", ".join(repr(str(c)) for c in list(log.columns)[:6]) + (", ..." if log.shape[1] > 6 else "")
        if "parameters" in log.attrs:  # a table an analysis returned
            raise NotALogError(f"pw.{function} takes an EventLog, not the table of an analysis (columns "
                               f"{columns}). Pass the log that table was computed from: {call}.")
        raise NotALogError(f"pw.{function} takes an EventLog, not a pandas DataFrame (columns {columns}). Build the "
                           "log first: log = pw.from_pandas(df, case=..., activity=..., timestamp=...) "
                           f"(pw.from_pm4py(df) for a pm4py frame), then {call}.")
    raise NotALogError(f"pw.{function} takes an EventLog, got {type(log).__name__}. Build one with pw.read_csv, "
                       f"pw.read_parquet or pw.from_pandas, then {call}.")


def takes_log(function):
    """``function`` (whose first parameter is the log) checking that parameter with :func:`check_log` first."""
    import functools

    @functools.wraps(function)
    def checked(log, *args, **kwargs):
        check_log(log, function.__name__)
        return function(log, *args, **kwargs)

    return checked


# engine tables, keyed weakly by their Ibis operation: every expression built on a
# table holds that operation, so the table is dropped only when no log, filter or
# result expression can reach it any more.
_LIFETIMES = weakref.WeakKeyDictionary()


def engine_table(backend, name: str):
    """The Ibis table ``name``, dropped from the engine once no expression refers to it."""
    from .engine import engine_table

    base, table = engine_table(backend, name)  # on Spark, ``table`` is ``base`` with times typed UTC
    marker = type("_Lifetime", (), {})()
    weakref.finalize(marker, _drop_table, backend, name)
    _LIFETIMES[base.op()] = marker
    return table


def _drop_table(backend, name: str) -> None:
    from .engine import drop_table

    drop_table(backend, name)  # quietly: the connection may already be closed at interpreter exit


def _zone(tz: str):
    from zoneinfo import ZoneInfo

    return ZoneInfo(tz)


__all__ = ["EventLog", "PathwaysWarning", "build", "check_log", "check_names", "clashing_names", "describe_failures",
           "takes_log"]
