"""Readmissions and revolving-door patients (DOMAIN.md section 4).

Definitions used here:

* A **discharge** is an event of type ``discharge``, an **admission** one of type
  ``admission`` (see ``log.activities`` for how activity names map to types).
* The **readmission candidate** of a discharge is the *first* admission of the
  same case after it, in the case's order (time, then input row; an admission at
  the very same time but later in the input counts, with 0 days).
* The discharge is **readmitted** when that first admission comes at most
  ``within`` after the discharge, measured as exact elapsed time from discharge
  time to admission time (``within="30D"``: 30 × 24 h after is in, a minute more
  is out), and, when acute admissions count (``acute=``), that admission is acute. A planned
  admission in between therefore ends the question for the earlier discharge: a
  later acute admission is the readmission of the planned stay's discharge, not
  counted twice.
* **Acute** comes from an attribute (``acute=``): booleans, numbers (non-zero)
  or text (``true, 1, yes, ja, j, y, t, akut, acute``, case-insensitive) are
  acute; anything else, and missing values, are not. ``acute="auto"`` (the
  default of the readmission functions) uses the attribute named ``acute`` or
  ``akut`` (any case) when the log has one; without one the acuity is unknown,
  every admission counts and ``df.attrs["acuity"]`` says so. ``acute=None``
  counts every admission.
* ``within_72h`` is exact elapsed time ≤ 72 hours; ``within_3_days`` compares
  local calendar dates (admission date − discharge date ≤ 3), as "3 døgn" in
  the Danish statistics is usually read; both only for a readmission.
"""

from __future__ import annotations

import functools
import warnings
from typing import TYPE_CHECKING

import ibis
import numpy as np
import pandas as pd

from .. import schema as S
from ..udf import epoch_us
from ..errors import OptionError, closest, outside_stacklevel
from ..parameters import ACUTE_COLUMNS, READMISSION_WITHIN, REVOLVING_N, REVOLVING_WITHIN
from .common import TEXT, days_between, duration, local_times, with_parameters
from .waits import finish_groups, group_columns

if TYPE_CHECKING:
    from ..eventlog import EventLog

ACUTE_VALUES = ("true", "1", "yes", "ja", "j", "y", "t", "akut", "acute")

_COLUMNS = ["case_id", "discharged_at", "unit", "domain", "sector", "readmitted", "readmitted_at",
            "readmission_unit", "readmission_domain", "days_to_readmission", "within_72h", "within_3_days"]


def acute_flag(column):
    """Ibis boolean: the attribute value means "acute" (NULL and unknown text mean not acute)."""
    typ = column.type()
    if typ.is_boolean():
        out = column
    elif typ.is_numeric():
        out = column != 0
    else:
        out = column.cast("string").strip().lower().isin(ACUTE_VALUES)
    return out.fill_null(False)


def acute_column(log, acute: str | None) -> str | None:
    """The attribute that tells acute from planned admissions, for ``acute=`` (``None``: count every admission).

    ``"auto"`` is the attribute named ``acute`` or ``akut`` in any case (``None`` when the log has neither); any
    other text must name an attribute of the log.

    Examples
    --------
    >>> import pandas as pd, pathways as pw
    >>> df = pd.DataFrame({"pt": ["A"], "act": ["Indlæggelse"], "ts": ["2024-01-01"], "Akut": ["ja"]})
    >>> log = pw.from_pandas(df, case="pt", activity="act", timestamp="ts")
    >>> acute_column(log, "auto"), acute_column(log, None)
    ('Akut', None)
    """
    if acute is None:
        return None
    if not isinstance(acute, str):
        raise OptionError(f"acute={acute!r} must name an attribute column (e.g. 'acute'), or be 'auto' or None.")
    if acute == "auto":
        return next((a for a in log.attributes if a.strip().lower() in ACUTE_COLUMNS), None)
    if acute in log.attributes:
        return acute
    hint = closest(acute, log.attributes)
    raise OptionError(
        f"acute={acute!r}: this log has no such attribute (attributes: {list(log.attributes)})."
        + (f" Did you mean acute={hint!r}?" if hint else "")
        + " Name a yes/no column (true/1/ja/akut mean acute), or pass acute=None to count every admission.")


def _acuity(log, acute) -> dict:
    """The ``acute`` column used and the sentence ``df.attrs["acuity"]`` gives."""
    column = acute_column(log, acute)
    if column:
        said = f"acute admissions only (attribute {column!r})"
    elif acute is None:
        said = "every admission counts (acute=None)"
    else:
        said = (f"unknown: the log has no attribute named {' or '.join(ACUTE_COLUMNS)}, so every admission counts "
                "(pass acute='<column>' to count acute admissions only)")
    return {"column": column, "said": said}


def _old_acute_only(function):
    """Accept ``acute_only=`` (before ``acute=None``/``"auto"``) for one release, with a DeprecationWarning."""
    @functools.wraps(function)
    def call(log, **kwargs):
        if "acute_only" in kwargs:
            only = kwargs.pop("acute_only")
            warnings.warn(f"{function.__name__}(acute_only=...) is replaced by acute=: acute_only=False is "
                          "acute=None, acute_only=True is acute='<column>' (default 'auto': the column named "
                          "acute or akut). The old name is accepted until the next release.", DeprecationWarning,
                          stacklevel=outside_stacklevel())
            kwargs["acute"] = kwargs.get("acute", "acute") if only else None
        return function(log, **kwargs)

    call.renamed = {"acute_only": "acute"}
    return call


def _require_types(log, counts: dict, needed: dict, purpose: str) -> None:
    missing = [etype for etype, n in needed.items() if not counts.get(n)]
    if missing:
        raise OptionError(
            f"{purpose} needs events of type {', '.join(repr(m) for m in missing)}, and this log has none. "
            "Check log.activities: map your activity names, e.g. "
            "Vocabulary.default().extend({'Indlagt afsnit X': 'admission', 'Udskrevet': 'discharge'}), "
            "when building the log.")


def _empty(extra=()) -> pd.DataFrame:
    dtypes = {"case_id": TEXT, "discharged_at": "datetime64[us, UTC]", "unit": TEXT,
              "domain": TEXT, "sector": TEXT, "readmitted": "bool",
              "readmitted_at": "datetime64[us, UTC]", "readmission_unit": TEXT,
              "readmission_domain": TEXT, "days_to_readmission": "float64", "within_72h": "bool",
              "within_3_days": "bool"}
    df = pd.DataFrame({c: pd.Series([], dtype=dtypes[c]) for c in _COLUMNS})
    for c in extra:
        df[c] = pd.Series([], dtype=TEXT)
    return df


def readmission_expr(log, *, within, acute_col, extra=None):
    """Ibis expression (not run): one row per discharge, with ``readmitted``, ``readmitted_at``, the readmission's
    unit and domain, ``days_to_readmission``, ``within_72h`` and ``within_3_days`` (local calendar days), the
    ``extra`` columns (output name -> canonical column of the discharge) and ``_row``. Counted in the engine by
    :func:`readmission_rates` and the readmission indicators; fetched row by row only by :func:`readmissions`."""
    from ..engine import local_time

    extra = extra or {}
    span = duration(within, argument="within")
    t = log.table
    is_d = t.event_type == "discharge"
    is_a = t.event_type == "admission"
    m = t.filter(is_d | is_a).mutate(_a=is_a)
    m = m.mutate(_acute=acute_flag(m[acute_col]) if acute_col else ibis.literal(True))
    order = ibis.window(group_by=S.CASE, order_by=[S.TIMESTAMP, S.ROW], preceding=None, following=0)
    # admissions up to and including this event: the first admission after a
    # discharge with k admissions before it is the admission numbered k + 1
    m = m.mutate(_k=m._a.ifelse(1, 0).sum().over(order))
    d = m.filter(~m._a)
    a = m.filter(m._a).select(_c=m.case_id, _ka=m._k, _a_at=m.timestamp, _a_unit=m.unit, _a_domain=m.domain,
                              _a_acute=m._acute)
    j = d.left_join(a, [d.case_id == a._c, (d._k + 1) == a._ka])
    gap = days_between(j.timestamp, j._a_at)
    readm = (j._a_at.notnull() & j._a_acute & (gap <= span.total_seconds() / 86_400)).fill_null(False)
    # local calendar days from the discharge's date to the admission's: whole days between their local midnights
    dates = days_between(local_time(j.timestamp, log.tz).truncate("D"), local_time(j._a_at, log.tz).truncate("D"))
    return j.select(S.CASE, discharged_at=j.timestamp, unit=j.unit, domain=j.domain, sector=j.sector,
                    readmitted=readm, readmitted_at=readm.ifelse(j._a_at, ibis.null(j._a_at.type())),
                    readmission_unit=readm.ifelse(j._a_unit, ibis.null("string")),
                    readmission_domain=readm.ifelse(j._a_domain, ibis.null("string")),
                    days_to_readmission=readm.ifelse(gap, ibis.null("float64")),
                    within_72h=readm & (gap <= 3.0), within_3_days=(readm & (dates <= 3.5)).fill_null(False),
                    **{k: j[v] for k, v in extra.items()}, _row=j.row)


def check_readmission_types(log) -> None:
    """OptionError when the log has no discharge or no admission (asked only when no readmission was found)."""
    t = log.table
    counts = t.aggregate(n_d=(t.event_type == "discharge").ifelse(1, 0).sum(),
                         n_a=(t.event_type == "admission").ifelse(1, 0).sum()).to_pyarrow().to_pylist()[0]
    _require_types(log, counts, {"discharge": "n_d", "admission": "n_a"}, "readmissions")


def _readmissions(log, *, within, acute_col) -> pd.DataFrame:
    res = readmission_expr(log, within=within, acute_col=acute_col)
    df = res.order_by([S.CASE, "discharged_at", "_row"]).drop("_row").to_pyarrow().to_pandas()
    if not len(df) and len(log) == 0:
        return _empty()
    if not len(df) or not df["readmitted"].any():  # rare path: say which event type is missing
        check_readmission_types(log)
    df = local_times(df, log.tz, ["discharged_at", "readmitted_at"])
    for c in ("readmitted", "within_72h", "within_3_days"):
        df[c] = df[c].fillna(False).astype(bool)
    return df[_COLUMNS]


@_old_acute_only
def readmissions(log: EventLog, *, within=READMISSION_WITHIN, acute: str | None = "auto") -> pd.DataFrame:
    """One row per discharge: was the patient readmitted within ``within``?

    Parameters
    ----------
    log : EventLog
    within : str or timedelta, default "30D"
        Longest time from discharge to admission that counts (inclusive, exact
        elapsed time).
    acute : str or None, default "auto"
        The attribute saying whether an admission is acute: then only acute
        readmissions count (the first admission after the discharge must be
        acute). ``"auto"``: the attribute named ``acute`` or ``akut``, if the log
        has one, else every admission counts; ``None``: every admission counts.

    Returns
    -------
    pandas.DataFrame
        ``case_id, discharged_at, unit, domain, sector`` (of the discharge),
        ``readmitted, readmitted_at, readmission_unit, readmission_domain,
        days_to_readmission`` (empty unless readmitted), ``within_72h`` and
        ``within_3_days`` (local calendar days). Times are local.
        ``df.attrs["acuity"]`` says which admissions counted.

    Examples
    --------
    >>> import pandas as pd, pathways as pw
    >>> df = pd.DataFrame({"pt": ["A"] * 4 + ["B"] * 2,
    ...     "act": ["Indlæggelse", "Udskrivning", "Indlæggelse", "Udskrivning"] * 1
    ...            + ["Indlæggelse", "Udskrivning"],
    ...     "ts": ["2024-01-01 10:00", "2024-01-05 12:00", "2024-02-04 12:00", "2024-02-10 09:00",
    ...            "2024-01-01 08:00", "2024-01-03 08:00"],
    ...     "acute": ["ja", None, "ja", None, "nej", None]})
    >>> log = pw.from_pandas(df, case="pt", activity="act", timestamp="ts")
    >>> pw.readmissions(log)[["case_id", "readmitted", "days_to_readmission"]]
      case_id  readmitted  days_to_readmission
    0       A        True                 30.0
    1       A       False                  NaN
    2       B       False                  NaN
    """
    acuity = _acuity(log, acute)
    df = _readmissions(log, within=within, acute_col=acuity["column"])
    df.attrs["acuity"] = acuity["said"]
    return with_parameters(df, within=within, acute=acuity["column"])


@_old_acute_only
def readmission_rates(log: EventLog, *, by="unit", within=READMISSION_WITHIN,
                      acute: str | None = "auto") -> pd.DataFrame:
    """Readmission rates per group of discharges.

    Parameters
    ----------
    log : EventLog
    by : str or list of str, default "unit"
        Property of the discharge event: ``unit``, ``domain``, ``sector``, an
        attribute, or ``age_band`` (0-17, 18-64, 65-79, 80+ from an ``age``/``alder``
        attribute on the discharge event; ``unknown`` when missing). ``None`` (or
        ``[]``): one row over every discharge.
    within, acute
        As in :func:`readmissions`.

    Returns
    -------
    pandas.DataFrame
        One row per group: ``n_discharges, n_readmitted, rate, n_within_72h,
        n_within_3_days``, sorted by the group; ``df.attrs["acuity"]`` as in
        :func:`readmissions`.

    Examples
    --------
    >>> import pandas as pd, pathways as pw
    >>> df = pd.DataFrame({"pt": ["A", "A", "A", "B", "B"],
    ...     "act": ["Indlæggelse", "Udskrivning", "Indlæggelse", "Indlæggelse", "Udskrivning"],
    ...     "ts": ["2024-01-01", "2024-01-05", "2024-01-07", "2024-01-01", "2024-01-02"],
    ...     "afsnit": ["Medicinsk afdeling"] * 3 + ["Psykiatrisk sengeafsnit"] * 2})
    >>> log = pw.from_pandas(df, case="pt", activity="act", timestamp="ts", unit="afsnit")
    >>> pw.readmission_rates(log, by="domain")
            domain  n_discharges  n_readmitted  rate  n_within_72h  n_within_3_days
    0  psychiatric             1             0   0.0             0                0
    1      somatic             1             1   1.0             1                1
    """
    names, fetch = group_columns(log, by, purpose="readmission_rates")
    acuity = _acuity(log, acute)
    # counted in the engine per fetched group value (an age, a unit), then per group here: no row per discharge
    res = readmission_expr(log, within=within, acute_col=acuity["column"], extra=fetch)
    counted = {"n_discharges": res.count(), **{f"n_{c}": res[c].ifelse(1, 0).sum()
                                               for c in ("readmitted", "within_72h", "within_3_days")}}
    counts = (res.group_by(list(fetch)).aggregate(**counted) if fetch else res.aggregate(**counted)).to_pyarrow()
    df = counts.to_pandas().fillna({c: 0 for c in counted})
    if len(log) and not int(df["n_readmitted"].sum()):  # rare path: say which event type is missing
        check_readmission_types(log)
    df = finish_groups(df[df["n_discharges"] > 0].reset_index(drop=True), names)
    keys = names or [pd.Series(0, index=df.index)]  # by=None: one row over every discharge
    out = df.groupby(keys, dropna=False, sort=True)[list(counted)].sum().reset_index(drop=not names)
    out["rate"] = out["n_readmitted"] / out["n_discharges"]
    out = out[[*names, "n_discharges", "n_readmitted", "rate", "n_within_72h", "n_within_3_days"]]
    for c in ("n_discharges", "n_readmitted", "n_within_72h", "n_within_3_days"):
        out[c] = out[c].astype("int64")
    out.attrs["acuity"] = acuity["said"]
    return with_parameters(out, by=by, within=within, acute=acuity["column"])


@_old_acute_only
def revolving_door(log: EventLog, *, n: int = REVOLVING_N, within=REVOLVING_WITHIN,
                   acute: str | None = None) -> pd.DataFrame:
    """Revolving-door patients: at least ``n`` admissions within some window of length ``within``.

    The convention (≥ 3 admissions within 365 days) is outside knowledge [X] and
    configurable. A window starts at an admission and includes admissions at most
    ``within`` later (exact elapsed time, inclusive).

    Parameters
    ----------
    log : EventLog
    n : int, default 3
    within : str or timedelta, default "365D"
    acute : str or None, default None
        Count acute admissions only, by this attribute (``"auto"``: the one named
        ``acute`` or ``akut``, as in :func:`readmissions`); ``None``: every admission.

    Returns
    -------
    pandas.DataFrame
        One row per such case: ``case_id, n_admissions`` (all counted admissions),
        ``n_admissions_max_in_window``, ``first_admission_at``, ``last_admission_at``
        (local), sorted by ``n_admissions_max_in_window`` descending, then case.

    Examples
    --------
    >>> import pandas as pd, pathways as pw
    >>> df = pd.DataFrame({"pt": ["A"] * 3 + ["B"] * 3, "act": ["Indlæggelse"] * 6,
    ...     "ts": ["2023-01-01", "2023-06-01", "2024-01-01", "2023-01-01", "2023-06-01", "2024-01-02"]})
    >>> log = pw.from_pandas(df, case="pt", activity="act", timestamp="ts")
    >>> pw.revolving_door(log)[["case_id", "n_admissions", "n_admissions_max_in_window"]]
      case_id  n_admissions  n_admissions_max_in_window
    0       A             3                           3
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise OptionError(f"n={n!r} must be a whole number of admissions, 1 or more (e.g. 3).")
    span = duration(within, argument="within")
    acuity = _acuity(log, acute)
    acute_col = acuity["column"]
    t = log.table
    a = t.filter(t.event_type == "admission")
    if acute_col:
        a = a.filter(acute_flag(a[acute_col]))
    # exact elapsed time on every engine: whole microseconds (epoch seconds are a float on DuckDB
    # and truncated to whole seconds on Spark)
    w = ibis.window(group_by=S.CASE, order_by=epoch_us(a.timestamp), range=(0, span // pd.Timedelta(1, "us")))
    a = a.mutate(_in_window=a.count().over(w))
    per = a.group_by(S.CASE).aggregate(n_admissions=a.count(), n_admissions_max_in_window=a._in_window.max(),
                                       first_admission_at=a.timestamp.min(), last_admission_at=a.timestamp.max())
    per = per.filter(per.n_admissions_max_in_window >= int(n))
    df = per.order_by([ibis.desc("n_admissions_max_in_window"), S.CASE]).to_pyarrow().to_pandas()
    if not len(df) and len(log) and not t.filter(t.event_type == "admission").count().to_pyarrow().as_py():
        _require_types(log, {"n_a": 0}, {"admission": "n_a"}, "revolving_door")
    for c in ("n_admissions", "n_admissions_max_in_window"):
        df[c] = df[c].astype("int64")
    df = local_times(df, log.tz, ["first_admission_at", "last_admission_at"])
    df.attrs["acuity"] = acuity["said"]
    return with_parameters(df, n=int(n), within=within, acute=acute_col)


__all__ = ["readmissions", "readmission_rates", "revolving_door", "acute_flag", "acute_column", "ACUTE_VALUES"]
