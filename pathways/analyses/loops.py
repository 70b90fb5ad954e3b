"""Circular referrals (loops), the circular routes across patients, and repeated referrals (DOMAIN.md section 4).

"Afdelingerne kan ikke altid se det selv": a patient sent round a ring of
units. Everything is computed on the unit path of
:func:`pathways.analyses.unitpath.unit_path_expr` in the engine, with window
functions over the steps (no self-join over events): for each step the previous
and next step in the same unit give the returns, and a running maximum over the
steps merges overlapping returns into episodes (gaps and islands).
"""

from __future__ import annotations

import numbers
from typing import TYPE_CHECKING, Literal

import ibis
import pandas as pd

from ..errors import OptionError
from ..parameters import LOOP_WITHIN, MAX_BETWEEN, QUIET_FOR
from .common import (TEXT, days_between, days_option, duration, fetch, grouped_quantiles, timestamp, typed_result,
                      with_parameters)
from .unitpath import REFERRAL_TYPES, unit_path_expr

if TYPE_CHECKING:
    from ..eventlog import EventLog

OnPath = Literal["all", "referrals"]

#: Event types that end a loop episode for ``gave_up`` (see :func:`circular_referrals`).
ENDING_TYPES = ("closure", "treatment_start")
SEP = " → "

EPISODE_COLUMNS = {
    "case_id": TEXT, "episode": "int64", "units": TEXT, "unit_tuple": "object",
    "first_step": "int64", "last_step": "int64", "n_units": "int64", "cycle_length": "int64",
    "n_returns": "int64", "kind": TEXT, "start": "datetime64[us, UTC]", "end": "datetime64[us, UTC]",
    "duration_days": "float64", "gave_up": "bool", "followup_censored": "bool",
}
ROUTE_COLUMNS = {
    "units": TEXT, "unit_tuple": "object", "returned_to": TEXT, "cycle_length": "int64",
    "kind": TEXT, "n_returns": "int64", "n_cases": "int64", "median_duration_days": "float64",
}
REPEAT_COLUMNS = {
    "case_id": TEXT, "event_type": TEXT, "target": TEXT, "unit": TEXT, "n_events": "int64",
    "n_repeats": "int64", "first_at": "datetime64[us, UTC]", "last_at": "datetime64[us, UTC]",
    "span_days": "float64",
}


def _max_between(value) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise OptionError(f"max_between={value!r} is not allowed; give a whole number of units of at least 1 "
                          "(a loop needs at least one other unit between the visits to the same unit).")
    return int(value)


def return_steps(log, *, within=LOOP_WITHIN, max_between: int = MAX_BETWEEN, on: OnPath = "all",
                 purpose: str = "circular_referrals"):
    """Ibis expression with one row per return: the step of the unit path where the patient comes back.

    Columns: the step's ``case_id``, ``step``, ``unit``, ``arrived_at``,
    ``left_at`` and ``next_arrived`` (arrival at the next step); ``prev_step``,
    ``prev_arrived`` and ``prev_left`` (the most recent earlier step in the same
    unit, 2..max_between + 1 steps back, with its arrival and departure); and the
    units of the steps before, ``_pu1`` (one back) to ``_pu<max_between + 1>``,
    from which :func:`cycle_expr` builds the cycle when it is needed (an array is
    heavy to carry through a sort).

    Only the ``max_between + 1`` steps before can hold the visit returned to, so
    its unit and times come from lags at fixed offsets (one sort of the steps, no
    join): the nearest offset whose unit is this step's unit is the most recent
    visit (offset 1 never is: repeats are collapsed).
    """
    days = days_option(within, "within")
    mb = _max_between(max_between)
    path = unit_path_expr(log, on=on, purpose=purpose)
    w = ibis.window(group_by="case_id", order_by="step")
    ks = range(2, mb + 2)
    s = path.select("case_id", "step", "unit", "arrived_at", "left_at", "next_arrived",
                    **{f"_pu{k}": path.unit.lag(k).over(w) for k in range(1, mb + 2)},
                    **{f"_pa{k}": path.arrived_at.lag(k).over(w) for k in ks},
                    **{f"_pl{k}": path.left_at.lag(k).over(w) for k in ks})
    back = ibis.cases(*[(s[f"_pu{k}"] == s.unit, k) for k in ks], else_=ibis.null("int64"))
    s = s.mutate(_back=back)
    s = s.filter(s._back.notnull())
    r = s.mutate(prev_step=s.step - s._back,
                 prev_arrived=ibis.cases(*[(s._back == k, s[f"_pa{k}"]) for k in ks]),
                 prev_left=ibis.cases(*[(s._back == k, s[f"_pl{k}"]) for k in ks]))
    r = r.filter(days_between(r.prev_left, r.arrived_at) <= days)
    return r.select("case_id", "step", "unit", "arrived_at", "left_at", "next_arrived", "prev_step", "prev_arrived",
                    "prev_left", *(f"_pu{k}" for k in range(1, mb + 2)))


def cycle_expr(r):
    """The cycle of a row of :func:`return_steps`: the array of units from ``prev_step`` to ``step``."""
    lags = sum(c.startswith("_pu") for c in r.columns)
    back = r.step - r.prev_step
    return ibis.cases(*[(back == d, ibis.array([r[f"_pu{k}"] for k in range(d, 0, -1)] + [r.unit]))
                        for d in range(2, lags + 1)], else_=ibis.null("array<string>"))


def episode_expr(log, *, within=LOOP_WITHIN, max_between: int = MAX_BETWEEN, on: OnPath = "all",
                 quiet_for=QUIET_FOR, as_of=None, purpose: str = "circular_referrals"):
    """Ibis expression with one row per loop episode (the columns of :func:`circular_referrals`, UTC times).

    Episodes are merged on the returns alone (gaps and islands over the step
    intervals [prev_step, step], ordered by prev_step): a return starts a new
    episode when its interval shares no step with the earlier ones of the case.
    The episode's path is the concatenation of each return's cycle beyond the
    steps already covered. ``gave_up`` is judged at ``as_of`` (``None``: the log's last event).
    """
    quiet = days_option(quiet_for, "quiet_for")
    cutoff = None if as_of is None else timestamp(as_of, log.tz, argument="as_of")
    s = return_steps(log, within=within, max_between=max_between, on=on, purpose=purpose)
    # computed once per log and set of options (see EventLog.materialize)
    key = ("episodes", days_option(within, "within"), max_between, on, quiet)
    # the episodes without gave_up are read twice below, so they are kept too (a few rows per case)
    merged = log.materialize(key + ("merged",), lambda lg: _merged(s))
    return log.materialize(key + (cutoff,), lambda lg: _episodes(lg, merged, quiet, cutoff))


def _merged(s):
    """One row per episode, from the returns: its units, steps, counts and times (no gave_up yet)."""
    r = s.mutate(reach=s.step.max().over(ibis.window(group_by="case_id", order_by="prev_step", rows=(None, -1))))
    r = r.mutate(new=r.reach.isnull() | (r.prev_step > r.reach))
    r = r.mutate(episode=r.step.count(where=r.new).over(
        ibis.window(group_by="case_id", order_by="prev_step", rows=(None, 0))))
    # the cycles are built after the two sorts, which then move a few one-byte units, not arrays
    # (at 11 million events of long cases the two windows took 2.4 s of CPU with the arrays)
    cycle = cycle_expr(r)
    r = r.mutate(part=ibis.ifelse(r.new, cycle, cycle[(r.reach - r.prev_step + 1).cast("int64"):]))
    # each part with its prev_step, collected unordered and sorted per episode: an ordered collect
    # under GROUP BY took twice as long (1.0 s against 0.46 s of CPU at 11 million events)
    ep = r.group_by(["case_id", "episode"]).aggregate(
        parts=ibis.struct({"k": r.prev_step, "p": r.part}).collect(), first_step=r.prev_step.min(),
        last_step=r.step.max(), cycle_length=(r.step - r.prev_step).max(), n_returns=r.count(),
        start=r.prev_arrived.min(), end=r.left_at.max(), last_return_at=r.arrived_at.max(),
        next_arrived=r.next_arrived.max())
    return ep.mutate(unit_list=ep.parts.sort().map(lambda x: x.p).flatten()).drop("parts")


def _episodes(log, ep, quiet: float, cutoff):
    """The episodes with ``gave_up`` and ``followup_censored`` judged at ``cutoff`` (``None``: the log's last
    event), in the columns of circular_referrals."""
    # gave_up: an episode is followed when the case has an event in (end, end + quiet_for]. Most are
    # seen to be from the unit path alone: the latest arrival at a step after one of its returns is
    # such an event's time when it falls in that span. For the others, the case's events from the
    # arrival at the last return to end + quiet_for are found with one hash join on the case (on
    # long cases, 130 events of each case for every episode), then one row per episode again.
    t = log.table
    seen = (ep.next_arrived > ep.end) & (days_between(ep.end, ep.next_arrived) <= quiet)
    if cutoff is not None:  # what happened after as_of is not known yet
        t = t.filter(t.timestamp <= cutoff.to_pydatetime())
        seen &= ep.next_arrived <= cutoff.to_pydatetime()
    ep = ep.mutate(_seen=seen.fill_null(False))
    ev = t.select(_case="case_id", _at="timestamp", _ender=t.event_type.isin(ENDING_TYPES))
    near = ep.filter(~ep._seen).select("case_id", "episode", "end", "last_return_at")
    near = near.join(ev, [near.case_id == ev._case, ev._at >= near.last_return_at,
                          days_between(near.end, ev._at) <= quiet])
    near = near.group_by(["case_id", "episode"]).aggregate(
        followed=(near._at > near.end).any(), ended=near._ender.any())
    out = ep.left_join(near, ["case_id", "episode"]).drop("case_id_right", "episode_right")
    out = out.mutate(followed=out._seen | out.followed.fill_null(False), ended=out.ended.fill_null(False))
    judged_at = log.table.timestamp.max().as_scalar() if cutoff is None else ibis.literal(cutoff.to_pydatetime())
    return out.select(
        "case_id", "episode", units=out.unit_list.join(SEP), unit_tuple=out.unit_list,
        first_step=out.first_step, last_step=out.last_step, n_units=out.unit_list.unique().length(),
        cycle_length=out.cycle_length, n_returns=out.n_returns,
        kind=ibis.ifelse(out.cycle_length == 2, "ping-pong", "indirect"),
        start=out.start, end=out.end, duration_days=days_between(out.start, out.end),
        gave_up=~out.followed & ~out.ended,
        followup_censored=days_between(out.end, judged_at) < quiet)


def circular_referrals(log: EventLog, *, within=LOOP_WITHIN, max_between: int = MAX_BETWEEN, on: OnPath = "all",
                       quiet_for=QUIET_FOR, as_of=None) -> pd.DataFrame:
    """Loop episodes: patients sent round a ring of units and back.

    Definitions (DOMAIN.md section 4, on the unit path of :func:`pathways.unit_paths`):

    * A **return** happens at step *j* when its unit was last seen at step *i*
      (the most recent earlier step in that unit) with at least one and at most
      ``max_between`` other steps in between (2 ≤ j − i ≤ max_between + 1), and
      arrival at *j* − departure from *i* ≤ ``within`` (the edge counts). Its
      *cycle* is the units of steps i..j, e.g. ``Smerteklinik → Privatpraktiserende
      psykiater → Smerteklinik``.
    * Returns whose step ranges [i, j] share at least one step merge into one
      **episode** (A → B → A → C → A is one episode with two returns).
    * ``gave_up`` is true when the case has no event (of any kind, with or without
      a unit, also with ``on="referrals"``) in (``end``, ``end`` + ``quiet_for``],
      and no event of type ``closure`` or ``treatment_start``
      *ended it*: a closure or treatment start "ends" the episode when its time is
      at or after the arrival at the episode's last return and no later than
      ``end`` + ``quiet_for``. (A treatment started earlier, before the patient
      was sent round again, does not count.)

    Parameters
    ----------
    log : EventLog
        Must map ``unit``.
    within : str or timedelta, default "180D"
        Longest time from leaving a unit to coming back for it to count as a return.
    max_between : int, default 4
        Most units between the two visits to the same unit.
    on : {"all", "referrals"}, default "all"
        The unit path to use; ``"referrals"`` keeps only events of type
        ``referral``, ``referral_received`` and ``transfer`` (see
        :func:`pathways.unit_paths`).
    quiet_for : str or timedelta, default "90D"
        How long a case must stay silent after an episode for ``gave_up``.
    as_of : str or datetime, optional
        When ``gave_up`` is judged, as for the waits: events after it are not
        seen, and ``followup_censored`` says that ``end`` + ``quiet_for`` is after
        it. Default: the log's last event (recorded in ``df.attrs``).

    Returns
    -------
    pandas.DataFrame
        One row per episode, sorted by case and start:

        ``case_id``; ``episode`` (1, 2, ... within the case); ``units`` (the unit
        path from the episode's first to its last step joined with " → ") and
        ``unit_tuple`` (the same as a tuple); ``first_step``/``last_step`` (steps
        of the unit path); ``n_units`` (distinct units); ``cycle_length`` (the
        longest cycle j − i among its returns: 2 for A → B → A); ``n_returns``;
        ``kind`` (``"ping-pong"`` when the longest cycle has length 2, else
        ``"indirect"``); ``start`` (arrival at the first step); ``end`` (the latest
        departure from a returning step); ``duration_days``; ``gave_up``;
        ``followup_censored`` (the ``quiet_for`` after ``end`` reaches past
        ``as_of``, so ``gave_up`` may still change with newer data).
        ``df.attrs["parameters"]`` records the options.

    Raises
    ------
    OptionError
        The log does not map ``unit``, or an option is not valid.

    See Also
    --------
    circular_routes : the cycles ranked across patients.
    repeats : the same referral sent again with nothing in between (not a loop).

    Examples
    --------
    >>> import pandas as pd, pathways as pw
    >>> df = pd.DataFrame({"pt": ["A"] * 4,
    ...     "what": ["Henvisning", "Henvisning", "Henvisning", "Henvisning"],
    ...     "when": ["2023-01-05", "2023-01-20", "2023-02-10", "2023-03-01"],
    ...     "afsnit": ["Smerteklinik", "Privatpraktiserende psykiater", "Smerteklinik",
    ...                "Privatpraktiserende psykiater"]})
    >>> log = pw.from_pandas(df, case="pt", activity="what", timestamp="when", unit="afsnit")
    >>> loops = pw.circular_referrals(log)
    >>> loops[["n_returns", "kind", "duration_days", "gave_up"]]
       n_returns       kind  duration_days  gave_up
    0          2  ping-pong           55.0     True
    >>> print(loops.units[0])
    Smerteklinik → Privatpraktiserende psykiater → Smerteklinik → Privatpraktiserende psykiater
    """
    expr = episode_expr(log, within=within, max_between=max_between, on=on, quiet_for=quiet_for, as_of=as_of)
    df = fetch(expr.order_by(["case_id", "episode"]), tuples=["unit_tuple"])
    df = typed_result(df, EPISODE_COLUMNS, log.tz, ["start", "end"])
    return with_parameters(df, within=duration(within, argument="within"), max_between=max_between, on=on,
                           quiet_for=duration(quiet_for, argument="quiet_for"),
                           as_of=_judged_at(log, as_of))


def _judged_at(log, as_of) -> str:
    """``as_of`` as recorded in a result's parameters: the log's last event when not given."""
    if as_of is not None:
        return str(timestamp(as_of, log.tz, argument="as_of"))
    last = log.table.timestamp.max().to_pyarrow().as_py()
    return "None" if last is None else str(pd.Timestamp(last).tz_convert(log.tz))


def return_expr(log, *, within=LOOP_WITHIN, max_between: int = MAX_BETWEEN, on: OnPath = "all",
                purpose: str = "circular_routes"):
    """Ibis expression with one row per return: case_id, step, returned_to, cycle (array), cycle_length, duration_days."""
    r = return_steps(log, within=within, max_between=max_between, on=on, purpose=purpose)
    return r.select("case_id", "step", returned_to=r.unit, cycle=cycle_expr(r), cycle_length=r.step - r.prev_step,
                    duration_days=days_between(r.prev_left, r.arrived_at))


def circular_routes(log: EventLog, *, within=LOOP_WITHIN, max_between: int = MAX_BETWEEN, on: OnPath = "all",
                    ) -> pd.DataFrame:
    """The circular routes across patients: every return counted under its cycle, most frequent first.

    Each return (see :func:`circular_referrals`) has a cycle, the units of steps
    i..j written from the unit returned to and back to it, e.g.
    ``Smerteklinik → Privatpraktiserende psykiater → Smerteklinik``. That is the
    canonical form: the same ring entered from another unit (``Privatpraktiserende
    psykiater → Smerteklinik → Privatpraktiserende psykiater``) is another route,
    because another unit is the one the patient keeps coming back to. Edges of
    these cycles are the ones to draw red on a map.

    Parameters
    ----------
    log : EventLog
        Must map ``unit``.
    within, max_between, on
        As for :func:`circular_referrals`.

    Returns
    -------
    pandas.DataFrame
        One row per cycle: ``units`` (" → "-joined), ``unit_tuple``,
        ``returned_to``, ``cycle_length`` (moves in the cycle: 2 is ping-pong),
        ``kind`` (``"ping-pong"`` or ``"indirect"``), ``n_returns``, ``n_cases``
        and ``median_duration_days`` (median time from leaving the unit to coming
        back to it). Sorted by n_returns, then n_cases (descending), then units.

    Examples
    --------
    >>> import pandas as pd, pathways as pw
    >>> df = pd.DataFrame({"pt": ["A", "A", "A", "B", "B", "B"],
    ...     "what": ["Henvisning"] * 6,
    ...     "when": ["2023-01-05", "2023-02-10", "2023-03-20", "2023-01-05", "2023-01-25", "2023-02-04"],
    ...     "afsnit": ["Smerteklinik", "Privatpraktiserende psykiater", "Smerteklinik"] * 2})
    >>> log = pw.from_pandas(df, case="pt", activity="what", timestamp="when", unit="afsnit")
    >>> routes = pw.circular_routes(log)
    >>> routes[["returned_to", "kind", "n_returns", "n_cases", "median_duration_days"]]
        returned_to       kind  n_returns  n_cases  median_duration_days
    0  Smerteklinik  ping-pong          2        2                  52.0
    """
    r = return_expr(log, within=within, max_between=max_between, on=on)
    r = r.mutate(units=r.cycle.join(SEP))
    g = grouped_quantiles(log, r, ["units"], r.duration_days, {"median_duration_days": 0.5},
                          unit_tuple=r.cycle.arbitrary(), returned_to=r.returned_to.arbitrary(),
                          cycle_length=r.cycle_length.arbitrary(), n_returns=r.count(), n_cases=r.case_id.nunique())
    g = g.mutate(kind=ibis.ifelse(g.cycle_length == 2, "ping-pong", "indirect"))
    df = fetch(g, tuples=["unit_tuple"])
    if len(df):
        df = df.sort_values(["n_returns", "n_cases", "units"], ascending=[False, False, True], kind="stable")
    df = typed_result(df, ROUTE_COLUMNS, log.tz, [])
    return with_parameters(df, within=duration(within, argument="within"), max_between=max_between, on=on)


def repeats(log: EventLog) -> pd.DataFrame:
    """Repeated referrals: the same referral sent (or received) again with nothing in between.

    Take the case's events of type ``referral``, ``referral_received`` and
    ``transfer`` in time order (ties keep input order); every other event is
    ignored. Each has a *target*: its ``referral_to`` when the log maps one and
    the event has it, else its unit (for a ``referral_received`` the receiving
    unit; for a referral without ``referral_to``, the sender, i.e. the same unit
    referring again). A **repeat** is such an event with the same event type and
    target as the previous one in that sequence, so no other referral, receipt or
    transfer lies between them; events of other types between them (a visit, an
    assessment) do not break it. Consecutive repeats form one run, reported as one
    row. Repeats are not loops on the referral path (``on="referrals"``): there
    they collapse into one step, so ``circular_referrals(log, on="referrals")``
    never counts them. On the path of all events, a run can also be part of a loop
    when the patient was seen in another unit between the referrals.

    Parameters
    ----------
    log : EventLog
        Must map ``unit`` or ``referral_to``.

    Returns
    -------
    pandas.DataFrame
        One row per run of two or more: ``case_id``, ``event_type``, ``target``,
        ``unit`` (the unit of the run's first event: the sender of a referral),
        ``n_events`` (events in the run), ``n_repeats`` (n_events − 1),
        ``first_at``, ``last_at`` and ``span_days``. Sorted by case and first_at.

    Examples
    --------
    >>> import pandas as pd, pathways as pw
    >>> df = pd.DataFrame({"pt": ["A", "A", "A", "A"],
    ...     "what": ["Henvisning", "Afslag", "Henvisning", "Henvisning modtaget"],
    ...     "when": ["2023-01-05", "2023-01-20", "2023-02-01", "2023-02-03"],
    ...     "afsnit": ["Egen læge", "Psykiatrisk Visitationsklinik", "Egen læge",
    ...                "Psykiatrisk Visitationsklinik"],
    ...     "til": ["Psykiatrisk Visitationsklinik", None, "Psykiatrisk Visitationsklinik", None]})
    >>> log = pw.from_pandas(df, case="pt", activity="what", timestamp="when", unit="afsnit",
    ...                      referral_to="til")
    >>> pw.repeats(log)[["event_type", "unit", "n_repeats", "span_days"]]
      event_type       unit  n_repeats  span_days
    0   referral  Egen læge          1       27.0
    """
    if not log.has("referral_to"):
        log.require("unit", purpose="repeats")
    t = log.table.filter(log.table.event_type.isin(REFERRAL_TYPES))
    t = t.select("case_id", "row", "timestamp", "event_type", "unit",
                 target=t.referral_to.fill_null(t.unit))
    t = t.filter(t.target.notnull())
    w = ibis.window(group_by="case_id", order_by=["timestamp", "row"])
    prev_same = (t.event_type == t.event_type.lag().over(w)) & (t.target == t.target.lag().over(w))
    next_same = (t.event_type == t.event_type.lead().over(w)) & (t.target == t.target.lead().over(w))
    t = t.mutate(same=prev_same.fill_null(False), in_run=(prev_same | next_same).fill_null(False))
    t = t.filter(t.in_run)
    t = t.mutate(run=t.target.count(where=~t.same).over(
        ibis.window(group_by="case_id", order_by=["timestamp", "row"], rows=(None, 0))))
    order = [t.timestamp, t.row]
    g = t.group_by(["case_id", "run"]).aggregate(
        event_type=t.event_type.arbitrary(), target=t.target.arbitrary(), unit=t.unit.first(order_by=order),
        n_events=t.count(), first_at=t.timestamp.min(), last_at=t.timestamp.max())
    g = g.mutate(n_repeats=g.n_events - 1, span_days=days_between(g.first_at, g.last_at))
    df = fetch(g.order_by(["case_id", "first_at", "run"]))
    return with_parameters(typed_result(df, REPEAT_COLUMNS, log.tz, ["first_at", "last_at"]))


__all__ = ["circular_referrals", "circular_routes", "repeats", "return_steps", "cycle_expr", "episode_expr",
           "return_expr", "ENDING_TYPES"]
