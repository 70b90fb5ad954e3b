"""Long waits: time from a start milestone to the next end milestone, censored at ``as_of``.

DOMAIN.md section 4: each start pairs with the first end after it (in the case's
order of time, then input row) and before the next start. This module defines
what happens to every start:

* ``ended``: an end milestone came after it, before the next start and not after
  ``as_of``; ``wait_days`` is end - start.
* ``waiting``: no end and no new start by ``as_of``; the wait is censored at
  ``as_of`` and ``wait_days`` is as_of - start (still waiting).
* ``superseded``: a new start came first (e.g. a re-referral before the first
  referral was assessed); the wait is censored at the new start, and
  ``wait_days`` is new start - start. The new start begins its own wait.

``censored`` is true for ``waiting`` and ``superseded``. The summaries
(:func:`wait_summary`, :func:`guarantees`) estimate the median and the share over
the threshold by Kaplan–Meier only, with both kinds censored, and give each with
its 95 % interval; figures of the ended waits alone are extra columns named so
(``median_ended_days``), never the headline. Starts after ``as_of``
are left out (the extract may run past the date you evaluate at) and counted in
``df.attrs["n_starts_after_as_of"]``; ends after ``as_of`` are ignored, so such
waits are censored at ``as_of``. Every duration is exact elapsed time (UTC
instants), so daylight-saving changes neither add nor remove an hour.

A milestone is an event type (a key of :data:`pathways.schema.EVENT_TYPES`, or
one the log's vocabulary adds) or an activity name (exact, as in
``log.activities``), or a list of them (any of them). When a name is both an
event type and an activity, the event type wins; write ``"activity:<name>"``
(or ``"event_type:<name>"``) to say which. ``"*"`` is any event, useful with
``end_unit=`` ("the first contact of any kind in district psychiatry").
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING, Sequence

import ibis
import numpy as np
import pandas as pd

from .. import schema as S
from ..errors import OptionError, closest
from .common import TEXT, by_list, days_between, duration, fetch, local_times, timestamp, with_parameters
from .survival import km_counts, median_of, share_over_of

if TYPE_CHECKING:
    from ..eventlog import EventLog

ANY = "*"
AGE_BANDS = ("0-17", "18-64", "65-79", "80+")
OUTCOMES = ("ended", "waiting", "superseded")

_WAIT_COLUMNS = ["case_id", "start_activity", "start_unit", "start_at", "end_activity", "end_unit", "end_at",
                 "wait_days", "outcome", "censored", "over_threshold"]
_SUMMARY_COLUMNS = ["n", "n_ended", "n_waiting", "n_superseded", "n_censored", "n_over_threshold",
                    "km_median_days", "km_median_ci_low", "km_median_ci_high",
                    "km_share_over_threshold", "km_share_ci_low", "km_share_ci_high",
                    "median_ended_days", "p75_ended_days", "p90_ended_days", "max_ended_days",
                    "share_ended_over_threshold", "max_censored_days"]
_COUNT_COLUMNS = ("n", "n_ended", "n_waiting", "n_superseded", "n_censored")
#: What each estimate of :func:`wait_summary` and :func:`guarantees` is (``df.attrs["estimators"]``).
ESTIMATORS = {
    "km_median_days": "Kaplan-Meier median of the time from start to end; waits still open at as_of and waits "
                      "superseded by a new start are censored (at as_of, at the new start). inf: not reached.",
    "km_median_ci_low/km_median_ci_high": "95 % interval of the Kaplan-Meier median by Brookmeyer-Crowley: the "
                                          "first times the pointwise log-log band (Greenwood's variance) reaches 0.5.",
    "km_share_over_threshold": "Kaplan-Meier share still waiting just after the threshold, i.e. the estimated "
                               "share of waits longer than the threshold (censored as for the median).",
    "km_share_ci_low/km_share_ci_high": "95 % pointwise interval of that share: log-log transform, Greenwood's "
                                        "variance.",
    "median_ended_days, p75_ended_days, p90_ended_days, max_ended_days, share_ended_over_threshold":
        "naive figures of the ended waits only (linear-interpolation quantiles): they leave out every open and "
        "superseded wait, so they understate long waits.",
}


class _Absent(OptionError):
    """A milestone matches no event of a non-empty log (``guarantees`` reports it instead)."""


# --- milestones ---------------------------------------------------------------------------
def event_types(log) -> set[str]:
    """The event types a milestone name may be: the built-in ones and those of the log's vocabulary."""
    types = set(S.EVENT_TYPES) | {S.UNKNOWN_EVENT_TYPE}
    try:
        types |= set(log.vocabulary.mappings["event_type"].astype(str))
    except Exception:  # a vocabulary without mappings: the built-in types suffice
        pass
    return types


def _names(value, argument: str) -> list[str]:
    if isinstance(value, str) and value.strip():
        return [value.strip()]
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, str) and v.strip() for v in value):
        return [v.strip() for v in value]
    raise OptionError(f"{argument}={value!r} is not a milestone; name an activity or event type "
                      f"(e.g. 'referral_received' or 'Henvisning modtaget'), a list of them, or '*'.")


def milestone(t, names: list[str], types: set[str]):
    """Ibis boolean: the event is one of ``names`` (see the module docstring)."""
    if ANY in names:
        return ibis.literal(True)
    acts = [n.split(":", 1)[1].strip() for n in names if n.startswith("activity:")]
    kinds = [n.split(":", 1)[1].strip() for n in names if n.startswith("event_type:")]
    for n in names:
        if not n.startswith(("activity:", "event_type:")):
            (kinds if n in types else acts).append(n)
    pred = ibis.literal(False)
    if kinds:
        pred = pred | t.event_type.isin(kinds)
    if acts:
        pred = pred | t.activity.isin(acts)
    return pred


def _place(t, pred, log, *, unit, domain, argument: str):
    """Restrict ``pred`` to events in units matching ``unit`` (regex) and/or in ``domain``."""
    if unit is None and domain is None:
        return pred
    log.require("unit", purpose=f"{argument}_unit/{argument}_domain")
    if domain is not None:
        domains = [domain] if isinstance(domain, str) else list(domain) if isinstance(domain, (list, tuple)) \
            else [domain]  # any other value is refused below as not a domain
        for d in domains:
            if d not in S.DOMAINS:
                hint = closest(str(d), S.DOMAINS)
                raise OptionError(f"{argument}_domain={d!r} is not a domain; choose from "
                                  f"{', '.join(S.DOMAINS)}." + (f" Did you mean {hint!r}?" if hint else ""))
        pred = pred & t.domain.isin(domains).fill_null(False)
    if unit is not None:
        try:
            re.compile(unit)
        except (re.error, TypeError):
            raise OptionError(f"{argument}_unit={unit!r} is not a regular expression; give a pattern such as "
                              "'distriktspsykiatri|\\bDP\\b' (matched case-insensitively in the unit name).") \
                from None
        pred = pred & t.unit.re_search("(?i)" + unit).fill_null(False)
    return pred


def _absent_message(log, argument: str, names: list[str], types: set[str], placed: bool) -> str:
    acts = log.table.select("activity").distinct().to_pyarrow().column(0).to_pylist()
    present = set(log.table.select("event_type").distinct().to_pyarrow().column(0).to_pylist())
    shown = names[0] if len(names) == 1 else names
    parts = [f"{argument}={shown!r} matches no event"
             + (" in the units/domain asked for" if placed else "") + " of this log."]
    for n in names:
        bare = n.split(":", 1)[1].strip() if n.startswith(("activity:", "event_type:")) else n
        if n in types and not n.startswith("activity:"):
            parts.append(f"{n!r} is an event type no activity of this log maps to; map your activity names "
                         "with Vocabulary.default().extend({'<activity>': " + repr(n) + "}) when building the log.")
        else:
            hint = closest(bare, acts) or closest(bare, sorted(present))
            if hint:
                parts.append(f"Did you mean {hint!r}?")
    parts.append(f"Event types in the log: {', '.join(sorted(present))}.")
    return " ".join(parts)


# --- the per-start table --------------------------------------------------------------------
def _empty_waits(extra: Sequence[str] = ()) -> pd.DataFrame:
    dtypes = {"case_id": TEXT, "start_activity": TEXT, "start_unit": TEXT,
              "start_at": "datetime64[us, UTC]", "end_activity": TEXT, "end_unit": TEXT,
              "end_at": "datetime64[us, UTC]", "wait_days": "float64", "outcome": TEXT,
              "censored": "bool", "over_threshold": "boolean"}
    df = pd.DataFrame({c: pd.Series([], dtype=dtypes[c]) for c in _WAIT_COLUMNS})
    for c in extra:
        df[c] = pd.Series([], dtype=TEXT)
    return df


def _wait_expr(log, *, start, end, as_of, start_unit=None, start_domain=None, end_unit=None, end_domain=None,
               extra: dict | None = None):
    """Ibis expression: one row per start (the columns of the per-start table before ``censored`` and
    ``over_threshold``, UTC times, ``_late`` for starts after ``as_of``, ``_row``), and what the checks of an
    empty answer need: ``(expression, start names, end names, event types, is-end predicate)``."""
    extra = extra or {}
    starts_n, ends_n = _names(start, "start"), _names(end, "end")
    types = event_types(log)
    t = log.table
    is_s = _place(t, milestone(t, starts_n, types), log, unit=start_unit, domain=start_domain, argument="start")
    is_e = _place(t, milestone(t, ends_n, types), log, unit=end_unit, domain=end_domain, argument="end")
    cutoff = None if as_of is None else timestamp(as_of, log.tz, argument="as_of")
    # The first end after a start and before the next start is the start's next
    # milestone event when that event is an end (an event both start and end ends
    # the wait before it and begins its own); when it is a start only, the wait is
    # superseded. So one ordered pass with lead() pairs every start. Events after
    # as_of stay in the pass (so starts after it can be counted) but end nothing.
    w = ibis.window(group_by=S.CASE, order_by=[S.TIMESTAMP, S.ROW])
    m = t.mutate(_s=is_s, _e=is_e)
    m = m.filter(m._s | m._e)
    m = m.mutate(_n_e=m._e.lead().over(w), _n_at=m.timestamp.lead().over(w),
                 _n_act=m.activity.lead().over(w), _n_unit=m.unit.lead().over(w))
    j = m.filter(m._s)
    if cutoff is not None:
        cut = ibis.literal(cutoff.tz_convert("UTC"))
        in_time = j._n_at <= cut
        late = j.timestamp > cut
    else:
        in_time = j._n_at.notnull()
        late = ibis.literal(False)
    ended = (j._n_e & in_time).fill_null(False)
    superseded = (~ended & in_time).fill_null(False)
    until = ibis.cases((ended | superseded, j._n_at), else_=cut if cutoff is not None else ibis.null(j._n_at.type()))
    outcome = ibis.cases((ended, "ended"), (superseded, "superseded"), else_="waiting")
    res = j.select(S.CASE, start_activity=j.activity, start_unit=j.unit, start_at=j.timestamp,
                   end_activity=ended.ifelse(j._n_act, ibis.null("string")),
                   end_unit=ended.ifelse(j._n_unit, ibis.null("string")),
                   end_at=ended.ifelse(j._n_at, ibis.null(j._n_at.type())),
                   wait_days=days_between(j.timestamp, until), outcome=outcome,
                   **{k: j[v] for k, v in extra.items()}, _late=late, _row=j.row)
    return res, starts_n, ends_n, types, is_e


def _check_found(log, n_starts: int, n_ended: int, names, *, start, end, start_unit, start_domain, end_unit,
                 end_domain, explain: bool) -> None:
    """``_Absent`` when no event is a start, or none is an end (when no wait ended): the milestone matches
    nothing (with a did-you-mean when ``explain``)."""
    starts_n, ends_n, types, is_e = names
    if not n_starts:
        raise _Absent(_absent_message(log, "start", starts_n, types, start_unit is not None or
                                      start_domain is not None) if explain else
                      f"start={start!r} matches no event of this log (start_unit={start_unit!r}, "
                      f"start_domain={start_domain!r})")
    if not n_ended and not log.table.filter(is_e).count().to_pyarrow().as_py():
        raise _Absent(_absent_message(log, "end", ends_n, types, end_unit is not None or end_domain is not None)
                      if explain else f"end={end!r} matches no event of this log (end_unit={end_unit!r}, "
                                      f"end_domain={end_domain!r})")


def _waits(log, *, start, end, as_of, threshold=None, start_unit=None, start_domain=None, end_unit=None,
           end_domain=None, extra: dict | None = None, explain: bool = True) -> tuple[pd.DataFrame, int]:
    """The per-start table (UTC timestamps) and the number of starts after ``as_of``.

    ``extra`` maps output column -> canonical column of the start event to carry
    along (for grouping). ``as_of=None`` means no cut-off (open waits get NaN).
    ``explain=False`` raises ``_Absent`` with a short message (no did-you-mean queries).
    """
    extra = extra or {}
    places = dict(start_unit=start_unit, start_domain=start_domain, end_unit=end_unit, end_domain=end_domain)
    res, *names = _wait_expr(log, start=start, end=end, as_of=as_of, extra=extra, **places)
    thr = None if threshold is None else duration(threshold, argument="threshold")
    df = res.order_by([S.CASE, "start_at", "_row"]).drop("_row").to_pyarrow().to_pandas()
    if not len(df) and len(log) == 0:
        return _empty_waits(extra), 0
    _check_found(log, len(df), int((df["outcome"] == "ended").sum()), names, start=start, end=end, **places,
                 explain=explain)
    n_late = int(df["_late"].sum())
    df = df[~df["_late"].to_numpy(bool)].drop(columns="_late").reset_index(drop=True)
    df["censored"] = df["outcome"] != "ended"
    if thr is None:
        df["over_threshold"] = pd.array([pd.NA] * len(df), dtype="boolean")
    else:
        df["over_threshold"] = pd.array(df["wait_days"] > thr.total_seconds() / 86_400, dtype="boolean")
    return df[_WAIT_COLUMNS + list(extra)], n_late


_COUNTED = ("n", "n_ended", "n_waiting")


def _wait_counts(log, *, start, end, as_of, start_unit=None, start_domain=None, end_unit=None, end_domain=None,
                 extra: dict | None = None, period: str | None = None,
                 explain: bool = True) -> tuple[pd.DataFrame, int]:
    """The waits' risk table, counted in the engine, and the number of starts after ``as_of``.

    One row per group (the ``extra`` columns as in :func:`_waits`, and with ``period`` the calendar period of
    the start in local time, ``_period``) and distinct ``wait_days``: ``n`` waits, ``n_ended`` of them ended,
    ``n_waiting`` still open (the rest superseded). Everything :func:`summarise_counts` needs (the Kaplan-Meier
    curve, the counts, the figures of the ended waits), without a row per wait on the driver.
    """
    from ..engine import local_time

    extra = extra or {}
    places = dict(start_unit=start_unit, start_domain=start_domain, end_unit=end_unit, end_domain=end_domain)
    res, *names = _wait_expr(log, start=start, end=end, as_of=as_of, extra=extra, **places)
    keys = list(extra)
    if period is not None:
        res = res.mutate(_period=local_time(res.start_at, log.tz).truncate(period))
        keys.append("_period")
    counts = res.group_by([*keys, "_late"], _wait=res._late.ifelse(ibis.null("float64"), res.wait_days)).aggregate(
        n=res.count(), n_ended=(res.outcome == "ended").ifelse(1, 0).sum(),
        n_waiting=(res.outcome == "waiting").ifelse(1, 0).sum())
    df = fetch(counts).rename(columns={"_wait": "wait_days"})
    if not len(df) and len(log) == 0:
        return _empty_counts(keys), 0
    _check_found(log, int(df["n"].sum()), int(df["n_ended"].sum()), names, start=start, end=end, **places,
                 explain=explain)
    late = df["_late"].to_numpy(bool)
    n_late = int(df.loc[late, "n"].sum())
    df = df[~late].drop(columns="_late").astype({c: "int64" for c in _COUNTED})
    return df.sort_values([*keys, "wait_days"], kind="stable", ignore_index=True), n_late


def _empty_counts(keys) -> pd.DataFrame:
    return pd.DataFrame({**{k: pd.Series([], dtype=TEXT) for k in keys}, "wait_days": pd.Series([], dtype=float),
                         **{c: pd.Series([], dtype="int64") for c in _COUNTED}})


def waiting_times(log: EventLog, *, start, end, threshold=None, as_of, start_unit=None, start_domain=None,
                  end_unit=None, end_domain=None) -> pd.DataFrame:
    """One row per start milestone: how long until the next end milestone, censored at ``as_of``.

    Parameters
    ----------
    log : EventLog
    start, end : str or list of str
        Milestones: event types (``"referral_received"``), activity names
        (``"Henvisning modtaget"``), a list of them, or ``"*"`` (any event). An event
        type wins over an activity of the same name; prefix ``"activity:"`` to force
        the activity.
    threshold : str or timedelta, optional
        The guarantee, e.g. ``"30D"``; a wait is over it when strictly longer
        (exactly 30 days meets a 30-day guarantee).
    as_of : str or datetime
        The extract date, required: starts without an end by then are censored.
        A date means its midnight, local time. Starts after it are left out and
        counted in ``df.attrs["n_starts_after_as_of"]``.
    start_unit, end_unit : str, optional
        Regular expression matched case-insensitively in the unit name of the
        start / end event (``"børne|b&u"``); needs the unit column.
    start_domain, end_domain : str or list of str, optional
        Domain(s) of the start / end event's unit (``"psychiatric"``).

    Returns
    -------
    pandas.DataFrame
        ``case_id, start_activity, start_unit, start_at, end_activity, end_unit,
        end_at, wait_days, outcome, censored, over_threshold``: ``outcome`` is
        ``ended``, ``waiting`` (no end by ``as_of``; ``wait_days`` = as_of - start) or
        ``superseded`` (a new start came first; ``wait_days`` = new start - start);
        ``censored`` is ``outcome != "ended"``; ``over_threshold`` (nullable, NA
        without a threshold) is ``wait_days > threshold``, so an open wait already
        past the threshold is over. Times are local; ``df.attrs["parameters"]``.

    Examples
    --------
    >>> import pandas as pd, pathways as pw
    >>> df = pd.DataFrame({"pt": ["A", "A", "B"],
    ...                    "act": ["Henvisning modtaget", "Udredning start", "Henvisning modtaget"],
    ...                    "ts": ["2024-01-02 09:00", "2024-02-12 09:00", "2024-02-20 09:00"]})
    >>> log = pw.from_pandas(df, case="pt", activity="act", timestamp="ts")
    >>> w = pw.waiting_times(log, start="referral_received", end="assessment_start",
    ...                      threshold="30D", as_of="2024-03-01")
    >>> w[["case_id", "wait_days", "outcome", "over_threshold"]]
      case_id  wait_days  outcome  over_threshold
    0       A     41.000    ended            True
    1       B      9.625  waiting           False
    """
    df, n_late = _waits(log, start=start, end=end, as_of=as_of, threshold=threshold, start_unit=start_unit,
                        start_domain=start_domain, end_unit=end_unit, end_domain=end_domain)
    df = local_times(df, log.tz, ["start_at", "end_at"])
    df.attrs["n_starts_after_as_of"] = n_late
    return with_parameters(df, start=start, end=end, threshold=threshold, as_of=str(as_of),
                           start_unit=start_unit, start_domain=start_domain, end_unit=end_unit,
                           end_domain=end_domain)


# --- summaries ----------------------------------------------------------------------------------
def age_column(log) -> str:
    """The attribute holding age: ``age`` or ``alder``; OptionError when there is none."""
    for name in ("age", "alder", "Age", "Alder"):
        if name in log.attributes:
            return name
    hint = closest("age", log.attributes)
    raise OptionError("by='age_band' needs an attribute called 'age' (or 'alder') with the age in years; "
                      f"this log has attributes {list(log.attributes)}."
                      + (f" Did you mean by={hint!r}?" if hint else "")
                      + " Rename the column before building the log, or group by the attribute itself.")


def age_band(values) -> pd.Series:
    """Ages in years as the bands 0-17, 18-64, 65-79, 80+ (text; ``"unknown"`` when missing).

    Examples
    --------
    >>> age_band([4, 17, 18, 64, 65, 79, 80, None]).tolist()
    ['0-17', '0-17', '18-64', '18-64', '65-79', '65-79', '80+', 'unknown']
    """
    age = pd.to_numeric(pd.Series(values), errors="coerce")
    band = pd.cut(age, [-np.inf, 18, 65, 80, np.inf], right=False, labels=list(AGE_BANDS))
    return band.astype("object").where(band.notna(), "unknown")


def group_columns(log, by, *, purpose: str) -> tuple[list[str], dict[str, str]]:
    """Output group names and ``{hidden column: canonical column}`` to fetch for ``by``.

    ``unit``, ``domain``, ``sector``, ``activity``, ``event_type``, ``resource``,
    any attribute of the log, or ``age_band`` (from ``age``/``alder``).
    """
    names = by_list(by)
    fetch = {}
    builtin = ("unit", "domain", "sector", "activity", "event_type", "resource")
    for b in names:
        if b in ("unit", "domain", "sector"):
            log.require("unit", purpose=f"{purpose} by {b!r}")
            fetch[f"_by_{b}"] = b
        elif b == "resource":
            log.require("resource", purpose=f"{purpose} by 'resource'")
            fetch["_by_resource"] = b
        elif b in ("activity", "event_type") or b in log.attributes:
            fetch[f"_by_{b}"] = b
        elif b == "age_band":
            fetch["_by_age_band"] = age_column(log)
        else:
            allowed = [*builtin, "age_band", *log.attributes]
            hint = closest(b, allowed)
            raise OptionError(f"by={b!r} is neither a built-in grouping nor an attribute; choose from "
                              f"{', '.join(repr(a) for a in allowed)}." + (f" Did you mean {hint!r}?" if hint else ""))
    return names, fetch


def finish_groups(df: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """Rename the fetched ``_by_*`` columns to the group names (``age_band`` computed from age)."""
    for b in names:
        col = f"_by_{b}"
        df[b] = age_band(df[col]).to_numpy() if b == "age_band" else df[col].to_numpy()
        if col != b:
            df = df.drop(columns=col)
    return df


def _quantile(x: np.ndarray, q: float) -> float:
    return float(np.quantile(x, q)) if len(x) else math.nan


def _summary_row(wait_days: np.ndarray, n: np.ndarray, n_ended: np.ndarray, n_waiting: np.ndarray,
                 thr_days: float | None) -> dict:
    """One summary row from a risk table (``n`` waits of ``wait_days[i]``, ``n_ended`` ended, ``n_waiting`` open):
    the Kaplan-Meier estimates, then the naive figures of the ended waits (see ESTIMATORS)."""
    total, ended, waiting = int(n.sum()), int(n_ended.sum()), int(n_waiting.sum())
    row = {"n": total, "n_ended": ended, "n_waiting": waiting, "n_superseded": total - ended - waiting,
           "n_censored": total - ended}
    curve = km_counts(wait_days, n_ended, n)  # one curve for the median and the share
    row.update(median_of(curve))
    # the ended waits, each as often as it occurs (their quantiles as of the waits one by one)
    w_end = np.repeat(wait_days[n_ended > 0], n_ended[n_ended > 0])
    w_cen = wait_days[n > n_ended]
    if thr_days is None:
        row.update(n_over_threshold=pd.NA, km_share_over_threshold=math.nan, km_share_ci_low=math.nan,
                   km_share_ci_high=math.nan, share_ended_over_threshold=math.nan)
    else:
        over = wait_days > thr_days
        row.update(n_over_threshold=int(n[over].sum()),
                   share_ended_over_threshold=int(n_ended[over].sum()) / ended if ended else math.nan,
                   **share_over_of(curve, thr_days))
    row.update(median_ended_days=_quantile(w_end, 0.5), p75_ended_days=_quantile(w_end, 0.75),
               p90_ended_days=_quantile(w_end, 0.9), max_ended_days=float(w_end.max()) if len(w_end) else math.nan,
               max_censored_days=float(w_cen.max()) if len(w_cen) else math.nan)
    return row


def summarise_counts(counts: pd.DataFrame, threshold, by_names: Sequence[str] = ()) -> pd.DataFrame:
    """The summary columns of a risk table of waits (``wait_days``, ``n``, ``n_ended``, ``n_waiting``, as
    :func:`_wait_counts` counts it in the engine), overall or per group; rows may repeat a time.
    ``df.attrs["estimators"]`` says what each estimate is."""
    thr = None if threshold is None else duration(threshold, argument="threshold").total_seconds() / 86_400

    def row(part: pd.DataFrame) -> dict:
        return _summary_row(part["wait_days"].to_numpy(float), *(part[c].to_numpy("int64") for c in _COUNTED),
                            thr)

    if by_names:
        rows = [{**dict(zip(by_names, key if isinstance(key, tuple) else (key,))), **row(grp)}
                for key, grp in counts.groupby(list(by_names), dropna=False, sort=True)]
    else:
        rows = [row(counts)]
    out = pd.DataFrame(rows, columns=[*by_names, *_SUMMARY_COLUMNS])
    out = out.astype({c: "int64" for c in _COUNT_COLUMNS})
    out["n_over_threshold"] = out["n_over_threshold"].astype("Int64")
    out.attrs["estimators"] = dict(ESTIMATORS)
    return out


def summarise_waits(df: pd.DataFrame, threshold, by_names: Sequence[str] = ()) -> pd.DataFrame:
    """The summary columns of a per-start table, overall or per group (pandas, small).

    ``df`` has the columns ``wait_days`` and ``outcome`` of :func:`waiting_times`
    (and the ``by_names``). ``df.attrs["estimators"]`` says what each estimate is.
    """
    outcome = df["outcome"].to_numpy(object)
    counts = pd.DataFrame({**{b: df[b].to_numpy() for b in by_names}, "wait_days": df["wait_days"].to_numpy(float),
                           "n": np.ones(len(df), "int64"), "n_ended": (outcome == "ended").astype("int64"),
                           "n_waiting": (outcome == "waiting").astype("int64")})
    return summarise_counts(counts, threshold, by_names)


def wait_summary(log: EventLog, *, start, end, threshold=None, as_of, by=None, start_unit=None, start_domain=None,
                 end_unit=None, end_domain=None) -> pd.DataFrame:
    """The waits from ``start`` to ``end``: Kaplan–Meier median and share over the threshold, with 95 % intervals.

    Parameters
    ----------
    log : EventLog
    start, end, threshold, as_of, start_unit, start_domain, end_unit, end_domain
        As in :func:`waiting_times`.
    by : str or list of str, optional
        Group by a property of the start event: ``unit``, ``domain``, ``sector``,
        ``activity``, ``event_type``, ``resource``, an attribute, or ``age_band``
        (0-17, 18-64, 65-79, 80+ from an ``age``/``alder`` attribute).

    Returns
    -------
    pandas.DataFrame
        One row (per group). Counts: ``n`` (starts) = ``n_ended`` + ``n_waiting``
        (still open at ``as_of``) + ``n_superseded`` (a new start came first);
        ``n_censored`` = n_waiting + n_superseded; ``n_over_threshold`` (ended or
        open waits already longer than the threshold).

        The estimates, one estimator per quantity, Kaplan–Meier (open waits censored
        at ``as_of``, superseded ones at the new start): ``km_median_days`` with its
        95 % interval ``km_median_ci_low``/``km_median_ci_high`` (Brookmeyer–Crowley
        on the log-log band; ``inf`` = not reached), and ``km_share_over_threshold``,
        the estimated share of waits longer than the threshold, with its 95 %
        interval ``km_share_ci_low``/``km_share_ci_high`` (log-log, Greenwood's
        variance).

        Naive figures of the ended waits only, labelled so (they leave out the
        longest waits, those still open): ``median_ended_days``, ``p75_ended_days``,
        ``p90_ended_days``, ``max_ended_days`` (linear interpolation),
        ``share_ended_over_threshold``; and ``max_censored_days``, the longest
        censored wait. ``df.attrs["estimators"]`` says all this per column.

    Examples
    --------
    >>> import pandas as pd, pathways as pw
    >>> df = pd.DataFrame({"pt": ["A", "A", "B", "B", "C"],
    ...                    "act": ["Henvisning modtaget", "Udredning start"] * 2 + ["Henvisning modtaget"],
    ...                    "ts": ["2024-01-01", "2024-01-11", "2024-01-01", "2024-02-10", "2024-01-01"]})
    >>> log = pw.from_pandas(df, case="pt", activity="act", timestamp="ts")
    >>> s = pw.wait_summary(log, start="referral_received", end="assessment_start",
    ...                     threshold="30D", as_of="2024-03-01")
    >>> s[["n", "n_waiting", "km_median_days", "km_share_over_threshold", "median_ended_days"]]
       n  n_waiting  km_median_days  km_share_over_threshold  median_ended_days
    0  3          1            40.0                 0.666667               25.0
    """
    names, columns = group_columns(log, by, purpose="wait_summary")
    if threshold is not None:
        duration(threshold, argument="threshold")  # an OptionError before any query
    df, n_late = _wait_counts(log, start=start, end=end, as_of=as_of, start_unit=start_unit,
                              start_domain=start_domain, end_unit=end_unit, end_domain=end_domain, extra=columns)
    df = finish_groups(df, names)
    out = summarise_counts(df, threshold, names)
    if not len(df) and not names:
        out = out.iloc[0:0]  # an empty log: no row (a row of NaN would read as a result)
    out.attrs["n_starts_after_as_of"] = n_late
    return with_parameters(out, start=start, end=end, threshold=threshold, as_of=str(as_of), by=by,
                           start_unit=start_unit, start_domain=start_domain, end_unit=end_unit,
                           end_domain=end_domain)


# --- guarantees ---------------------------------------------------------------------------
_PSYK_DP = r"distriktspsykiatri|\bDP\b"
_CHILD_PSY = r"børne|b&u|\bbup\b|child"

#: The default waiting-time rules of DOMAIN.md section 4 (edit a copy to make your own).
GUARANTEES = pd.DataFrame([
    {"name": "udredningsret", "start": "referral_received", "end": "assessment_start", "threshold": "30D",
     "start_unit": None, "start_domain": "psychiatric", "end_unit": None, "end_domain": None,
     "tag": "X", "source": "Right to assessment within 30 days in hospital psychiatry (Sundhedsloven § 82 a); "
                            "outside knowledge, not in the source documents: verify the law and its dates."},
    {"name": "child_psychiatry_first_contact", "start": "referral_received", "end": "first_contact",
     "threshold": "4W", "start_unit": _CHILD_PSY, "start_domain": None, "end_unit": None, "end_domain": None,
     "tag": "T", "source": "KORA 'Sammen om' (Region Sjælland, 2014), B&U rules early 2014: first "
                            "conversation within 4 weeks of PVK receipt."},
    {"name": "psychiatric_discharge_to_dp", "start": "discharge", "end": ANY, "threshold": "7D",
     "start_unit": None, "start_domain": "psychiatric", "end_unit": _PSYK_DP, "end_domain": None,
     "tag": "T", "source": "KORA 'Sammen om' (2014): PAM wants a DP visit 'i ugen efter' discharge "
                            "(first contact of any kind in district psychiatry within 7 days)."},
    {"name": "diagnosis_conference_to_treatment", "start": "diagnosis_conference", "end": "treatment_start",
     "threshold": "4W", "start_unit": None, "start_domain": None, "end_unit": None, "end_domain": None,
     "tag": "T", "source": "KORA 'Sammen om' (2014), B&U rules early 2014: diagnosis conference to "
                            "treatment within 4 weeks."},
    {"name": "ready_for_discharge_bed_days", "start": "ready_for_discharge", "end": "discharge",
     "threshold": None, "start_unit": None, "start_domain": None, "end_unit": None, "end_domain": None,
     "tag": "T", "source": "DEFACTUM 17 narratives (Region Midtjylland): ~30 % of a ward's beds held by "
                            "færdigmeldte patients, up to ~5 months (bed-days waiting; no threshold)."},
    {"name": "rejected_to_next_referral", "start": "referral_rejected", "end": "referral", "threshold": None,
     "start_unit": None, "start_domain": None, "end_unit": None, "end_domain": None,
     "tag": "T", "source": "DOMAIN.md section 4: referral rejected to the next referral (no threshold)."},
    {"name": "needs_assessment_to_municipal_service", "start": "municipal_assessment",
     "end": ("homecare_start", "rehab_start", "temporary_stay"), "threshold": None,
     "start_unit": None, "start_domain": None, "end_unit": None, "end_domain": None,
     "tag": "T", "source": "DOMAIN.md section 4: needs assessment to the first municipal service "
                            "(home care, rehabilitation or temporary stay; no threshold)."},
], columns=["name", "start", "end", "threshold", "start_unit", "start_domain", "end_unit", "end_domain",
            "tag", "source"])

_RULE_OPTIONAL = ("start_unit", "start_domain", "end_unit", "end_domain")


def _cell(value):
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if value is pd.NA or value is pd.NaT:
        return None
    return value


def guarantees(log: EventLog, rules=None, *, as_of) -> pd.DataFrame:
    """Evaluate a table of waiting-time rules in one call.

    Parameters
    ----------
    log : EventLog
    rules : pandas.DataFrame, optional
        One row per rule with columns ``name, start, end, threshold`` and optionally
        ``start_unit, start_domain, end_unit, end_domain`` (see
        :func:`waiting_times`), plus any columns of your own (``tag``, ``source``),
        which are copied to the result. Default :data:`GUARANTEES`, the rules of
        DOMAIN.md section 4, each with its source ([T] from the background
        documents, [X] outside knowledge to verify).
    as_of : str or datetime
        The extract date (required).

    Returns
    -------
    pandas.DataFrame
        One row per rule: the rule's columns, ``status`` (``"ok"`` or why the rule
        could not be evaluated, e.g. a milestone the log does not contain) and the
        columns of :func:`wait_summary` (``n = 0`` when not evaluated): the counts
        (``n_ended``, ``n_waiting``, ``n_superseded``), the Kaplan–Meier median and
        share over the threshold with their 95 % intervals, then the naive
        figures of the ended waits only (``median_ended_days``, ...).

    Examples
    --------
    >>> import pandas as pd, pathways as pw
    >>> df = pd.DataFrame({"pt": ["A", "A"], "act": ["Henvisning modtaget", "Udredning start"],
    ...                    "ts": ["2024-01-01", "2024-02-15"],
    ...                    "unit": ["Psykiatrisk Visitationsklinik", "Psykiatrisk Visitationsklinik"]})
    >>> log = pw.from_pandas(df, case="pt", activity="act", timestamp="ts", unit="unit")
    >>> g = pw.guarantees(log, as_of="2024-03-01")
    >>> g[["name", "n", "km_median_days", "km_share_over_threshold"]].head(2)
                                 name  n  km_median_days  km_share_over_threshold
    0                   udredningsret  1            45.0                      1.0
    1  child_psychiatry_first_contact  0             NaN                      NaN
    >>> g.loc[3, "status"].startswith("start='diagnosis_conference' matches no event")
    True
    """
    rules = GUARANTEES if rules is None else rules
    if not isinstance(rules, pd.DataFrame):
        raise OptionError(f"rules must be a pandas DataFrame like pw.GUARANTEES, got {type(rules).__name__}.")
    missing = [c for c in ("name", "start", "end", "threshold") if c not in rules.columns]
    if missing:
        raise OptionError(f"rules lacks the column(s) {missing}; a rule needs name, start, end, threshold "
                          "(and optionally start_unit, start_domain, end_unit, end_domain). See pw.GUARANTEES.")
    timestamp(as_of, log.tz, argument="as_of")
    rows = []
    for rule in rules.to_dict("records"):
        opts = {k: _cell(rule.get(k)) for k in _RULE_OPTIONAL}
        start, end = rule["start"], rule["end"]
        start = list(start) if isinstance(start, tuple) else start
        end = list(end) if isinstance(end, tuple) else end
        threshold = _cell(rule["threshold"])
        status = "ok"
        if any(v is not None for v in opts.values()) and not log.has("unit"):
            status = "needs the unit column (the rule restricts units or domains)"
            df = _empty_counts([])
        else:
            try:
                df, _ = _wait_counts(log, start=start, end=end, as_of=as_of, explain=False, **opts)
            except _Absent as exc:
                status, df = str(exc), _empty_counts([])
        summary = summarise_counts(df, threshold).iloc[0].to_dict()
        rows.append({**rule, "status": status, **summary})
    out = pd.DataFrame(rows, columns=[*rules.columns, "status", *_SUMMARY_COLUMNS])
    out = out.astype({c: "int64" for c in _COUNT_COLUMNS})
    out["n_over_threshold"] = out["n_over_threshold"].astype("Int64")
    out.attrs["estimators"] = dict(ESTIMATORS)
    return with_parameters(out, as_of=str(as_of), rules="GUARANTEES" if rules is GUARANTEES else "custom")


__all__ = ["waiting_times", "wait_summary", "guarantees", "GUARANTEES", "ESTIMATORS", "ANY", "AGE_BANDS",
           "age_band", "age_column", "group_columns", "finish_groups", "summarise_waits", "summarise_counts",
           "event_types", "milestone"]
