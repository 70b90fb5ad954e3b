"""The directly-follows relation (transitions with their times) and the variants of an event log.

Events are ordered within a case by time, then by input row (ties keep input
order), exactly as everywhere else in pathways. All event-level work runs in the
engine; only the small result tables come back as pandas.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import ibis
import pandas as pd

from .. import schema as S
from ..errors import OptionError, check_choice
from .common import TEXT, days_between, fetch, grouped_quantiles, typed_result, with_parameters

if TYPE_CHECKING:
    from ..eventlog import EventLog

#: ``source`` of the rows that count how cases start (process maps draw a start mark there).
START = "▶ start"
#: ``target`` of the rows that count how cases end (process maps draw an end mark there).
END = "■ end"

_LEVELS = {"activity": S.ACTIVITY, "event_type": S.EVENT_TYPE, "unit": S.UNIT}
_TRANSITION_COLUMNS = {"source": TEXT, "target": TEXT, "n_transitions": "int64", "n_cases": "int64",
                       "mean_days": "float64", "median_days": "float64", "p90_days": "float64",
                       "max_days": "float64"}
_VARIANT_COLUMNS = {"variant": TEXT, "n_events": "int64", "n_cases": "int64", "share": "float64",
                    "cumulative_share": "float64", "median_case_duration_days": "float64"}
_SEP = " → "


def ordered_events(log, level: str):
    """The log's table with ``label`` (the column of ``level``), events without a label left out."""
    check_choice("level", level, list(_LEVELS))
    if level == "unit":
        log.require("unit", purpose="level='unit'")
    t = log.table
    t = t.mutate(label=t[_LEVELS[level]])
    return t.filter(t.label.notnull()) if level == "unit" else t


def transitions(log: EventLog, *, level: Literal["activity", "event_type", "unit"] = "activity") -> pd.DataFrame:
    """The directly-follows relation: how often each step follows another, and how long it takes.

    Two events are a transition when they are consecutive in a case (ordered by
    time, then input row, so ties keep input order). Per pair of labels it counts
    the transitions and the cases that make them, and summarises the time from
    the first event's timestamp to the second's in days (exact across daylight
    saving changes).

    How cases start and end is in the same table: a row with source ``"▶ start"``
    (``pathways.analyses.transitions.START``) per first label, and a row with target ``"■ end"``
    (``pathways.analyses.transitions.END``) per last label, so a process map draws its start and end
    marks from the same rows as its edges. Their time columns are empty (NaN).
    Drop them with ``df.query("source != '▶ start' and target != '■ end'")``.

    Parameters
    ----------
    log : EventLog
    level : {"activity", "event_type", "unit"}, default "activity"
        What the nodes are: the activity name, its standard event type, or the unit
        of the event. At ``level="unit"`` events without a unit are skipped (the
        events before and after them become consecutive), and consecutive events in
        the same unit give a self-loop (staying in a unit; :func:`pathways.handovers`
        has the moves between units).

    Returns
    -------
    pandas.DataFrame
        One row per edge: ``source``, ``target``, ``n_transitions``, ``n_cases``
        (cases with at least one such transition), ``mean_days``, ``median_days``,
        ``p90_days`` (continuous quantiles, as numpy's default) and ``max_days``.
        Sorted by ``n_transitions`` (most first), then ``source`` and ``target``.
        ``df.attrs["parameters"]`` holds the options.

    Examples
    --------
    >>> import pandas as pd, pathways as pw
    >>> df = pd.DataFrame({"pt": ["A", "A", "A", "B", "B"],
    ...                    "what": ["Henvisning", "Visitation", "Indlæggelse", "Henvisning", "Visitation"],
    ...                    "when": ["2023-01-02 08:00", "2023-01-04 08:00", "2023-01-05 20:00",
    ...                             "2023-02-01 09:00", "2023-02-02 09:00"]})
    >>> log = pw.from_pandas(df, case="pt", activity="what", timestamp="when")
    >>> pw.transitions(log)[["source", "target", "n_transitions", "n_cases", "median_days", "max_days"]]
            source       target  n_transitions  n_cases  median_days  max_days
    0   Henvisning   Visitation              2        2          1.5       2.0
    1      ▶ start   Henvisning              2        2          NaN       NaN
    2  Indlæggelse        ■ end              1        1          NaN       NaN
    3   Visitation  Indlæggelse              1        1          1.5       1.5
    4   Visitation        ■ end              1        1          NaN       NaN
    """
    t = ordered_events(log, level)
    w = ibis.window(group_by=S.CASE, order_by=[S.TIMESTAMP, S.ROW])
    e = t.select(S.CASE, "label", S.TIMESTAMP, prev_label=t.label.lag().over(w),
                 prev_time=t.timestamp.lag().over(w))
    # Every event is the target of one edge: from the event before it, or from the start.
    # grouped by the labels as the engine keeps them (a case's first event has none before it):
    # naming the start in the engine would turn DuckDB's ENUM key into text to hash
    e = e.mutate(source=e.prev_label, target=e.label)
    days = days_between(e.prev_time, e.timestamp)
    edges = grouped_quantiles(log, e, ["source", "target"], days, {"median_days": 0.5, "p90_days": 0.9},
                              pairs_of=_LEVELS[level],
                              n_transitions=e.count(), n_cases=e[S.CASE].nunique(), mean_days=days.mean(),
                              max_days=days.max())
    edges = fetch(edges)
    edges["source"] = edges["source"].astype(object).fillna(START)
    edges = typed_result(edges, _TRANSITION_COLUMNS, log.tz, [])
    # Every event but a case's last is the source of one edge, so the ends of cases are
    # the events of a label minus the edges leaving it (no second pass over the events).
    arriving = edges.groupby("target")["n_transitions"].sum()
    leaving = edges[edges["source"] != START].groupby("source")["n_transitions"].sum()
    n_end = arriving.sub(leaving, fill_value=0).astype("int64")
    n_end = n_end[n_end > 0]
    ends = pd.DataFrame({"source": n_end.index.astype(object), "target": END, "n_transitions": n_end.to_numpy(),
                         "n_cases": n_end.to_numpy()})
    out = typed_result(pd.concat([edges, ends], ignore_index=True) if len(ends) else edges,
                       _TRANSITION_COLUMNS, log.tz, [])
    out = out.sort_values(["n_transitions", "source", "target"], ascending=[False, True, True],
                          ignore_index=True, kind="stable")
    return with_parameters(out, level=level)


def variants(log: EventLog, *, top: int | None = None) -> pd.DataFrame:
    """The variants of a log: the distinct sequences of activities a case goes through.

    A case's variant is its activities in time order (ties keep input order),
    joined by ``" → "``.

    Parameters
    ----------
    log : EventLog
    top : int, optional
        Keep only the ``top`` most common variants. ``df.attrs`` then says what was
        left out: ``n_variants_left_out`` and ``n_cases_left_out`` (both 0 when
        nothing was). ``share`` and ``cumulative_share`` are always of all cases, so
        the last ``cumulative_share`` is the part of the log the rows cover.

    Returns
    -------
    pandas.DataFrame
        One row per variant: ``variant``, ``n_events`` (its length), ``n_cases``,
        ``share`` (of all cases), ``cumulative_share``, and
        ``median_case_duration_days`` (first to last event timestamp of the cases;
        end timestamps are not used). Sorted by ``n_cases`` (most first), then
        ``variant``. ``df.attrs`` holds ``parameters``, ``n_variants``, ``n_cases``,
        ``n_variants_left_out`` and ``n_cases_left_out``.

    Examples
    --------
    >>> import pandas as pd, pathways as pw
    >>> df = pd.DataFrame({"pt": ["A", "A", "B", "B", "C"],
    ...                    "what": ["Henvisning", "Visitation", "Henvisning", "Visitation", "Henvisning"],
    ...                    "when": ["2023-01-02", "2023-01-04", "2023-02-01", "2023-02-02", "2023-03-01"]})
    >>> log = pw.from_pandas(df, case="pt", activity="what", timestamp="when")
    >>> v = pw.variants(log)
    >>> v[["variant", "n_cases", "median_case_duration_days"]]
                       variant  n_cases  median_case_duration_days
    0  Henvisning → Visitation        2                        1.5
    1               Henvisning        1                        0.0
    >>> v["cumulative_share"].round(2).tolist()
    [0.67, 1.0]
    >>> pw.variants(log, top=1).attrs["n_cases_left_out"]
    1
    """
    if top is not None and (isinstance(top, bool) or not isinstance(top, int) or top < 1):
        raise OptionError(f"top={top!r} is not allowed; give a whole number of variants (1 or more) or None.")
    t = log.table
    # One ordered list per case, grouped by the list (the engine's activity codes, not text),
    # and joined into text once per variant: an ordered text aggregate over a whole-case window
    # built a string for every event (116 s against 2.2 s at 11 million events, most cases a
    # variant of their own).
    cases = t.group_by(S.CASE).aggregate(
        trace=t.activity.collect(order_by=[t.timestamp, t.row]), n_events=t.count(),
        first=t.timestamp.min(), last=t.timestamp.max())
    grouped = grouped_quantiles(log, cases, ["trace"], days_between(cases["first"], cases["last"]),
                                {"median_case_duration_days": 0.5}, n_events=cases.n_events.max(),
                                n_cases=cases.count())
    grouped = grouped.select(grouped.trace.join(_SEP).name("variant"), "n_events", "n_cases",
                             "median_case_duration_days")
    if top is None:  # most cases first, then the variant's text (see fetch)
        out = typed_result(fetch(grouped, order=[("n_cases", "descending"), ("variant", "ascending")]),
                           _VARIANT_COLUMNS, log.tz, [])
        n_variants, n_cases = len(out), int(out["n_cases"].sum())
    else:
        # the top rows only, in the same order (most cases, then the variant's text: code-point order on
        # DuckDB and Spark, as in Arrow), with the totals of every variant beside them: one query, and
        # the driver gets `top` rows, not every variant (9,986 of 10,000 cases on the high-variant shape)
        everything = ibis.window()
        grouped = grouped.mutate(_n_variants=grouped.count().over(everything),
                                 _n_cases=grouped.n_cases.sum().over(everything))
        head = fetch(grouped.order_by([ibis.desc("n_cases"), "variant"]).limit(top))
        n_variants = int(head["_n_variants"].iloc[0]) if len(head) else 0
        n_cases = int(head["_n_cases"].iloc[0]) if len(head) else 0
        out = typed_result(head.drop(columns=["_n_variants", "_n_cases"]), _VARIANT_COLUMNS, log.tz, [])
    out["share"] = out["n_cases"] / n_cases if n_cases else 0.0
    out["cumulative_share"] = out["n_cases"].cumsum() / n_cases if n_cases else 0.0
    out = out[list(_VARIANT_COLUMNS)]
    out = with_parameters(out, top=top)
    out.attrs.update(n_variants=n_variants, n_cases=n_cases, n_variants_left_out=n_variants - len(out),
                     n_cases_left_out=n_cases - int(out["n_cases"].sum()))
    return out


def transition_moves(log, level: str, route_edges: list[tuple[str, str]]) -> pd.DataFrame:
    """Per (source, target) activity or event type (``_src``, ``_dst``): the transitions that move along one of
    ``route_edges`` (unit pairs on a circular route: ``n_loop``) or across the psychiatric/somatic line
    (``n_cross``), counted in the engine in one pass over the ordered events (for the flags of
    :func:`pathways.graphs.transition_edges` below the unit level)."""
    t = log.table
    w = ibis.window(group_by="case_id", order_by=["timestamp", "row"])
    e = t.mutate(_src=t[level], _dst=t[level].lead().over(w), _u2=t.unit.lead().over(w),
                 _d2=t.domain.lead().over(w))
    e = e.filter(e._dst.notnull())
    crossing = (((e.domain == "psychiatric") & (e._d2 == "somatic"))
                | ((e.domain == "somatic") & (e._d2 == "psychiatric")))
    if route_edges:
        routes = ibis.memtable({"_ra": [a for a, _ in route_edges], "_rb": [b for _, b in route_edges]})
        e = e.left_join(routes, [e.unit == routes._ra, e._u2 == routes._rb])
        on_route = e._ra.notnull()
    else:
        on_route = e._dst.isnull()  # no circular route: always False, as a column so that it sums
    counts = e.group_by(["_src", "_dst"]).aggregate(n_loop=on_route.sum(), n_cross=crossing.sum()).to_pandas()
    return counts[["_src", "_dst", "n_loop", "n_cross"]].astype({"_src": object, "_dst": object})


__all__ = ["END", "START", "transitions", "variants", "transition_moves"]
