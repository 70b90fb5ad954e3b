"""The unit path of each case (DOMAIN.md section 4): where the patient was, step by step.

The path is the expression every unit-level analysis builds on: handovers and
bounces (:mod:`pathways.analyses.handovers`) and circular referrals
(:mod:`pathways.analyses.loops`) all start from :func:`unit_path_expr`, so the
definition of a step lives in one place.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import ibis

from ..errors import check_choice
from .common import TEXT, fetch, typed_result, with_parameters

if TYPE_CHECKING:
    from ..eventlog import EventLog

#: Event types that make up the referral path (``on="referrals"``).
REFERRAL_TYPES = ("referral", "referral_received", "transfer")

PATH_COLUMNS = {"case_id": TEXT, "step": "int64", "unit": TEXT, "domain": TEXT, "sector": TEXT,
                "arrived_at": "datetime64[us, UTC]", "left_at": "datetime64[us, UTC]", "n_events": "int64"}


def path_events(log, *, on: str = "all", purpose: str = "the unit path"):
    """Ibis expression: the events that make up the unit path (unit known; referral types for ``on="referrals"``)."""
    check_choice("on", on, ["all", "referrals"])
    log.require("unit", purpose=purpose)
    t = log.table
    keep = t.unit.notnull()
    if on == "referrals":
        keep &= t.event_type.isin(REFERRAL_TYPES)
    return t.filter(keep).select("case_id", "row", "timestamp", "end_timestamp", "unit", "domain", "sector")


def _classes(log):
    """The log's unit classes (unit, domain, sector) when each unit has one class, else None."""
    classes = getattr(log, "unit_classes", None)
    if classes is None or not len(classes):
        return None
    if classes["valid_from"].notna().any() or classes["valid_to"].notna().any() or classes["unit"].duplicated().any():
        return None
    return classes[["unit", "domain", "sector"]]


def unit_path_expr(log, *, on: Literal["all", "referrals"] = "all", purpose: str = "the unit path"):
    """Ibis expression with one row per step of every case's unit path.

    The columns of :func:`unit_paths`, and the next step's ``next_unit``,
    ``next_domain``, ``next_sector`` and ``next_arrived`` (NULL at a case's last
    step), so that a handover is a row of this table. ``arrived_at``, ``left_at``
    and ``next_arrived`` are UTC instants (engine timestamps); the public
    functions convert them to the log's zone. Raises OptionError when the log has no unit.
    """
    path_events(log, on=on, purpose=purpose)  # OptionError before any work when units are missing
    # computed once per log and kept in the engine: every unit-level analysis reads it
    return log.materialize(("unit_path", on), lambda lg: _unit_path(lg, on))


def _unit_path(log, on):
    t = path_events(log, on=on)
    classes = _classes(log)
    if classes is not None:  # the class is joined per step afterwards: fewer columns to sort
        t = t.drop("domain", "sector")
    # One sort of the events finds the runs (steps): an event starts a step when the event before
    # it is in another unit, and ends it when the event after it is. The next event of a step's
    # last event is the next step's first, so the next step comes from that sort too.
    w = ibis.window(group_by="case_id", order_by=["timestamp", "row"])
    after = dict(_n_unit=t.unit.lead().over(w), _n_at=t.timestamp.lead().over(w))
    if classes is None:
        after.update(_n_domain=t.domain.lead().over(w), _n_sector=t.sector.lead().over(w))
    t = t.mutate(_first=(t.unit != t.unit.lag().over(w)).fill_null(True), _pos=ibis.row_number().over(w),
                 **after)
    t = t.mutate(_last=(t._n_unit != t.unit).fill_null(True))
    # Only the first and last event of a step, and events with an end time, are kept: an event
    # in between without one leaves no later than the step's last event (events are in time
    # order), so neither the departure nor the count (from the positions) needs it.
    t = t.filter(t._first | t._last | t.end_timestamp.notnull())
    # a running count (BIGINT), not a running sum (DuckDB sums to HUGEINT, slow in later windows)
    upto = ibis.window(group_by="case_id", order_by="_pos", rows=(None, 0))
    t = t.mutate(step=t.unit.count(where=t._first).over(upto) - 1,
                 _leave=t.end_timestamp.fill_null(t.timestamp))  # end < start is rejected at build
    moved = t._last & t._n_unit.notnull()  # a case's last event has no next step
    steps = dict(unit=t.unit.arbitrary(), arrived_at=t.timestamp.min(), left_at=t._leave.max(),
                 n_events=t._pos.max() - t._pos.min() + 1, next_unit=t._n_unit.arbitrary(where=moved),
                 next_arrived=t._n_at.min(where=moved))
    # A step of one event is its own row: only steps of several events need the group-by (when
    # nearly every event changes unit, the group-by over all of them was a third of the work).
    alone = t._first & t._last
    one = t.filter(alone)
    classes_of_one = {} if classes is not None else dict(
        domain=one.domain, sector=one.sector, next_domain=one._n_domain, next_sector=one._n_sector)
    one = one.select("case_id", "step", unit=one.unit, arrived_at=one.timestamp, left_at=one._leave,
                     n_events=ibis.literal(1, "int64"), next_unit=one._n_unit, next_arrived=one._n_at,
                     **classes_of_one)
    t = t.filter(~alone)
    if classes is None:
        # the unit may be reclassified inside a step: the step takes its class on arrival
        path = t.group_by(["case_id", "step"]).aggregate(
            **steps, domain=t.domain.arbitrary(where=t._first), sector=t.sector.arbitrary(where=t._first),
            next_domain=t._n_domain.arbitrary(where=moved), next_sector=t._n_sector.arbitrary(where=moved))
        path = path.union(one.select(*path.columns))
    else:
        path = t.group_by(["case_id", "step"]).aggregate(**steps)
        path = path.union(one.select(*path.columns))
        c = ibis.memtable(classes).rename(_unit="unit")
        n = c.rename(_next="_unit", next_domain="domain", next_sector="sector")
        path = path.left_join(c, path.unit == c._unit).left_join(n, path.next_unit == n._next)
    return path.select(*PATH_COLUMNS, "next_unit", "next_domain", "next_sector", "next_arrived")


def unit_paths_table(log, *, on: Literal["all", "referrals"] = "all"):
    """Ibis expression: the rows of :func:`unit_paths` in its order, kept in the engine (UTC times)."""
    return unit_path_expr(log, on=on, purpose="unit_paths").select(*PATH_COLUMNS).order_by(["case_id", "step"])


def unit_paths(log: EventLog, *, on: Literal["all", "referrals"] = "all"):
    """The unit path of every case: one row per step, in order.

    A *step* is a run of consecutive events (in time order; ties keep input order)
    in the same unit: staying in a unit is not a move. Events without a unit are
    skipped, so the units on either side of them may merge into one step.

    Parameters
    ----------
    log : EventLog
        Must map ``unit``.
    on : {"all", "referrals"}, default "all"
        ``"all"`` uses every event with a unit. ``"referrals"`` uses only events of
        event type ``referral``, ``referral_received`` and ``transfer``; a referral's
        unit is the sender, the receiving unit enters the path with its own
        ``referral_received`` (or later) event. The target in ``referral_to`` is never
        made a step: a referral the target never acted on would put the patient in a
        unit they never reached, and two identical referrals in a row would look like
        ping-pong (those are :func:`pathways.repeats`).

    Returns
    -------
    pandas.DataFrame
        ``case_id``, ``step`` (0-based within the case), ``unit``, ``domain``,
        ``sector`` (the unit's class at arrival), ``arrived_at`` (first event in the
        unit), ``left_at`` (departure: the latest of the step's event times and end
        times, which is the last event's ``end_timestamp`` when it has one, else its
        time), ``n_events``. Times are in the log's zone. Sorted by case and step;
        ``df.attrs["parameters"]`` records ``on``.

    Raises
    ------
    OptionError
        The log does not map ``unit``, or ``on`` is not a choice.

    Examples
    --------
    >>> import pandas as pd, pathways as pw
    >>> df = pd.DataFrame({"pt": ["A", "A", "A", "A"],
    ...     "what": ["Henvisning", "Indlæggelse", "Udskrivning", "Lægekonsultation"],
    ...     "when": ["2023-01-02 08:00", "2023-01-03 10:00", "2023-01-06 12:00", "2023-01-20 09:00"],
    ...     "afsnit": ["Egen læge", "Medicinsk afdeling", "Medicinsk afdeling", "Egen læge"]})
    >>> log = pw.from_pandas(df, case="pt", activity="what", timestamp="when", unit="afsnit")
    >>> pw.unit_paths(log)[["step", "unit", "arrived_at", "n_events"]]
       step                unit                arrived_at  n_events
    0     0           Egen læge 2023-01-02 08:00:00+01:00         1
    1     1  Medicinsk afdeling 2023-01-03 10:00:00+01:00         2
    2     2           Egen læge 2023-01-20 09:00:00+01:00         1
    """
    df = typed_result(fetch(unit_paths_table(log, on=on)), PATH_COLUMNS, log.tz, ["arrived_at", "left_at"])
    return with_parameters(df, on=on)


__all__ = ["unit_paths", "unit_paths_table", "unit_path_expr", "path_events", "REFERRAL_TYPES", "PATH_COLUMNS"]
