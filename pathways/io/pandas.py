"""Event logs from pandas DataFrames, including pm4py-formatted ones."""

from __future__ import annotations

from ..engine import check_zone, duckdb_backend, fresh_name
from ..errors import EventLogError
from ..eventlog import EventLog, build, check_names
from .options import checks_options


@checks_options
def from_pandas(df, *, case: str, activity: str, timestamp: str, tz: str = "Europe/Copenhagen",
                **options) -> EventLog:
    """Build an EventLog from a pandas DataFrame, without changing the caller's frame.

    Parameters
    ----------
    df : pandas.DataFrame
        One row per event. It is registered with DuckDB through Arrow, not copied
        row by row, and never modified.
    case, activity, timestamp : str
        The source columns holding the case id (patient pseudonym or episode id),
        the activity and the event time. Times are dates, datetimes (naive ones are
        local time in ``tz``) or text; a category column reads like its values. Numbers
        are not times: their rows are rejected as "not a date (a number)" (convert epoch
        seconds first, ``df[col] = pd.to_datetime(df[col], unit="s")``), and so are
        DuckDB's special words ``epoch`` and ``infinity``. A cell that is empty or only
        whitespace (anything ``str.isspace()`` accepts) is missing, as is a float NaN;
        whitespace around a value is trimmed.
    end_timestamp, unit, resource, referral_to : str, optional
        Source columns for the other roles (see :mod:`pathways.schema`).
    attributes : list of str, optional
        Columns to keep as attributes; by default every column not mapped to a role.
    tz : str, default "Europe/Copenhagen"
        Zone of naive timestamps; aware ones are converted.
    timestamp_format : str or list of str, optional
        strptime format(s) of text timestamps, e.g. ``"%d-%m-%Y %H:%M"``. By default ISO 8601
        and common day-first (``dayfirst=True``) or month-first forms are recognised.
    dayfirst : bool, default False
        Read ``03-04-2023`` as 3 April.
    taxonomy : UnitTaxonomy, optional
        Unit -> (domain, sector); default: the built-in Danish rules.
    vocabulary : Vocabulary, optional
        Activity -> event type; default: the built-in Danish and English vocabulary.
    strict : bool, default False
        Raise :class:`EventLogError` when any row cannot be used, instead of moving it
        to ``log.rejected``.
    duplicates : {"keep", "reject"}, default "keep"
        Whether exact duplicate rows (every column equal) after the first are rejected.

    Returns
    -------
    EventLog

    Examples
    --------
    >>> import pandas as pd, pathways as pw
    >>> df = pd.DataFrame({"cpr": ["NA", "NA", None], "hvad": ["Henvisning", "Afslag", "Henvisning"],
    ...                    "hvornaar": ["03-04-2023 10:00", "05-04-2023 13:15", "06-04-2023 09:00"]})
    >>> log = pw.from_pandas(df, case="cpr", activity="hvad", timestamp="hvornaar", dayfirst=True)
    >>> len(log), len(log.rejected), log.n_cases
    (2, 1, 1)
    >>> log.rejected
       row               code column            problem value
    0    2  [missing_case_id]  [cpr]  [missing case id]    []
    """
    import numpy as np
    import pandas as pd

    if not isinstance(df, pd.DataFrame):
        raise EventLogError(f"from_pandas expects a pandas DataFrame, got {type(df).__name__}. "
                            "Use pw.read_csv / pw.read_parquet for files.")
    names = [str(c) for c in df.columns]
    check_names(names, source="the frame", rename="Rename the column(s) (df.columns = [...] or "
                "df.rename(columns={...})) and try again.")
    frame = df.set_axis(names, axis=1) if list(df.columns) != names else df
    frame = frame.reset_index(drop=True)
    # objects of mixed Python types cannot be scanned by type, nor can the engine hold periods, intervals
    # or complex numbers: read them as text; sparse columns as their dense values
    odd = {c: _as_text(frame[c]) for c in frame.columns if _as_text_needed(frame[c].dtype)}
    odd.update({c: frame[c].sparse.to_dense() for c in frame.columns if isinstance(frame[c].dtype, pd.SparseDtype)})
    odd = {c: _as_text(v) if _as_text_needed(v.dtype) else v for c, v in odd.items()}
    if odd:
        frame = frame.assign(**odd)
    frame = frame.assign(__pw_row=np.arange(len(frame), dtype="int64"))
    backend = duckdb_backend()
    check_zone(tz)
    name = fresh_name("frame")
    backend.con.register(name, frame)
    try:
        return build(name, backend=backend, n_read=len(frame), case=case, activity=activity,
                     timestamp=timestamp, tz=tz, **options)
    finally:
        backend.con.unregister(name)


def _as_text_needed(dtype) -> bool:
    """Whether a column of this dtype is read as text: Python objects, periods, intervals, complex numbers."""
    import pandas as pd

    return dtype == object or isinstance(dtype, (pd.PeriodDtype, pd.IntervalDtype)) or getattr(dtype, "kind", "") == "c"


def _as_text(column):
    """A column as pandas text; bytes that are not UTF-8 keep their bytes as ``\\x..`` escapes, and a lone
    surrogate (which no UTF-8 text can hold) becomes the replacement character U+FFFD."""
    import re

    try:
        return column.astype("string")
    except (UnicodeError, TypeError, ValueError):
        def text(v):
            if isinstance(v, (bytes, bytearray)):
                return v.decode("utf-8", errors="backslashreplace")
            return re.sub("[\ud800-\udfff]", "\ufffd", str(v))

        return column.map(text, na_action="ignore").astype("string")


@checks_options
def from_pm4py(df, **options) -> EventLog:
    """Build an EventLog from a pm4py-formatted DataFrame (XES column names).

    ``case:concept:name`` is the case, ``concept:name`` the activity, ``time:timestamp``
    the time, ``org:resource`` the resource and ``org:group`` the unit when present.
    When pm4py's ``start_timestamp`` column is there, it is the event time and
    ``time:timestamp`` the end time. Any of these can be overridden by keyword.

    Examples
    --------
    >>> import pandas as pd, pathways as pw
    >>> df = pd.DataFrame({"case:concept:name": ["1", "1"], "concept:name": ["Henvisning", "Indlæggelse"],
    ...                    "time:timestamp": pd.to_datetime(["2024-01-02 10:00", "2024-01-09 08:00"], utc=True),
    ...                    "org:group": ["Egen læge", "Medicinsk afdeling"]})
    >>> pw.from_pm4py(df)
    EventLog: 2 events, 1 cases, 2 activities, 2 units, 2024-01-02 → 2024-01-09, 0 rows rejected
    """
    cols = set(map(str, df.columns))
    mapping = {"case": "case:concept:name", "activity": "concept:name", "timestamp": "time:timestamp"}
    if "start_timestamp" in cols:
        mapping.update(timestamp="start_timestamp", end_timestamp="time:timestamp")
    if "org:resource" in cols:
        mapping["resource"] = "org:resource"
    if "org:group" in cols:
        mapping["unit"] = "org:group"
    mapping.update(options)
    return from_pandas(df, **mapping)
