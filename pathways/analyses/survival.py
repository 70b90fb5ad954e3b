"""Kaplan–Meier estimates of time-to-end for censored waits, in numpy.

Waits still open at ``as_of`` are right-censored: dropping them would make
waits look shorter than they are, counting them as ended would too. The
Kaplan–Meier estimator uses them for as long as they were observed. These
functions run on the per-start table (one row per wait, small), never on events.

Conventions (the same as ``lifelines.KaplanMeierFitter`` and R's ``survfit`` with
``conf.type="log-log"``):

* at a time with both ended and censored waits, the censored ones are still at
  risk (censoring happens just after the events at that time);
* the variance is Greenwood's, the pointwise 95 % interval is on the log(-log S)
  scale;
* the median is the first time the survival curve is at or below 0.5; its
  confidence interval (Brookmeyer–Crowley) is the pair of first times the upper
  and the lower pointwise bands are at or below 0.5. A median or bound the
  curve never reaches is ``inf`` ("not reached").
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

_Z95 = 1.959963984540054  # standard normal quantile 0.975


def km_table(durations, observed) -> pd.DataFrame:
    """The Kaplan–Meier survival curve of right-censored durations.

    Parameters
    ----------
    durations : array-like of float
        Time from start to end, or to censoring (non-negative; NaN rows are ignored).
    observed : array-like of bool
        True where the end was observed, False where the duration is censored.

    Returns
    -------
    pandas.DataFrame
        One row per distinct duration: ``time``, ``n_at_risk``, ``n_ended``,
        ``n_censored``, ``survival`` (share not yet ended just after ``time``),
        ``ci_low``, ``ci_high`` (pointwise 95 %, log-log).

    Examples
    --------
    >>> km_table([1, 2, 2, 3], [True, True, False, True])[["time", "n_at_risk", "survival"]]
       time  n_at_risk  survival
    0   1.0          4      0.75
    1   2.0          3      0.50
    2   3.0          1      0.00
    """
    e = np.asarray(observed, dtype=bool)
    return km_counts(durations, e.astype("int64"), np.ones(len(e), "int64"))


def km_counts(times, n_ended, n_total) -> pd.DataFrame:
    """:func:`km_table` of durations given as counts: ``n_total`` durations of ``times[i]``, ``n_ended`` of
    them observed (a time may repeat; NaN times are ignored). The same curve as ``km_table`` of the durations
    written out one by one, so a risk table counted in the engine gives the same numbers.

    Examples
    --------
    >>> km_counts([2, 1, 3], [1, 1, 1], [2, 1, 1])[["time", "n_at_risk", "n_censored", "survival"]]
       time  n_at_risk  n_censored  survival
    0   1.0          4           0      0.75
    1   2.0          3           1      0.50
    2   3.0          1           0      0.00
    """
    d = np.asarray(times, dtype=float)
    ended = np.asarray(n_ended, dtype="int64")
    total = np.asarray(n_total, dtype="int64")
    keep = ~np.isnan(d)
    d, ended, total = d[keep], ended[keep], total[keep]
    if not total.sum():
        return pd.DataFrame({"time": np.array([], float), "n_at_risk": np.array([], "int64"),
                             "n_ended": np.array([], "int64"), "n_censored": np.array([], "int64"),
                             "survival": np.array([], float), "ci_low": np.array([], float),
                             "ci_high": np.array([], float)})
    times, inverse = np.unique(d, return_inverse=True)
    n_ended = np.bincount(inverse, weights=ended, minlength=len(times)).astype("int64")
    n_total = np.bincount(inverse, weights=total, minlength=len(times)).astype("int64")
    n_censored = n_total - n_ended
    # at risk at time t: every duration >= t
    n_at_risk = int(total.sum()) - np.concatenate([[0], np.cumsum(n_total)[:-1]])
    with np.errstate(divide="ignore", invalid="ignore"):
        survival = np.cumprod(1.0 - n_ended / n_at_risk)
        greenwood = np.cumsum(np.where(n_at_risk > n_ended, n_ended / (n_at_risk * (n_at_risk - n_ended)),
                                       np.inf))
        log_s = np.log(survival)
        log_neg_log = np.log(-log_s)
        half = _Z95 * np.sqrt(greenwood) / log_s  # negative: log_s < 0
        ci_high = np.exp(-np.exp(log_neg_log + half))
        ci_low = np.exp(-np.exp(log_neg_log - half))
    # S = 1 (nothing ended yet): the band is the point itself; S = 0: the band is [0, 0]
    ci_high = np.where(survival >= 1.0, 1.0, np.where(survival <= 0.0, 0.0, ci_high))
    ci_low = np.where(survival >= 1.0, 1.0, np.where(survival <= 0.0, 0.0, ci_low))
    return pd.DataFrame({"time": times, "n_at_risk": n_at_risk, "n_ended": n_ended, "n_censored": n_censored,
                         "survival": survival, "ci_low": ci_low, "ci_high": ci_high})


def _first_at_or_below(times: np.ndarray, curve: np.ndarray, q: float) -> float:
    hit = np.nonzero(curve <= q + 1e-12)[0]
    return float(times[hit[0]]) if len(hit) else math.inf


def km_median(durations, observed) -> dict:
    """Kaplan–Meier median time-to-end with its 95 % Brookmeyer–Crowley interval.

    Returns a dict ``{"km_median_days", "km_median_ci_low", "km_median_ci_high"}``:
    NaN for no durations, ``inf`` for a median or bound the curve never reaches.

    Examples
    --------
    >>> km_median([1, 2, 2, 3], [True, True, False, True])
    {'km_median_days': 2.0, 'km_median_ci_low': 1.0, 'km_median_ci_high': 3.0}
    """
    return median_of(km_table(durations, observed))


def median_of(table: pd.DataFrame) -> dict:
    """:func:`km_median` of a curve already computed by :func:`km_table` (one curve, several estimates)."""
    if not len(table):
        return {"km_median_days": math.nan, "km_median_ci_low": math.nan, "km_median_ci_high": math.nan}
    t = table["time"].to_numpy()
    return {"km_median_days": _first_at_or_below(t, table["survival"].to_numpy(), 0.5),
            "km_median_ci_low": _first_at_or_below(t, table["ci_low"].to_numpy(), 0.5),
            "km_median_ci_high": _first_at_or_below(t, table["ci_high"].to_numpy(), 0.5)}


def km_share_over(durations, observed, at: float) -> dict:
    """The Kaplan–Meier share still waiting just after ``at`` (longer than ``at``), with its 95 % interval.

    The curve's value at ``at`` (a step function: the last distinct duration at or
    before ``at``) and its pointwise log-log interval with Greenwood's variance (see
    :func:`km_table`). Returns ``{"km_share_over_threshold", "km_share_ci_low",
    "km_share_ci_high"}``: NaN for no durations; 1 with the interval [1, 1] before the
    first end. A wait of exactly ``at`` that ended is not over it.

    Examples
    --------
    >>> r = km_share_over([1, 2, 2, 3], [True, True, False, True], 2.5)
    >>> r["km_share_over_threshold"], round(r["km_share_ci_low"], 4), round(r["km_share_ci_high"], 4)
    (0.5, 0.0578, 0.8449)
    """
    return share_over_of(km_table(durations, observed), at)


def share_over_of(table: pd.DataFrame, at: float) -> dict:
    """:func:`km_share_over` of a curve already computed by :func:`km_table`."""
    if not len(table):
        return {"km_share_over_threshold": math.nan, "km_share_ci_low": math.nan, "km_share_ci_high": math.nan}
    idx = int(np.searchsorted(table["time"].to_numpy(), at, side="right")) - 1
    if idx < 0:
        return {"km_share_over_threshold": 1.0, "km_share_ci_low": 1.0, "km_share_ci_high": 1.0}
    row = table.iloc[idx]
    return {"km_share_over_threshold": float(row["survival"]), "km_share_ci_low": float(row["ci_low"]),
            "km_share_ci_high": float(row["ci_high"])}


def wait_curve(waits: pd.DataFrame, *, by=None, min_at_risk: int = 5) -> pd.DataFrame:
    """The Kaplan–Meier curve of waits: the share still waiting after each number of days.

    Open waits (censored at ``as_of``) count for as long as they were observed, as in
    :func:`pathways.wait_summary`, whose ``km_median_days`` is where this curve first
    reaches 0.5.

    Parameters
    ----------
    waits : pandas.DataFrame
        The result of :func:`pathways.waiting_times` (columns ``wait_days`` and ``censored``).
    by : str or list of str, optional
        Columns of ``waits`` (``"start_unit"``, an attribute) to draw one curve per group.
    min_at_risk : int, default 5
        The curve stops before the first time with fewer waits at risk than this: its tail
        would describe fewer than five patients (small-cell suppression) and has no
        precision anyway. ``min_at_risk=1`` keeps the whole curve.

    Returns
    -------
    pandas.DataFrame
        The ``by`` columns, then one row per distinct wait: ``time`` (days), ``n_at_risk``,
        ``n_ended``, ``n_censored``, ``survival`` (share still waiting just after ``time``),
        ``ci_low`` and ``ci_high`` (pointwise 95 %, log-log; Greenwood's variance). Add the
        point (0, 1) to draw it as a step function from the start.

    Raises
    ------
    OptionError
        ``waits`` lacks ``wait_days`` or ``censored``, or a ``by`` column is unknown.

    Examples
    --------
    >>> import pandas as pd, pathways as pw
    >>> waits = pd.DataFrame({"wait_days": [1.0, 2.0, 2.0, 3.0, 5.0, 8.0],
    ...                       "censored": [False, False, True, False, True, False]})
    >>> pw.wait_curve(waits, min_at_risk=2)[["time", "n_at_risk", "n_ended", "survival"]]
       time  n_at_risk  n_ended  survival
    0   1.0          6        1  0.833333
    1   2.0          5        1  0.666667
    2   3.0          3        1  0.444444
    3   5.0          2        0  0.444444
    """
    from ..errors import OptionError, closest
    from .common import by_list

    if not isinstance(waits, pd.DataFrame):
        raise OptionError(f"waits must be the table of pw.waiting_times(...), not {type(waits).__name__}.")
    if isinstance(min_at_risk, bool) or not isinstance(min_at_risk, int) or min_at_risk < 1:
        raise OptionError(f"min_at_risk={min_at_risk!r} is not allowed; give a whole number of waits (1 or more), "
                          "e.g. 5, the smallest count shown.")
    groups = by_list(by)
    for column in ["wait_days", "censored", *groups]:
        if column not in waits.columns:
            hint = closest(column, waits.columns)
            did = f" (did you mean {hint!r}?)" if hint else ""
            raise OptionError(f"waits has no column {column!r}{did}. Pass the table of pw.waiting_times(...).")
    if not groups:
        parts = [km_table(waits["wait_days"], ~waits["censored"].astype(bool))]
    else:  # one small numpy computation per group of the results, never per event
        parts = [km_table(g["wait_days"], ~g["censored"].astype(bool)).assign(**dict(zip(groups, key)))
                 for key, g in waits.groupby(groups, sort=True, dropna=False)]
    empty = km_table([], [])
    curve = pd.concat(parts, ignore_index=True) if parts else empty.assign(**{g: [] for g in groups})
    curve = curve[groups + list(empty.columns)]
    return curve[curve["n_at_risk"] >= min_at_risk].reset_index(drop=True)


__all__ = ["km_table", "km_counts", "km_median", "km_share_over", "median_of", "share_over_of", "wait_curve"]
