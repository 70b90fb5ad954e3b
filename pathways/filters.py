"""Filters: EventLog -> EventLog, built lazily in the engine.

Every filter returns a new :class:`~pathways.eventlog.EventLog` over a new Ibis
expression; nothing is computed until an analysis runs, filters compose freely,
and the log passed in is never changed.

The options read the same everywhere:

- ``keep="events"`` keeps only the matching events; ``keep="cases"`` keeps every
  event of each case that has at least one matching event.
- ``exclude=True`` turns the selection round: the matching events
  (``keep="events"``) or the cases with a matching event (``keep="cases"``) are
  removed and everything else is kept.
- Several conditions in one call must all hold (``domains=["psychiatric"],
  sectors=["region"]`` is regional psychiatry); a list within one condition is
  "any of".
- A unit, activity, event type, domain or sector the log does not contain is an
  :class:`~pathways.errors.OptionError` with the closest name, since a typo would
  otherwise give an empty log without a word.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable, Literal

import ibis
import pandas as pd

from . import schema as S
from .analyses.common import days_between, duration, timestamp
from .errors import OptionError, check_choice, closest
from .parameters import renamed

if TYPE_CHECKING:
    from .eventlog import EventLog

_KEEP = ["events", "cases"]
_PERIOD_KEEP = ["events", "cases_starting", "cases_contained", "cases_intersecting"]


# --- helpers ------------------------------------------------------------------
def _as_list(values, argument: str) -> list | None:
    """``values`` as a list (one string or number is a list of one); None stays None."""
    if values is None:
        return None
    if isinstance(values, (str, bytes, int, float)):
        return [values]
    if isinstance(values, pd.DataFrame):
        raise OptionError(f"{argument} must be a list of values or a column (Series), not a DataFrame.")
    try:
        out = list(dict.fromkeys(values))  # drop duplicates, keep order
    except TypeError:
        raise OptionError(f"{argument}={values!r} is not a list of values.") from None
    if not out:
        raise OptionError(f"{argument} is empty; give at least one value, or leave it out.")
    return out


def _check_known(values: list, known: Iterable, *, what: str, where: str, plural: str | None = None) -> None:
    """OptionError (with a did-you-mean) for the first value the log never contains."""
    known = [k for k in known if k is not None and not (isinstance(k, float) and pd.isna(k))]
    known_set = set(known)
    for v in values:
        if v not in known_set:
            hint = closest(str(v), known)
            did = f" Did you mean {hint!r}?" if hint else ""
            shown = ", ".join(repr(k) for k in sorted(map(str, known_set))[:12])
            more = ", ..." if len(known_set) > 12 else ""
            raise OptionError(f"{where}: {what} {v!r} does not occur in this log.{did} "
                              f"The log has these {plural or what + 's'}: {shown}{more}.")


def _select(log, condition, *, keep: str, exclude: bool):
    """The log restricted by an event-level boolean ``condition`` (NULL counts as False)."""
    t = log.table
    condition = condition.fill_null(False)
    if keep == "events":
        return log.replace(t.filter(~condition if exclude else condition))
    matched = t.filter(condition).select(S.CASE).distinct()
    return log.replace(_cases(t, matched, exclude=exclude))


def _cases(t, chosen, *, exclude: bool = False):
    """The events of ``t`` whose case is (or, with ``exclude``, is not) in ``chosen`` (a table with case_id).

    The semi/anti join is closed with a plain projection: an open Ibis join would
    absorb the window functions an analysis adds to it, and fail.
    """
    joined = t.anti_join(chosen, S.CASE) if exclude else t.semi_join(chosen, S.CASE)
    return joined.select(*t.columns)


def _case_spans(t):
    """One row per case: case_id, n_events, first and last event timestamp."""
    return t.group_by(S.CASE).aggregate(n_events=t.count(), first=t.timestamp.min(), last=t.timestamp.max())


# --- filters ------------------------------------------------------------------
@renamed(start="since", end="until", how="keep")
def filter_period(log: EventLog, *, since=None, until=None,
                  keep: Literal["events", "cases_starting", "cases_contained", "cases_intersecting"] = "events"):
    """Keep the events or cases of a period.

    The period runs from ``since`` up to but not including ``until``, so
    ``since="2023-01-01", until="2024-01-01"`` is the year 2023 and consecutive
    periods never overlap. Dates without a time zone are local time of the log.

    Parameters
    ----------
    log : EventLog
    since, until : str, datetime or pandas.Timestamp, optional
        The first instant in the period and the first instant after it; leave one
        out for a period open at that side.
    keep : {"events", "cases_starting", "cases_contained", "cases_intersecting"}, default "events"
        ``"events"``: the events in the period (cases are cut at its edges).
        ``"cases_starting"``: whole cases whose first event is in the period.
        ``"cases_contained"``: whole cases whose first and last events are both in it.
        ``"cases_intersecting"``: whole cases with any part of their span (first to
        last event) in it.

    Returns
    -------
    EventLog

    Examples
    --------
    >>> import pandas as pd, pathways as pw
    >>> df = pd.DataFrame({"pt": ["A", "A", "B", "B"],
    ...                    "what": ["Henvisning", "Indlæggelse", "Henvisning", "Indlæggelse"],
    ...                    "when": ["2022-12-20", "2023-01-05", "2023-02-01", "2023-02-03"]})
    >>> log = pw.from_pandas(df, case="pt", activity="what", timestamp="when")
    >>> pw.filter_period(log, since="2023-01-01", until="2024-01-01")
    EventLog: 3 events, 2 cases, 2 activities, 0 units, 2023-01-05 → 2023-02-03, 0 rows rejected
    >>> pw.filter_period(log, since="2023-01-01", until="2024-01-01", keep="cases_contained")
    EventLog: 2 events, 1 cases, 2 activities, 0 units, 2023-02-01 → 2023-02-03, 0 rows rejected
    """
    check_choice("keep", keep, _PERIOD_KEEP)
    if since is None and until is None:
        raise OptionError("filter_period needs since=, until= or both (e.g. since='2023-01-01', until='2024-01-01').")
    lo = None if since is None else timestamp(since, log.tz, argument="since")
    hi = None if until is None else timestamp(until, log.tz, argument="until")
    if lo is not None and hi is not None and lo >= hi:
        raise OptionError(f"since={since!r} is not before until={until!r}; the period would be empty. "
                          "until is the first instant after the period.")

    def inside(ts):
        conds = ([ts >= lo] if lo is not None else []) + ([ts < hi] if hi is not None else [])
        return conds[0] if len(conds) == 1 else conds[0] & conds[1]

    t = log.table
    if keep == "events":
        return log.replace(t.filter(inside(t.timestamp)))
    spans = _case_spans(t)
    if keep == "cases_starting":
        chosen = spans.filter(inside(spans["first"]))
    elif keep == "cases_contained":
        chosen = spans.filter(inside(spans["first"]) & inside(spans["last"]))
    else:  # cases_intersecting: the span [first, last] meets [since, until)
        conds = ([spans["last"] >= lo] if lo is not None else []) + ([spans["first"] < hi] if hi is not None else [])
        chosen = spans.filter(*conds)
    return log.replace(_cases(t, chosen.select(S.CASE)))


def filter_cases(log: EventLog, cases=None, *, min_events: int | None = None, max_events: int | None = None,
                 min_duration=None, max_duration=None, exclude: bool = False):
    """Keep (or, with ``exclude=True``, remove) whole cases: by id, by size or by duration.

    Parameters
    ----------
    log : EventLog
    cases : list, Series or str, optional
        Case ids. Ids the log does not contain are ignored (a cohort list may name
        patients outside this extract).
    min_events, max_events : int, optional
        Bounds (inclusive) on the number of events of a case.
    min_duration, max_duration : str or timedelta, optional
        Bounds (inclusive) on the time from a case's first to its last event
        timestamp, e.g. ``"30D"``.
    exclude : bool, default False
        Remove the cases that meet every condition and keep the others.

    Returns
    -------
    EventLog

    Examples
    --------
    >>> import pandas as pd, pathways as pw
    >>> df = pd.DataFrame({"pt": ["A", "A", "A", "B", "C", "C"],
    ...                    "what": ["Henvisning", "Visitation", "Indlæggelse", "Henvisning", "Henvisning", "Afslag"],
    ...                    "when": ["2023-01-02", "2023-01-09", "2023-03-01", "2023-02-01", "2023-02-01", "2023-02-03"]})
    >>> log = pw.from_pandas(df, case="pt", activity="what", timestamp="when")
    >>> pw.filter_cases(log, ["A", "B"]).n_cases
    2
    >>> pw.filter_cases(log, min_events=2, max_duration="30D")
    EventLog: 2 events, 1 cases, 2 activities, 0 units, 2023-02-01 → 2023-02-03, 0 rows rejected
    >>> pw.filter_cases(log, min_events=2, exclude=True).n_cases
    1
    """
    ids = _as_list(cases, "cases")
    bounds = {}
    for name, value in (("min_events", min_events), ("max_events", max_events)):
        if value is not None:
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise OptionError(f"{name}={value!r} is not allowed; give a whole number of events (0 or more).")
            bounds[name] = value
    for name, value in (("min_duration", min_duration), ("max_duration", max_duration)):
        if value is not None:
            bounds[name] = duration(value, argument=name).total_seconds() / 86_400
    if ids is None and not bounds:
        raise OptionError("filter_cases needs cases=[...] or at least one of min_events, max_events, "
                          "min_duration, max_duration.")
    t = log.table
    chosen = None
    if bounds:
        spans = _case_spans(t)
        days = days_between(spans["first"], spans["last"])
        conds = {"min_events": lambda v: spans.n_events >= v, "max_events": lambda v: spans.n_events <= v,
                 "min_duration": lambda v: days >= v, "max_duration": lambda v: days <= v}
        chosen = spans.filter(*[conds[k](v) for k, v in bounds.items()]).select(S.CASE)
    if ids is not None:
        wanted = ibis.memtable(pd.DataFrame({S.CASE: pd.Series([str(i) for i in ids], dtype=object)}),
                               schema={S.CASE: "string"})
        chosen = wanted if chosen is None else _cases(chosen, wanted)
    return log.replace(_cases(t, chosen, exclude=exclude))


def filter_units(log: EventLog, units=None, *, domains=None, sectors=None,
                 keep: Literal["events", "cases"] = "events", exclude: bool = False):
    """Keep the events in some units, domains or sectors, or the cases that visit them.

    Parameters
    ----------
    log : EventLog
    units : list or str, optional
        Unit names, as in the data.
    domains : list or str, optional
        Unit domains (``"psychiatric"``, ``"somatic"``, ``"municipal_care"``, ...).
    sectors : list or str, optional
        Sectors (``"region"``, ``"municipality"``, ``"general_practice"``, ...).
    keep : {"events", "cases"}, default "events"
        ``"events"``: only the matching events (events without a unit never match).
        ``"cases"``: every event of each case with at least one matching event.
    exclude : bool, default False
        Remove what would be kept and keep the rest (events without a unit are then kept).

    Returns
    -------
    EventLog

    Examples
    --------
    >>> import pandas as pd, pathways as pw
    >>> df = pd.DataFrame({"pt": ["A", "A", "B", "B"],
    ...                    "what": ["Henvisning", "Indlæggelse", "Henvisning", "Ambulant besøg"],
    ...                    "when": ["2023-01-02", "2023-01-05", "2023-02-01", "2023-02-03"],
    ...                    "unit": ["Egen læge", "Psykiatrisk Akutmodtagelse", "Egen læge", "Smerteklinik"]})
    >>> log = pw.from_pandas(df, case="pt", activity="what", timestamp="when", unit="unit")
    >>> len(pw.filter_units(log, domains="psychiatric"))
    1
    >>> len(pw.filter_units(log, domains="psychiatric", keep="cases"))
    2
    >>> pw.filter_units(log, ["Smerteklinik"], keep="cases", exclude=True).n_cases
    1
    >>> pw.filter_units(log, ["Smertekliniken"])
    Traceback (most recent call last):
    ...
    pathways.errors.OptionError: filter_units: unit 'Smertekliniken' does not occur in this log. Did you mean 'Smerteklinik'? ...
    """
    check_choice("keep", keep, _KEEP)
    log.require("unit", purpose="filter_units")
    units, domains, sectors = (_as_list(units, "units"), _as_list(domains, "domains"),
                               _as_list(sectors, "sectors"))
    if units is None and domains is None and sectors is None:
        raise OptionError("filter_units needs units=[...], domains=[...] or sectors=[...].")
    classes = log.unit_classes
    t = log.table
    conds = []
    if units is not None:
        _check_known(units, classes["unit"].unique(), what="unit", where="filter_units")
        conds.append(t.unit.isin(units))
    if domains is not None:
        _check_known(domains, [*S.DOMAINS, *classes["domain"].unique()], what="domain", where="filter_units")
        conds.append(t.domain.isin(domains))
    if sectors is not None:
        _check_known(sectors, [*S.SECTORS, *classes["sector"].unique()], what="sector", where="filter_units")
        conds.append(t.sector.isin(sectors))
    return _select(log, ibis.and_(*conds), keep=keep, exclude=exclude)


def filter_activities(log: EventLog, activities=None, *, event_types=None,
                      keep: Literal["events", "cases"] = "events", exclude: bool = False):
    """Keep some activities or event types, or the cases that contain them.

    Parameters
    ----------
    log : EventLog
    activities : list or str, optional
        Activity names, as in the data.
    event_types : list or str, optional
        Standard event types (``"referral"``, ``"admission"``, ``"discharge"``, ...;
        see :data:`pathways.schema.EVENT_TYPES`).
    keep : {"events", "cases"}, default "events"
        ``"events"``: only the matching events. ``"cases"``: every event of each case
        with at least one matching event.
    exclude : bool, default False
        Remove what would be kept and keep the rest.

    Returns
    -------
    EventLog

    Examples
    --------
    >>> import pandas as pd, pathways as pw
    >>> df = pd.DataFrame({"pt": ["A", "A", "B", "B"],
    ...                    "what": ["Henvisning", "Indlæggelse", "Henvisning", "Afslag"],
    ...                    "when": ["2023-01-02", "2023-01-05", "2023-02-01", "2023-02-03"]})
    >>> log = pw.from_pandas(df, case="pt", activity="what", timestamp="when")
    >>> len(pw.filter_activities(log, event_types="referral"))
    2
    >>> pw.filter_activities(log, ["Afslag"], keep="cases", exclude=True).n_cases
    1
    """
    check_choice("keep", keep, _KEEP)
    activities, event_types = _as_list(activities, "activities"), _as_list(event_types, "event_types")
    if activities is None and event_types is None:
        raise OptionError("filter_activities needs activities=[...] or event_types=[...].")
    classes = log.activity_classes
    t = log.table
    conds = []
    if activities is not None:
        _check_known(activities, classes["activity"].unique(), what="activity", where="filter_activities",
                       plural="activities")
        conds.append(t.activity.isin(activities))
    if event_types is not None:
        known = [*S.EVENT_TYPES, S.UNKNOWN_EVENT_TYPE, *classes["event_type"].unique()]
        _check_known(event_types, known, what="event type", where="filter_activities")
        conds.append(t.event_type.isin(event_types))
    return _select(log, ibis.and_(*conds), keep=keep, exclude=exclude)


def filter_attribute(log: EventLog, column: str, values, *, keep: Literal["events", "cases"] = "events",
                     exclude: bool = False):
    """Keep the events (or cases) whose ``column`` has one of ``values``.

    Parameters
    ----------
    log : EventLog
    column : str
        An attribute column (``log.attributes``) or a canonical column such as
        ``"resource"`` or ``"referral_to"``. Units and activities have their own
        filters, :func:`filter_units` and :func:`filter_activities`.
    values : list or scalar
        The values to match; ``None`` matches a missing value. For a text column,
        each value must occur in the log (a typo is an OptionError).
    keep : {"events", "cases"}, default "events"
        ``"events"``: only the matching events. ``"cases"``: every event of each case
        with at least one matching event (use this for case attributes such as sex).
    exclude : bool, default False
        Remove what would be kept and keep the rest.

    Returns
    -------
    EventLog

    Examples
    --------
    >>> import pandas as pd, pathways as pw
    >>> df = pd.DataFrame({"pt": ["A", "A", "B"], "what": ["Henvisning", "Indlæggelse", "Henvisning"],
    ...                    "when": ["2023-01-02", "2023-01-05", "2023-02-01"],
    ...                    "kommune": ["Aarhus", "Aarhus", "Randers"]})
    >>> log = pw.from_pandas(df, case="pt", activity="what", timestamp="when")
    >>> pw.filter_attribute(log, "kommune", "Randers").n_cases
    1
    >>> pw.filter_attribute(log, "kommune", ["Randers"], exclude=True).n_cases
    1
    """
    check_choice("keep", keep, _KEEP)
    t = log.table
    allowed = [c for c in t.columns if c != S.ROW]
    if column not in allowed:
        hint = closest(str(column), allowed)
        did = f" Did you mean {hint!r}?" if hint else ""
        raise OptionError(f"filter_attribute: the log has no column {column!r}.{did} "
                          f"Its columns are: {', '.join(repr(c) for c in allowed)}.")
    values = _as_list(values, "values")
    if values is None:
        raise OptionError("filter_attribute needs values (a list or one value).")
    col = t[column]
    present = [v for v in values if v is not None]
    if col.type().is_string():
        present = [str(v) for v in present]
        found = t.filter(col.isin(present)).select(col.name("v")).distinct().to_pyarrow().column("v").to_pylist() \
            if present else []
        if len(found) < len(present):
            missing = [v for v in present if v not in set(found)]
            known = t.select(col.name("v")).distinct().limit(10_000).to_pyarrow().column("v").to_pylist()
            _check_known(missing, known, what=f"value of {column!r}", where="filter_attribute",
                         plural=f"values of {column!r}")
    conds = []
    if present:
        conds.append(col.isin(present))
    if len(present) < len(values):
        conds.append(col.isnull())
    return _select(log, ibis.or_(*conds), keep=keep, exclude=exclude)


__all__ = ["filter_activities", "filter_attribute", "filter_cases", "filter_period", "filter_units"]
