"""Hospital notifications: how soon the municipality heard of an admission, a leave or a discharge.

A log read from MedCom HospitalNotification messages (:func:`pathways.read_fhir`) carries,
beside each event's time (``timestamp``), the time the first message reporting it was sent
(the attribute ``notified``), the hospital stay it belongs to (``encounter``) and the sending
organisation (``sender``). A log built by hand with those three attribute columns serves as well.

Definitions used here:

* The **notified events** are the events of type ``admission``, ``leave_start``,
  ``leave_end``, ``discharge`` and ``death`` with a ``notified`` time (events that came from
  another source, with ``notified`` null, are not notifications and are left out).
* The **delay** of an event is ``notified - timestamp``, exact elapsed time.
* An event is **late** when its delay is strictly longer than ``threshold``. MedCom's clinical
  guidelines for HospitalNotification (business rule 1) say the messages are generated on
  real-time registration in the hospital's EPR/PAS system ("Adviser genereres på basis af
  tidstro registrering i EPJ/PAS-systemet",
  https://medcomdk.github.io/dk-medcom-hospitalnotification/assets/documents/Clinical-guidelines-DA.html),
  and name no deadline in hours. The default ``threshold="1h"`` is therefore an **assumption** of
  this library, not MedCom's: pass the limit your agreement with the region uses.
* A notification is **missing** by ``as_of`` when

  - the event happened by ``as_of`` but its message was sent after ``as_of``;
  - a hospital stay (``encounter``) has events but no admission in the whole log (a discharge,
    a leave or a death the municipality heard of without the admission): one row for the
    admission, its time unknown;
  - a hospital stay has an admission by ``as_of`` and no discharge or death in the whole log:
    one row for the discharge, its time unknown. The patient may still be in hospital when the
    extract was taken: read these rows with the admission's age in mind.

  Events after ``as_of`` are left out (counted in ``df.attrs["n_events_after_as_of"]``), but a
  discharge after ``as_of`` still closes its stay. ``as_of=None`` takes every message in the log
  as received.
* An admission is a **readmission** when the event before it among the case's notified
  admissions and discharges (in the order of time, then input row) is a discharge at most
  ``within`` earlier (as :func:`pathways.readmissions` with ``acute_only=False``). A readmission
  whose admission notification is late is one the municipality heard of only after a delay.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import ibis
import pandas as pd

from .. import schema as S
from ..errors import OptionError, check_choice, closest
from ..udf import epoch_us
from ..parameters import NOTIFICATION_THRESHOLD, READMISSION_WITHIN
from .common import TEXT, by_list, days_between, duration, fetch, grouped_quantiles, local_times, timestamp, \
    with_parameters

if TYPE_CHECKING:
    from ..eventlog import EventLog

#: The event types a HospitalNotification reports.
NOTIFIED_TYPES = ("admission", "leave_start", "leave_end", "discharge", "death")
#: The event types that end a hospital stay.
ENDS = ("discharge", "death")
STATUSES = ("on_time", "late", "missing")
#: The attributes the analysis needs (read_fhir writes all of them).
NEEDED = ("notified", "encounter", "sender")
#: Columns a summary can group by.
GROUPS = ("sender", "receiver", "unit", "event_type")

_COLUMNS = {"case_id": TEXT, "encounter": TEXT, "event_type": TEXT, "activity": TEXT, "sender": TEXT,
            "receiver": TEXT, "unit": TEXT, "event_at": "datetime64[us, UTC]",
            "notified_at": "datetime64[us, UTC]", "delay_hours": "float64", "status": TEXT,
            "readmission": "bool"}
_SUMMARY = ["n_events", "n_notified", "n_on_time", "n_late", "n_missing", "share_late", "median_delay_hours",
            "p90_delay_hours", "max_delay_hours", "n_readmissions", "n_readmissions_late"]
_RANK = {"admission": 0, "leave_start": 1, "leave_end": 2, "discharge": 3, "death": 3}


def _require(log) -> None:
    missing = [c for c in NEEDED if c not in log.attributes]
    if not missing:
        return
    hints = [h for h in (closest(m, log.attributes) for m in missing) if h]
    raise OptionError(
        f"notification delays need the attributes {', '.join(repr(m) for m in NEEDED)}; this log has no "
        f"{', '.join(repr(m) for m in missing)} (attributes: {list(log.attributes)})."
        + (f" Did you mean {hints[0]!r}?" if hints else "")
        + " Read the messages with pw.read_fhir(...), which writes them, or give from_pandas columns named "
          "notified (when the message was sent), encounter (the hospital stay) and sender.")


def _table(log, *, as_of, threshold, within):
    """The per-event Ibis table (UTC times) and the number of notified events after ``as_of``."""
    _require(log)
    late_us = duration(threshold, argument="threshold") // pd.Timedelta(1, "us")
    within_days = duration(within, argument="within").total_seconds() / 86_400
    cut = None if as_of is None else ibis.literal(timestamp(as_of, log.tz, argument="as_of").tz_convert("UTC"))
    t = log.table
    receiver = t.receiver.cast("string") if "receiver" in log.attributes else ibis.null("string")
    ev = t.filter(t.event_type.isin(NOTIFIED_TYPES) & t.notified.notnull())
    ev = ev.select(S.CASE, S.ROW, S.ACTIVITY, S.TIMESTAMP, S.EVENT_TYPE, S.UNIT, encounter=ev.encounter.cast("string"),
                   notified=ev.notified, sender=ev.sender.cast("string"), receiver=receiver)
    # readmissions: the event before an admission among the case's admissions and discharges
    ad = ev.filter(ev.event_type.isin(["admission", "discharge"]))
    w = ibis.window(group_by=S.CASE, order_by=[S.TIMESTAMP, S.ROW])
    ad = ad.mutate(_prev=ad.event_type.lag().over(w), _prev_at=ad.timestamp.lag().over(w))
    readm = ((ad.event_type == "admission") & (ad._prev == "discharge")
             & (days_between(ad._prev_at, ad.timestamp) <= within_days)).fill_null(False)
    ad = ad.mutate(readmission=readm).drop("_prev", "_prev_at")
    ev = ad.union(ev.filter(~ev.event_type.isin(["admission", "discharge"])).mutate(readmission=False))
    # one row per hospital stay, for the missing admissions and discharges
    first = ev.notified
    enc = ev.filter(ev.encounter.notnull()).group_by("encounter").aggregate(
        _case=ev.case_id.argmin(first), _sender=ev.sender.argmin(first), _receiver=ev.receiver.argmin(first),
        _unit=ev.unit.argmin(first), _has_adm=(ev.event_type == "admission").any(),
        _has_end=ev.event_type.isin(ENDS).any(), _first_at=ev.timestamp.min(), _last_at=ev.timestamp.max(),
        _adm_at=ev.timestamp.min(where=ev.event_type == "admission"))
    in_time = (lambda at: at <= cut) if cut is not None else (lambda at: ibis.literal(True))
    null_ts = ibis.null(ev.timestamp.type())

    def missing(rows, event_type, sort_at, rank):
        return rows.select(case_id=rows._case, encounter=rows.encounter, event_type=ibis.literal(event_type),
                           activity=ibis.null("string"), sender=rows._sender, receiver=rows._receiver,
                           unit=rows._unit, event_at=null_ts, notified_at=null_ts, delay_hours=ibis.null("float64"),
                           status=ibis.literal("missing"), readmission=ibis.literal(False),
                           _sort_at=sort_at(rows), _rank=ibis.literal(rank), _row=ibis.null("int64"))

    no_adm = missing(enc.filter(~enc._has_adm & in_time(enc._first_at)), "admission", lambda r: r._first_at, -1)
    no_end = missing(enc.filter(enc._has_adm & ~enc._has_end & in_time(enc._adm_at)), "discharge",
                     lambda r: r._last_at, 9)
    rows = ev.filter(in_time(ev.timestamp))
    heard = in_time(rows.notified)
    delay_us = epoch_us(rows.notified) - epoch_us(rows.timestamp)
    status = heard.ifelse((delay_us > late_us).ifelse("late", "on_time"), "missing")
    rank = ibis.cases(*((rows.event_type == k, v) for k, v in _RANK.items()), else_=5)
    known = rows.select(S.CASE, "encounter", S.EVENT_TYPE, S.ACTIVITY, "sender", "receiver", S.UNIT,
                        event_at=rows.timestamp, notified_at=heard.ifelse(rows.notified, null_ts),
                        delay_hours=heard.ifelse(days_between(rows.timestamp, rows.notified) * 24,
                                                 ibis.null("float64")),
                        status=status, readmission=rows.readmission, _sort_at=rows.timestamp, _rank=rank,
                        _row=rows.row)
    out = known.union(no_adm).union(no_end)
    n_after = 0 if cut is None else int(ev.filter(ev.timestamp > cut).count().to_pyarrow().as_py())
    return out, n_after


def notification_delays(log: EventLog, *, as_of=None, threshold=NOTIFICATION_THRESHOLD, within=READMISSION_WITHIN) -> pd.DataFrame:
    """One row per notified admission, leave and discharge, and per notification missing by ``as_of``.

    Parameters
    ----------
    log : EventLog
        A log with the attributes ``notified``, ``encounter`` and ``sender``, as
        :func:`pathways.read_fhir` returns for MedCom HospitalNotification messages.
    as_of : str or datetime, optional
        What the municipality knew at this time (a date means its midnight, local
        time): messages sent later count as missing, events later are left out and
        counted in ``df.attrs["n_events_after_as_of"]``. ``None``: every message of
        the log counts as received.
    threshold : str or timedelta, default "1h"
        A notification is late when sent strictly more than ``threshold`` after the event.
        MedCom asks for real-time notification and names no deadline: one hour is
        this library's assumption (see the module notes).
    within : str or timedelta, default "30D"
        The longest time from a discharge to the next admission that makes the
        admission a readmission (inclusive, exact elapsed time).

    Returns
    -------
    pandas.DataFrame
        ``case_id, encounter, event_type, activity, sender, receiver, unit`` (of the
        event; for a missing notification those of the stay's first message and
        ``activity`` empty), ``event_at`` and ``notified_at`` (local; empty when
        missing), ``delay_hours`` (notified - event, exact), ``status`` (``on_time``,
        ``late`` or ``missing``) and ``readmission`` (an admission within ``within``
        of the case's previous discharge). Sorted by case, then time. A readmission
        heard of late is ``readmission & (status == "late")``.

    Examples
    --------
    >>> import pandas as pd, pathways as pw
    >>> df = pd.DataFrame({"pt": ["A", "A", "A", "B"],
    ...     "act": ["Indlæggelse", "Udskrivning", "Indlæggelse", "Udskrivning"],
    ...     "ts": ["2024-01-01 10:00", "2024-01-05 12:00", "2024-01-20 08:00", "2024-01-03 09:00"],
    ...     "notified": ["2024-01-01 10:03", "2024-01-05 12:30", "2024-01-21 08:00", "2024-01-03 09:12"],
    ...     "encounter": ["e1", "e1", "e2", "e3"], "sender": ["Hospital X"] * 4})
    >>> df["notified"] = pd.to_datetime(df["notified"]).dt.tz_localize("Europe/Copenhagen")
    >>> log = pw.from_pandas(df, case="pt", activity="act", timestamp="ts")
    >>> pw.notification_delays(log)[["case_id", "encounter", "event_type", "delay_hours", "status",
    ...                               "readmission"]]
      case_id encounter event_type  delay_hours   status  readmission
    0       A        e1  admission         0.05  on_time        False
    1       A        e1  discharge         0.50  on_time        False
    2       A        e2  admission        24.00     late         True
    3       A        e2  discharge          NaN  missing        False
    4       B        e3  admission          NaN  missing        False
    5       B        e3  discharge         0.20  on_time        False
    """
    table, n_after = _table(log, as_of=as_of, threshold=threshold, within=within)
    df = fetch(table.order_by([S.CASE, "_sort_at", "_rank", "_row"]).drop("_sort_at", "_rank", "_row"))
    df = df.reset_index(drop=True)
    if not len(df):
        df = pd.DataFrame({c: pd.Series([], dtype=d) for c, d in _COLUMNS.items()})
    df = df[list(_COLUMNS)].astype({"readmission": bool})
    df = local_times(df, log.tz, ["event_at", "notified_at"])
    df.attrs["n_events_after_as_of"] = n_after
    return with_parameters(df, as_of=None if as_of is None else str(as_of), threshold=threshold, within=within)


def notification_summary(log: EventLog, *, by="sender", as_of=None, threshold=NOTIFICATION_THRESHOLD,
                         within=READMISSION_WITHIN) -> pd.DataFrame:
    """Notification delays, late and missing notifications per sending organisation (or other group).

    Parameters
    ----------
    log : EventLog
    by : str or list of str, default "sender"
        ``sender``, ``receiver``, ``unit`` or ``event_type`` (of the rows of
        :func:`notification_delays`); ``None``: one row over every notification.
    as_of, threshold, within
        As in :func:`notification_delays`.

    Returns
    -------
    pandas.DataFrame
        One row per group: ``n_events`` (rows of :func:`notification_delays`),
        ``n_notified`` (received by ``as_of``), ``n_on_time``, ``n_late``,
        ``n_missing``, ``share_late`` (of the notified), ``median_delay_hours``,
        ``p90_delay_hours``, ``max_delay_hours`` (of the notified; quantiles
        interpolate linearly), ``n_readmissions`` and ``n_readmissions_late`` (the
        readmissions heard of late), sorted by the group.

    Examples
    --------
    >>> import pandas as pd, pathways as pw
    >>> df = pd.DataFrame({"pt": ["A", "A", "B", "B"],
    ...     "act": ["Indlæggelse", "Udskrivning"] * 2,
    ...     "ts": ["2024-01-01 10:00", "2024-01-05 12:00", "2024-01-02 10:00", "2024-01-03 09:00"],
    ...     "notified": ["2024-01-01 10:30", "2024-01-05 15:00", "2024-01-02 10:06", "2024-01-03 09:12"],
    ...     "encounter": ["e1", "e1", "e2", "e2"], "sender": ["Hospital X", "Hospital X", "Y", "Y"]})
    >>> df["notified"] = pd.to_datetime(df["notified"]).dt.tz_localize("Europe/Copenhagen")
    >>> log = pw.from_pandas(df, case="pt", activity="act", timestamp="ts")
    >>> pw.notification_summary(log)[["sender", "n_notified", "n_late", "share_late", "median_delay_hours"]]
           sender  n_notified  n_late  share_late  median_delay_hours
    0  Hospital X           2       1         0.5                1.75
    1           Y           2       0         0.0                0.15
    """
    names = by_list(by)
    for b in names:
        check_choice("by", b, GROUPS)
    table, _ = _table(log, as_of=as_of, threshold=threshold, within=within)
    keys = names or ["_all"]
    if not names:
        table = table.mutate(_all=ibis.literal(0))
    st = table.status
    g = grouped_quantiles(log, table, keys, table.delay_hours,
                          {"median_delay_hours": 0.5, "p90_delay_hours": 0.9},
                          n_events=table.count(), n_on_time=(st == "on_time").sum(), n_late=(st == "late").sum(),
                          n_missing=(st == "missing").sum(), max_delay_hours=table.delay_hours.max(),
                          n_readmissions=table.readmission.sum(),
                          n_readmissions_late=(table.readmission & (st == "late")).sum())
    df = fetch(g.order_by(keys)).reset_index(drop=True)
    if not names:
        df = df.drop(columns="_all")
    for c in ("n_events", "n_on_time", "n_late", "n_missing", "n_readmissions", "n_readmissions_late"):
        df[c] = df[c].fillna(0).astype("int64")
    df["n_notified"] = df["n_on_time"] + df["n_late"]
    df["share_late"] = (df["n_late"] / df["n_notified"].where(df["n_notified"] > 0)).astype("float64")
    for c in ("median_delay_hours", "p90_delay_hours", "max_delay_hours"):
        df[c] = df[c].astype("float64")
    return with_parameters(df[[*names, *_SUMMARY]], by=by, as_of=None if as_of is None else str(as_of), threshold=threshold,
                           within=within)


__all__ = ["notification_delays", "notification_summary", "NOTIFIED_TYPES", "STATUSES"]
