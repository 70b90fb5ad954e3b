"""Discharge timing: weekday × hour of discharges and the 48-hour notice rule (DOMAIN.md section 4).

Calendar parts are taken in the log's local time zone (``log.tz``), so a
discharge at 16:00 Danish time lands in the 16:00 cell in summer and in winter.
"After 15:00" means a local time of 15:00 or later (hours 15-23).

A notice (event type ``discharge_notice``, "Varsling") pairs with the case's next
discharge like a wait in :func:`pathways.waiting_times`: the first discharge
after it and before the next notice. A notice followed by a newer notice is
``superseded`` (the newer one is the notice that counts); a notice with no
discharge after it is ``no discharge``. The lead time is discharge - notice in
exact hours; a notice meets the rule when the lead time is at least
``notice_rule`` (exactly 48 hours meets a 48-hour rule).
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from ..engine import local_time
from ..errors import OptionError
from .common import duration, local_times, with_parameters
from .waits import _Absent, _waits

if TYPE_CHECKING:
    from ..eventlog import EventLog

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

_NOTICE_COLUMNS = ["case_id", "notice_unit", "notice_at", "discharge_unit", "discharged_at", "lead_hours",
                   "outcome", "meets_rule"]


@dataclass(frozen=True)
class DischargeTiming:
    """The result of :func:`discharge_timing`: three small tables.

    Attributes
    ----------
    heatmap : pandas.DataFrame
        Discharges counted by local weekday (rows ``Monday`` .. ``Sunday``) and
        local hour (columns 0 .. 23).
    summary : pandas.DataFrame
        One row: ``n_discharges``, ``n_friday``, ``share_friday``, ``n_after_15``,
        ``share_after_15`` (local time 15:00 or later), ``n_friday_after_15``,
        ``share_friday_after_15``, ``n_notices`` (notices that count: paired with a
        discharge), ``n_discharges_without_notice``, ``median_lead_hours``,
        ``n_meeting_rule``, ``share_meeting_rule`` (of the notices that count).
    notices : pandas.DataFrame
        One row per notice: ``case_id, notice_unit, notice_at, discharge_unit,
        discharged_at, lead_hours, outcome`` (``paired``, ``superseded``, ``no
        discharge``), ``meets_rule`` (NA unless paired).
    """

    heatmap: pd.DataFrame
    summary: pd.DataFrame
    notices: pd.DataFrame
    parameters: dict = field(default_factory=dict)

    def __repr__(self) -> str:
        s = self.summary.iloc[0] if len(self.summary) else None
        if s is None or not s["n_discharges"]:
            return "DischargeTiming: no discharges"

        def pct(v):
            return "n/a" if pd.isna(v) else f"{v:.0%}"

        return (f"DischargeTiming: {int(s['n_discharges']):,} discharges, {pct(s['share_friday'])} on Friday, "
                f"{pct(s['share_after_15'])} after 15:00; {int(s['n_notices']):,} notices, "
                f"{pct(s['share_meeting_rule'])} meet the {self.parameters.get('notice_rule', '48h')} rule")

    def _repr_html_(self) -> str:
        return (f"<p>{html.escape(repr(self))}</p>" + self.summary.to_html(index=False)
                + self.heatmap.to_html())


def discharge_timing(log: EventLog, *, notice_rule="48h") -> DischargeTiming:
    """When patients are discharged, and whether the municipality was given notice in time.

    Parameters
    ----------
    log : EventLog
    notice_rule : str or timedelta, default "48h"
        The least lead time from notice to discharge (the 48-hour notice rule
        [T: "varsling onsdag, så varslingsreglen på 48 timer til fredag bliver overholdt"]).

    Returns
    -------
    DischargeTiming
        ``.heatmap`` (weekday × hour counts, local time), ``.summary`` (one row of
        shares) and ``.notices`` (one row per notice); see :class:`DischargeTiming`.

    Examples
    --------
    >>> import pandas as pd, pathways as pw
    >>> df = pd.DataFrame({"pt": ["A", "A", "B"], "act": ["Varsling", "Udskrivning", "Udskrivning"],
    ...                    "ts": ["2024-06-05 16:00", "2024-06-07 16:00", "2024-01-10 09:30"]})
    >>> log = pw.from_pandas(df, case="pt", activity="act", timestamp="ts")
    >>> dt = pw.discharge_timing(log)
    >>> dt
    DischargeTiming: 2 discharges, 50% on Friday, 50% after 15:00; 1 notices, 100% meet the 48h rule
    >>> int(dt.heatmap.loc["Friday", 16]), dt.notices.loc[0, "lead_hours"]
    (1, np.float64(48.0))
    """
    rule = duration(notice_rule, argument="notice_rule")
    t = log.table
    d = t.filter(t.event_type == "discharge")
    lt = local_time(d.timestamp, log.tz)
    d = d.mutate(_wd=lt.day_of_week.index(), _h=lt.hour())
    cells = d.group_by(["_wd", "_h"]).aggregate(n=d.count()).to_pyarrow().to_pandas()
    heat = pd.DataFrame(0, index=pd.Index(WEEKDAYS, name="weekday"), columns=pd.Index(range(24), name="hour"),
                        dtype="int64")
    for wd, h, n in cells.itertuples(index=False):  # at most 168 cells
        heat.iloc[int(wd), int(h)] = int(n)
    n_dis = int(heat.to_numpy().sum())
    if n_dis == 0 and len(log):
        raise OptionError("discharge_timing needs events of type 'discharge', and this log has none. Check "
                          "log.activities and map your activity names, e.g. "
                          "Vocabulary.default().extend({'Udskrevet til hjem': 'discharge'}).")

    try:
        w, _ = _waits(log, start="discharge_notice", end="discharge", as_of=None, explain=False)
    except _Absent:  # no notices in the log: the notice columns are empty
        w = pd.DataFrame(columns=["case_id", "start_unit", "start_at", "end_unit", "end_at", "wait_days",
                                  "outcome"])
    notices = pd.DataFrame({
        "case_id": w["case_id"], "notice_unit": w["start_unit"], "notice_at": w["start_at"],
        "discharge_unit": w["end_unit"], "discharged_at": w["end_at"],
        "lead_hours": pd.to_numeric(w["wait_days"], errors="coerce").where(w["outcome"] == "ended") * 24.0,
        "outcome": w["outcome"].map({"ended": "paired", "superseded": "superseded", "waiting": "no discharge"}),
    }).reset_index(drop=True)
    paired = notices["outcome"] == "paired"
    meets = notices["lead_hours"] >= rule.total_seconds() / 3600 - 1e-9
    notices["meets_rule"] = pd.array(meets.where(paired, pd.NA), dtype="boolean")
    notices = local_times(notices, log.tz, ["notice_at", "discharged_at"])
    if not len(notices):
        notices = notices.astype({"lead_hours": "float64", "case_id": "object", "outcome": "object"})

    fri = heat.loc["Friday"]
    after = heat.loc[:, 15:]
    n_paired = int(paired.sum())
    n_meet = int(notices["meets_rule"].fillna(False).sum())

    def share(a, b):
        return a / b if b else float("nan")

    summary = pd.DataFrame([{
        "n_discharges": n_dis, "n_friday": int(fri.sum()), "share_friday": share(int(fri.sum()), n_dis),
        "n_after_15": int(after.to_numpy().sum()), "share_after_15": share(int(after.to_numpy().sum()), n_dis),
        "n_friday_after_15": int(fri.loc[15:].sum()), "share_friday_after_15": share(int(fri.loc[15:].sum()), n_dis),
        "n_notices": n_paired, "n_discharges_without_notice": n_dis - n_paired,
        "median_lead_hours": float(notices.loc[paired, "lead_hours"].median()) if n_paired else float("nan"),
        "n_meeting_rule": n_meet, "share_meeting_rule": share(n_meet, n_paired)}])
    params = {"notice_rule": notice_rule if isinstance(notice_rule, str) else str(rule)}
    for df in (heat, summary, notices):
        with_parameters(df, **params)
    return DischargeTiming(heatmap=heat, summary=summary, notices=notices[_NOTICE_COLUMNS], parameters=params)


__all__ = ["discharge_timing", "DischargeTiming", "WEEKDAYS"]
